import MemcgEngine

/// An SVG chart of one replay over virtual time: each container's usage
/// (memory.current) as a line in MiB, its limit (`max`, when it has one)
/// as a dashed line of the same colour, and a red mark at each OOM kill,
/// with a title, axis labels in units, grid lines and a legend.
public enum UsagePlot {
    static let colours = ["#1f5fbf", "#2e8b57", "#e67e22", "#8e44ad", "#16a085", "#7f8c8d", "#d4a017", "#34495e"]

    /// `rows` from `Driver.seriesRows`; at most 8 containers are drawn (the
    /// root only when it is the only one), in the order they first appear.
    public static func svg(title: String, rows: [SeriesRow], summary: RunSummary) -> String {
        var names: [String] = []
        for r in rows where !names.contains(r.container) { names.append(r.container) }
        if names.count > 1 { names.removeAll { $0 == MemcgEngine.rootName } }
        names = Array(names.prefix(colours.count))
        let limits: [String: Int] = Dictionary(summary.containers.compactMap { c in c.limit.map { (c.name, $0) } },
                                               uniquingKeysWith: { a, _ in a })
        let w = 900.0, h = 520.0, left = 90.0, right = 170.0, top = 70.0, bottom = 80.0
        let pw = w - left - right, ph = h - top - bottom
        let tmax = max(rows.last?.time ?? 1, summary.endTime, 1e-9)
        let mib = 1_048_576.0
        let peak = rows.filter { names.contains($0.container) }.map { Double($0.usage) }.max() ?? 0
        let limitPeak = names.compactMap { limits[$0] }.map(Double.init).max() ?? 0
        let ymax = niceCeil(max(peak, limitPeak, mib) / mib * 1.05)
        func x(_ t: Double) -> Double { left + t / tmax * pw }
        func y(_ bytes: Double) -> Double { top + ph - bytes / mib / ymax * ph }
        var s = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(w))" height="\##(Int(h))" font-family="sans-serif" font-size="13">"##
        s += ##"<rect width="100%" height="100%" fill="white"/>"##
        s += ##"<text x="\##(left + pw / 2)" y="30" text-anchor="middle" font-size="18" font-weight="bold">\##(SweepPlot.esc(title))</text>"##
        for i in 0...5 {
            let v = ymax * Double(i) / 5, yy = top + ph - Double(i) / 5 * ph
            s += ##"<line x1="\##(left)" y1="\##(yy)" x2="\##(left + pw)" y2="\##(yy)" stroke="#ddd"/>"##
            s += ##"<text x="\##(left - 8)" y="\##(yy + 4)" text-anchor="end">\##(number(v))</text>"##
            let t = tmax * Double(i) / 5
            s += ##"<line x1="\##(x(t))" y1="\##(top + ph)" x2="\##(x(t))" y2="\##(top + ph + 5)" stroke="black"/>"##
            s += ##"<text x="\##(x(t))" y="\##(top + ph + 20)" text-anchor="middle">\##(number(t))</text>"##
        }
        s += ##"<rect x="\##(left)" y="\##(top)" width="\##(pw)" height="\##(ph)" fill="none" stroke="black"/>"##
        for (i, name) in names.enumerated() {
            let colour = colours[i]
            let mine = rows.filter { $0.container == name }
            // A step line: usage holds from one sample to the next.
            var pts: [String] = []
            for (k, r) in mine.enumerated() {
                if k > 0 { pts.append("\(x(r.time)),\(y(Double(mine[k - 1].usage)))") }
                pts.append("\(x(r.time)),\(y(Double(r.usage)))")
            }
            s += ##"<polyline class="usage" data-container="\##(SweepPlot.esc(name))" points="\##(pts.joined(separator: " "))" fill="none" stroke="\##(colour)" stroke-width="2.5"/>"##
            if let l = limits[name], Double(l) / mib <= ymax {
                s += ##"<line class="limit" x1="\##(left)" y1="\##(y(Double(l)))" x2="\##(left + pw)" y2="\##(y(Double(l)))" stroke="\##(colour)" stroke-dasharray="8 5" stroke-width="1.5"/>"##
            }
            let ly = top + 10 + Double(i) * 22
            s += ##"<rect x="\##(left + pw + 15)" y="\##(ly - 6)" width="16" height="4" fill="\##(colour)"/>"##
            s += ##"<text x="\##(left + pw + 37)" y="\##(ly)">\##(SweepPlot.esc(name))\##(limits[name].map { " (max " + humanBytes($0) + ")" } ?? "")</text>"##
        }
        for k in summary.kills where names.contains(k.container) {
            let kx = x(k.time)
            s += ##"<line class="kill" x1="\##(kx)" y1="\##(top)" x2="\##(kx)" y2="\##(top + ph)" stroke="#c0392b" stroke-width="1.5" stroke-opacity="0.7"/>"##
            s += ##"<text x="\##(kx + 4)" y="\##(top + 14)" fill="#c0392b" font-size="12">OOM kill pid \##(k.pid)</text>"##
        }
        let ky = top + 10 + Double(names.count) * 22
        if !summary.kills.isEmpty {
            s += ##"<rect x="\##(left + pw + 22)" y="\##(ky - 12)" width="2" height="14" fill="#c0392b"/><text x="\##(left + pw + 37)" y="\##(ky)">OOM kill</text>"##
        }
        s += ##"<line x1="\##(left + pw + 15)" y1="\##(ky + 18)" x2="\##(left + pw + 31)" y2="\##(ky + 18)" stroke="black" stroke-dasharray="5 3"/><text x="\##(left + pw + 37)" y="\##(ky + 22)">limit (max)</text>"##
        s += ##"<text x="\##(left + pw / 2)" y="\##(h - 30)" text-anchor="middle">virtual time (seconds)</text>"##
        s += ##"<text transform="translate(30,\##(top + ph / 2)) rotate(-90)" text-anchor="middle">usage, memory.current (MiB)</text>"##
        return s + "</svg>\n"
    }

    /// The next round number at or above `v` (finer steps than the sweep's,
    /// so a 512 MiB limit gets a 600 MiB axis rather than 1000).
    static func niceCeil(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        var p = 1.0
        while p * 10 <= v { p *= 10 }
        for m in [1.0, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where m * p >= v { return m * p }
        return 10 * p
    }

    /// A tick label: whole numbers as such, else one decimal.
    static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String((v * 10).rounded() / 10)
    }
}
