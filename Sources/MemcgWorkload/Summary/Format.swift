import MemcgEngine

/// Bytes as people read them: 512M, 1.5G, 4096.
public func humanBytes(_ b: Int) -> String {
    let units: [(Int, String)] = [(1 << 40, "T"), (1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")]
    for (u, s) in units where b >= u {
        if b % u == 0 { return "\(b / u)\(s)" }
        let tenths = (b * 10 + u / 2) / u
        return "\(tenths / 10).\(tenths % 10)\(s)"
    }
    return "\(b)"
}

/// Deterministic JSON text (keys in a fixed order, no floats but `t`).
struct JSONText {
    var out = ""
    static func quote(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            default:
                if u.value < 0x20 { r += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) } else { r.unicodeScalars.append(u) }
            }
        }
        return r + "\""
    }
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
    static func opt(_ v: Int?) -> String { v.map(String.init) ?? "null" }
}

extension RunSummary {
    func containerJSON(_ c: ContainerCounts) -> String {
        JSONText.object([
            ("name", JSONText.quote(c.name)), ("limit_bytes", JSONText.opt(c.limit)),
            ("records", "\(c.records)"), ("pages", "\(c.pages)"),
            ("records_skipped", "\(c.recordsSkipped)"), ("pages_skipped", "\(c.pagesSkipped)"),
            ("first_touches", "\(c.firstTouches)"), ("refaults", "\(c.refaults)"), ("faults", "\(c.faults)"),
            ("evictions", "\(c.evictions)"), ("failcnt", "\(c.failcnt)"), ("failed_charges", "\(c.failedCharges)"),
            ("oom_kills", "\(c.oomKills)"), ("high_events", "\(c.highEvents)"), ("low_events", "\(c.lowEvents)"),
            ("peak_usage_bytes", "\(c.peakUsage)"), ("peak_swap_bytes", "\(c.peakSwap)"),
            ("usage_bytes", "\(c.usage)"), ("swap_bytes", "\(c.swap)"),
        ])
    }

    /// The summary as one JSON object (byte-identical for the same trace and flags).
    public func json(trace: String) -> String {
        let kills = kills.map {
            JSONText.object([("t", "\($0.time)"), ("record", "\($0.record)"), ("line", "\($0.line)"), ("pid", "\($0.pid)"),
                             ("container", JSONText.quote($0.container)), ("pages", "\($0.pages)")])
        }
        return JSONText.object([
            ("trace", JSONText.quote(trace)), ("kind", JSONText.quote(kind.rawValue)),
            ("machine", JSONText.object([("memory_bytes", "\(machine.memoryBytes)"), ("swap_bytes", "\(machine.swapBytes)"),
                                         ("page_size", "\(machine.pageSize)"), ("cgroup", JSONText.quote(cgroup)),
                                         ("lru", JSONText.quote(machine.lru.rawValue)), ("swappiness", "\(machine.swappiness)")])),
            ("records", "\(records)"), ("records_applied", "\(recordsApplied)"), ("records_skipped", "\(recordsSkipped)"),
            ("pages", "\(pages)"), ("pages_skipped", "\(pagesSkipped)"), ("first_touches", "\(firstTouches)"),
            ("refaults", "\(refaults)"), ("hits", "\(hits)"), ("collapsed", "\(collapsed)"), ("zero_page_reads", "\(zeroPageReads)"),
            ("cows", "\(cows)"), ("failed_charges", "\(failedCharges)"), ("evictions", "\(evictions)"),
            ("limit_writes_refused", "\(limitWritesRefused)"), ("oom_kills", "[" + kills.joined(separator: ",") + "]"),
            ("end_time", "\(endTime)"), ("peak_frames", "\(peakFrames)"),
            ("containers", "[" + containers.map(containerJSON).joined(separator: ",") + "]"),
        ])
    }

    static let columns = ["container", "limit", "peak_usage", "peak_swap", "first_touch", "refaults", "faults",
                          "evictions", "failcnt", "high", "low", "oom_kills", "records", "skipped"]

    func row(_ c: ContainerCounts, human: Bool) -> [String] {
        func b(_ v: Int) -> String { human ? humanBytes(v) : String(v) }
        return [c.name, c.limit.map(b) ?? "max", b(c.peakUsage), b(c.peakSwap), "\(c.firstTouches)", "\(c.refaults)",
                "\(c.faults)", "\(c.evictions)", "\(c.failcnt)", "\(c.highEvents)", "\(c.lowEvents)", "\(c.oomKills)", "\(c.records)", "\(c.recordsSkipped)"]
    }

    /// One CSV row per container (bytes unformatted).
    public func csv() -> String {
        ([Self.columns.joined(separator: ",")] + containers.map { row($0, human: false).joined(separator: ",") }).joined(separator: "\n") + "\n"
    }

    /// A table for a terminal.
    public func table(trace: String) -> String {
        var s = "trace \(trace): \(kind.rawValue), \(records) records (\(recordsApplied) applied, \(recordsSkipped) skipped), \(pages) pages\n"
        s += "machine: memory \(humanBytes(machine.memoryBytes)), swap \(humanBytes(machine.swapBytes)), page size \(machine.pageSize), cgroup \(cgroup), lru \(machine.lru.rawValue)"
            + (machine.lru == .split ? ", swappiness \(machine.swappiness)\n" : "\n")
        s += "pages: \(firstTouches) first touches, \(refaults) refaults, \(hits) hits, \(collapsed) repeats collapsed, "
        s += "\(zeroPageReads) zero-page reads, \(cows) copy-on-write, \(failedCharges) failed charges; \(evictions) evictions\n\n"
        s += formatTable([Self.columns] + containers.map { row($0, human: true) })
        if !kills.isEmpty {
            s += "\nOOM kills:\n"
            for k in kills { s += "  t=\(k.time)s record \(k.record) (line \(k.line)): pid \(k.pid) in \(k.container), \(k.pages) pages\n" }
        }
        if limitWritesRefused > 0 { s += "\n\(limitWritesRefused) limit writes refused (EBUSY: usage could not be reclaimed below them)\n" }
        return s
    }
}

/// Left-aligned first column, right-aligned numbers.
public func formatTable(_ rows: [[String]]) -> String {
    guard let n = rows.first?.count else { return "" }
    var w = [Int](repeating: 0, count: n)
    for r in rows { for (i, c) in r.enumerated() { w[i] = max(w[i], c.count) } }
    return rows.map { r in
        r.enumerated().map { i, c in
            let pad = String(repeating: " ", count: w[i] - c.count)
            return i == 0 ? c + pad : pad + c
        }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
}

extension Array where Element == SeriesRow {
    /// The time series as CSV.
    public func csv() -> String {
        "t,container,usage_bytes,working_set_bytes,swap_bytes,refaults,evictions,failcnt,oom_kills\n" + map {
            "\($0.time),\($0.container),\($0.usage),\($0.workingSet),\($0.swap),\($0.refaults),\($0.evictions),\($0.failcnt),\($0.oomKills)"
        }.joined(separator: "\n") + "\n"
    }
}
