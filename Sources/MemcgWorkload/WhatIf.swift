import MemcgEngine
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// What-if sweeps: one trace, parsed once, replayed under several values of
/// one control, on `jobs` threads. Results come back in the order of the
/// values, so the table does not depend on the number of jobs.
public enum WhatIf {
    /// Parses `web.max=256M,384M,1G` or `web.max=128M..2G/16`.
    public static func parseVary(_ text: String) throws(TraceError) -> (container: String, control: Control, values: [Int?]) {
        guard let eq = text.firstIndex(of: "=") else { throw TraceError(line: nil, "--vary wants NAME.CONTROL=VALUES, not \"\(text)\"") }
        let (name, control) = try parseTarget(String(text[..<eq]))
        let rhs = String(text[text.index(after: eq)...])
        let halves = rhs.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        if halves.count == 3, halves[1].isEmpty {
            let lo = try bytes(String(halves[0]))
            var rest = String(halves[2])
            var steps = 8
            if let slash = rest.firstIndex(of: "/") {
                guard let n = Int(rest[rest.index(after: slash)...]), n >= 2, n <= 1000 else { throw TraceError(line: nil, "--vary: the number of steps after / must be 2 to 1000") }
                steps = n
                rest = String(rest[..<slash])
            }
            let hi = try bytes(rest)
            guard let lo, let hi, lo < hi else { throw TraceError(line: nil, "--vary: a range goes from a smaller size to a bigger one") }
            var values: [Int?] = []
            let span = Double(hi - lo)
            for i in 0..<steps {
                let frac = Double(i) / Double(steps - 1)
                values.append(lo + Int((span * frac).rounded()))
            }
            return (name, control, values)
        }
        var values: [Int?] = []
        for part in rhs.split(separator: ",", omittingEmptySubsequences: false) { values.append(try bytes(String(part))) }
        guard !values.isEmpty, values.count <= 1000 else { throw TraceError(line: nil, "--vary: give 1 to 1000 values") }
        return (name, control, values)
    }

    /// `NAME.CONTROL`.
    public static func parseTarget(_ text: String) throws(TraceError) -> (String, Control) {
        guard let dot = text.lastIndex(of: ".") else { throw TraceError(line: nil, "expected NAME.CONTROL (such as web.max), not \"\(text)\"") }
        let name = String(text[..<dot]), cname = String(text[text.index(after: dot)...])
        guard MemcgEngine.isValidName(name) else { throw TraceError(line: nil, "invalid container name \"\(name)\"") }
        guard let c = Control(name: cname) else {
            throw TraceError(line: nil, "unknown control \"\(cname)\" (known: max, high, low, min, swap_max)")
        }
        return (name, c)
    }

    /// `NAME.CONTROL=VALUE` of `--set`.
    public static func parseSet(_ text: String) throws(TraceError) -> Override {
        guard let eq = text.firstIndex(of: "=") else { throw TraceError(line: nil, "--set wants NAME.CONTROL=VALUE, not \"\(text)\"") }
        let (name, c) = try parseTarget(String(text[..<eq]))
        return Override(container: name, control: c, bytes: try bytes(String(text[text.index(after: eq)...])))
    }

    static func bytes(_ s: String) throws(TraceError) -> Int? {
        do { return try LimitParser.parse(s, pageSize: 1) } catch { throw TraceError(line: nil, error.detail) }
    }

