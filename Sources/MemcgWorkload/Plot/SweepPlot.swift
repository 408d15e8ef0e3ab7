import MemcgEngine

/// An SVG chart of a what-if sweep: refaults (left axis, line) and OOM
/// kills (right axis, bars) against the control's value, with a title,
/// axis labels in units and grid lines.
public enum SweepPlot {
    public static func svg(title: String, container: String, control: Control, values: [Int], refaults: [Int], kills: [Int]) -> String {
        let w = 900.0, h = 520.0, left = 90.0, right = 80.0, top = 70.0, bottom = 80.0
        let pw = w - left - right, ph = h - top - bottom
        let mib = values.map { Double($0) / 1_048_576 }
        let lo = mib.min() ?? 0, hi = max(mib.max() ?? 1, lo + 1)
        let pad = (hi - lo) / Double(max(2, values.count)) / 2
        let xmin = lo - pad, xmax = hi + pad
        let rmax = niceCeil(Double(refaults.max() ?? 1)), kmax = max(5, niceCeil(Double(kills.max() ?? 1)))
        func x(_ v: Double) -> Double { left + (v - xmin) / (xmax - xmin) * pw }
        func yr(_ v: Double) -> Double { top + ph - v / rmax * ph }
        func yk(_ v: Double) -> Double { top + ph - v / kmax * ph }
        var s = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(w))" height="\##(Int(h))" font-family="sans-serif" font-size="13">"##
        s += ##"<rect width="100%" height="100%" fill="white"/>"##
        s += ##"<text x="\##(w / 2)" y="30" text-anchor="middle" font-size="18" font-weight="bold">\##(esc(title))</text>"##
        for i in 0...5 {
            let v = rmax * Double(i) / 5, y = yr(v)
            s += ##"<line x1="\##(left)" y1="\##(y)" x2="\##(left + pw)" y2="\##(y)" stroke="#ddd"/>"##
            s += ##"<text x="\##(left - 8)" y="\##(y + 4)" text-anchor="end" fill="#1f5fbf">\##(Int(v))</text>"##
            let kv = kmax * Double(i) / 5
            s += ##"<text x="\##(left + pw + 8)" y="\##(yk(kv) + 4)" fill="#c0392b">\##(kv == kv.rounded() ? String(Int(kv)) : String(kv))</text>"##
        }
        for (i, v) in mib.enumerated() where values.count <= 12 || i % max(1, values.count / 10) == 0 {
            s += ##"<line x1="\##(x(v))" y1="\##(top + ph)" x2="\##(x(v))" y2="\##(top + ph + 5)" stroke="black"/>"##
            s += ##"<text x="\##(x(v))" y="\##(top + ph + 20)" text-anchor="middle">\##(label(values[i]))</text>"##
        }
        s += ##"<rect x="\##(left)" y="\##(top)" width="\##(pw)" height="\##(ph)" fill="none" stroke="black"/>"##
        let barW = max(4, min(30, pw / Double(max(1, values.count)) * 0.5))
        for (i, k) in kills.enumerated() where k > 0 {
            s += ##"<rect x="\##(x(mib[i]) - barW / 2)" y="\##(yk(Double(k)))" width="\##(barW)" height="\##(top + ph - yk(Double(k)))" fill="#c0392b" fill-opacity="0.6"/>"##
        }
        let pts = zip(mib, refaults).map { "\(x($0)),\(yr(Double($1)))" }.joined(separator: " ")
        s += ##"<polyline points="\##(pts)" fill="none" stroke="#1f5fbf" stroke-width="2.5"/>"##
        for (v, r) in zip(mib, refaults) { s += ##"<circle cx="\##(x(v))" cy="\##(yr(Double(r)))" r="4" fill="#1f5fbf"/>"## }
        s += ##"<text x="\##(left + pw / 2)" y="\##(h - 30)" text-anchor="middle">\##(esc(container)).\##(control.name) (\##(control.kernelFile) of the container)</text>"##
        s += ##"<text transform="translate(25,\##(top + ph / 2)) rotate(-90)" text-anchor="middle" fill="#1f5fbf">refaults (pages read back)</text>"##
        s += ##"<text transform="translate(\##(w - 20),\##(top + ph / 2)) rotate(90)" text-anchor="middle" fill="#c0392b">OOM kills (processes)</text>"##
        s += ##"<rect x="\##(left + 10)" y="\##(top - 16)" width="14" height="4" fill="#1f5fbf"/><text x="\##(left + 30)" y="\##(top - 10)">refaults</text>"##
        s += ##"<rect x="\##(left + 110)" y="\##(top - 20)" width="14" height="12" fill="#c0392b" fill-opacity="0.6"/><text x="\##(left + 130)" y="\##(top - 10)">OOM kills</text>"##
        return s + "</svg>\n"
    }

    static func label(_ b: Int) -> String { humanBytes(b) }

    static func niceCeil(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        var p = 1.0
        while p * 10 <= v { p *= 10 }
        for m in [1.0, 2.0, 5.0, 10.0] where m * p >= v { return m * p }
        return 10 * p
    }

    static func esc(_ s: String) -> String {
        s.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
    }
}

extension String {
    func replacingAll(_ a: Character, _ b: String) -> String {
        var out = ""
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}