    /// Replays the trace once per value, `jobs` at a time.
    public static func sweep(_ trace: Trace, base: ReplayConfig, container: String, control: Control, values: [Int?],
                             jobs: Int) -> [Result<RunSummary, TraceError>] {
        let box = ResultBox(count: values.count)
        let workers = max(1, min(jobs, values.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = box.claim() {
                var cfg = base
                cfg.overrides.removeAll { $0.container == container && $0.control == control }
                cfg.overrides.append(Override(container: container, control: control, bytes: values[i]))
                let r: Result<RunSummary, TraceError>
                do throws(TraceError) { r = .success(try Driver(trace: trace, config: cfg).run()) } catch { r = .failure(error) }
                box.store(i, r)
            }
        }
        return box.results()
    }

    /// Bisects for the smallest value (a multiple of `step` bytes) with no
    /// OOM kill, testing `jobs` points per round. Returns the value (nil when
    /// even no limit kills) and the number of replays.
    public static func findMin(_ trace: Trace, base: ReplayConfig, container: String, step: Int, jobs: Int) throws(TraceError) -> (value: Int?, replays: Int, unlimited: RunSummary) {
        var replays = 0
        let top = sweep(trace, base: base, container: container, control: .max, values: [nil], jobs: 1)[0]
        replays += 1
        let unlimited = try top.get()
        guard unlimited.kills.isEmpty else { return (nil, replays, unlimited) }
        let peak = unlimited.container(container)?.peakUsage ?? 0
        var hi = (peak + step - 1) / step   // in steps: known good
        var lo = 0                           // known bad (0 bytes cannot run anything that charges)
        if hi == 0 { return (0, replays, unlimited) }
        while hi - lo > 1 {
            let k = max(1, min(jobs, hi - lo - 1))
            let points = (1...k).map { lo + (hi - lo) * $0 / (k + 1) }.filter { $0 > lo && $0 < hi }
            let uniq = Array(Set(points)).sorted()
            let res = sweep(trace, base: base, container: container, control: .max, values: uniq.map { $0 * step }, jobs: jobs)
            replays += uniq.count
            var newLo = lo, newHi = hi
            for (p, r) in zip(uniq, res) {
                let ok = try r.get().kills.isEmpty
                if ok { newHi = min(newHi, p) } else { newLo = max(newLo, p) }
            }
            // Monotone: keep the largest bad below the smallest good.
            lo = newLo < newHi ? newLo : lo
            hi = newHi
            if lo >= hi { lo = hi - 1 }
        }
        return (hi * step, replays, unlimited)
    }
}

/// Work queue and result slots for the sweep threads (`@unchecked
/// Sendable`: `next` and `slots` are touched only under `lock`).
final class ResultBox: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var next = 0
    private var slots: [Result<RunSummary, TraceError>?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
        pthread_mutex_init(&lock, nil)
    }
    deinit { pthread_mutex_destroy(&lock) }

    func claim() -> Int? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ i: Int, _ r: Result<RunSummary, TraceError>) {
        pthread_mutex_lock(&lock)
        slots[i] = r
        pthread_mutex_unlock(&lock)
    }

    func results() -> [Result<RunSummary, TraceError>] { slots.map { $0! } }
}

extension WhatIf {
    static let columns = ["value", "oom_kills", "peak_usage", "refaults", "evictions", "failcnt", "high_events"]

    /// The what-if table, one row per value.
    public static func table(container: String, values: [Int?], results: [RunSummary], human: Bool = true) -> [[String]] {
        var rows = [columns]
        for (v, s) in zip(values, results) {
            let c = s.container(container)
            let b: (Int) -> String = { human ? humanBytes($0) : String($0) }
            rows.append([v.map(b) ?? "max", "\(s.kills.count)", b(c?.peakUsage ?? 0), "\(s.refaults)",
                         "\(s.evictions)", "\(c?.failcnt ?? 0)", "\(c?.highEvents ?? 0)"])
        }
        return rows
    }

    public static func json(container: String, control: Control, values: [Int?], results: [RunSummary]) -> String {
        let rows = zip(values, results).map { v, s in
            let c = s.container(container)
            return JSONText.object([("value_bytes", JSONText.opt(v)), ("oom_kills", "\(s.kills.count)"),
                                    ("peak_usage_bytes", "\(c?.peakUsage ?? 0)"), ("refaults", "\(s.refaults)"),
                                    ("evictions", "\(s.evictions)"), ("failcnt", "\(c?.failcnt ?? 0)"), ("high_events", "\(c?.highEvents ?? 0)")])
        }
        return JSONText.object([("container", JSONText.quote(container)), ("control", JSONText.quote(control.name)),
                                ("rows", "[" + rows.joined(separator: ",") + "]")])
    }
}
