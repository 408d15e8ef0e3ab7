// Engine benchmarks (release build: `make bench` or
// `swift build -c release --product MemcgBench && .build/release/MemcgBench`).
// Single-threaded, on a simulated 16 GiB machine of 4 KiB pages.
import MemcgEngine
#if canImport(Glibc)
import Glibc
#endif

func rss() -> Int {
    let fd = open("/proc/self/statm", O_RDONLY)
    defer { close(fd) }
    var buf = [UInt8](repeating: 0, count: 128)
    let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 127) }
    let f = String(decoding: buf[0..<max(0, n)], as: UTF8.self).split(separator: " ")
    return (Int(f[1]) ?? 0) * 4096
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func rate(_ events: Int, _ d: Duration) -> String {
    String(format1(Double(events) / seconds(d) / 1e6)) + " M events/s"
}

func format1(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return String(r)
}

let clock = ContinuousClock()
let swapBytes = getenv("MEMCG_BENCH_SWAP").map { Int(String(cString: $0))! } ?? (2 << 30)
let sixteen = try Machine(pageSize: 4096, memoryBytes: 16 << 30, swapBytes: swapBytes)

// Bytes of engine memory per tracked frame: 1M frames charged and mapped once.
do {
    let e = try MemcgEngine(machine: sixteen)
    try e.apply(.createProcess(pid: 1, container: "root"))
    let before = rss()
    let n = 1 << 20
    try e.apply(.events([PageEvent(op: .anonFault, pid: 1, pages: .range(first: 0, count: n))], listEvicted: false))
    let after = rss()
    let perFrame = Double(after - before) / Double(n)
    print("memory: \(format1(perFrame)) bytes per charged and mapped frame (RSS +\((after - before) >> 10) KiB for \(n) frames)")
    withExtendedLifetime(e) {}
}

// Startup: a 16 GiB machine is built without touching its frames.
var startups: [Duration] = []
for _ in 0..<5 {
    let t = try clock.measure { _ = try MemcgEngine(machine: sixteen) }
    startups.append(t)
}
print("startup, 16 GiB machine (4,194,304 frames): best \(format1(seconds(startups.min()!) * 1e6)) µs of 5")

// (a) charge/uncharge with no limit pressure.
let only = getenv("MEMCG_BENCH_ONLY").map { String(cString: $0) }
if only == nil || only == "a" {
    let e = try MemcgEngine(machine: sixteen)
    try e.apply(.createContainer(name: "a", parent: nil, limits: .max(nil), chargeType: .all))
    try e.apply(.createProcess(pid: 1, container: "a"))
    let n = 1 << 20
    let charge = Command.events([PageEvent(op: .anonFault, pid: 1, pages: .range(first: 0, count: n))], listEvicted: false)
    let uncharge = Command.events([PageEvent(op: .unmap, pid: 1, pages: .range(first: 0, count: n))], listEvicted: false)
    var events = 0
    let t = try clock.measure {
        for _ in 0..<8 {
            try e.apply(charge)
            try e.apply(uncharge)
            events += 2 * n
        }
    }
    print("(a) charge/uncharge, no pressure, ranges of 1M pages: \(rate(events, t)) (\(events) events in \(format1(seconds(t) * 1000)) ms)")

    // The same as lists of single-page events (batches of 10,000 objects).
    let batch = 10_000
    var charges: [Command] = [], unmaps: [Command] = []
    for b in stride(from: 0, to: n, by: batch) {
        charges.append(.events((b..<(b + batch)).map { PageEvent(.anonFault, pid: 1, page: $0) }, listEvicted: false))
        unmaps.append(.events((b..<(b + batch)).map { PageEvent(.unmap, pid: 1, page: $0) }, listEvicted: false))
    }
    var single = 0
    let t2 = try clock.measure {
        for _ in 0..<4 {
            for c in charges { try e.apply(c) }
            for c in unmaps { try e.apply(c) }
            single += 2 * charges.count * batch
        }
    }
    print("(a) charge/uncharge, no pressure, one event object per page: \(rate(single, t2))")
}

// (b) A mixed trace with limits that force steady reclaim and occasional OOM.
if only == nil || only == "b" {
    let e = try MemcgEngine(machine: sixteen)
    let containers = 8
    for c in 0..<containers {
        try e.apply(.createContainer(name: "c\(c)", parent: nil, limits: .max(65_536), chargeType: .all))
        for p in 0..<4 { try e.apply(.createProcess(pid: 1 + c * 10 + p, container: "c\(c)")) }
    }
    var rng = UInt64(0x9E37_79B9_7F4A_7C15)
    func next() -> Int {
        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
        return Int(truncatingIfNeeded: rng >> 1)
    }
    // Each container works in its own region of 128Ki pages, twice its limit.
    var trace: [Command] = []
    var events = 0
    // Processes come and go: now and then one exits (its anonymous pages
    // and swap slots go with it) and a new one takes its place.
    var pids = (0..<containers).map { c in (0..<4).map { 1 + c * 10 + $0 } }
    var nextPid = 1000
    for _ in 0..<20_000 {
        let c = next() % containers
        if next() % 100 < 3 {
            let k = next() % 4
            trace.append(.exitProcess(pid: pids[c][k]))
            nextPid += 1
            pids[c][k] = nextPid
            trace.append(.createProcess(pid: nextPid, container: "c\(c)"))
        }
        var pid = pids[c][next() % 4]
        if next() % 1000 < 2 {
            // A runaway driver: more unevictable pages than the limit; the
            // container OOM killer has to step in.
            trace.append(.events([PageEvent(op: .insertPage, pid: pid, pages: .range(first: c * (1 << 19) + (1 << 18), count: 70_000))],
                                 listEvicted: false))
            events += 70_000
        }
        let base = c * (1 << 19)
        var batch: [PageEvent] = []
        for _ in 0..<16 {
            let page = base + next() % ((1 << 17) - 64)
            let roll = next() % 100
            let n = 64
            let ev: PageEvent
            switch roll {
            case 0..<40: ev = PageEvent(op: .pagecacheAdd, pid: pid, pages: .range(first: page, count: n))
            case 40..<55: ev = PageEvent(op: .fileFault, pid: pid, pages: .range(first: page, count: n))
            case 55..<70: ev = PageEvent(op: .anonFault, pid: pid, pages: .range(first: page, count: n))
            case 70..<80: ev = PageEvent(op: .unmap, pid: pid, pages: .range(first: page, count: n))
            case 80..<88: ev = PageEvent(op: .access, pages: .range(first: page, count: n))
            case 88..<94: ev = PageEvent(op: .pagecacheRemove, pages: .range(first: page, count: n))
            case 94..<99: ev = PageEvent(op: .free, pages: .range(first: page, count: n))
            default:
                // An anonymous burst with pins: nothing can be reclaimed, the container OOMs.
                ev = PageEvent(op: .insertPage, pid: pid, pages: .range(first: page, count: n))
                pid = -1
            }
            batch.append(ev)
            events += n
            if pid < 0 { break }
        }
        trace.append(.events(batch, listEvicted: false))
    }
    var applied = 0, failed = 0, evicted = 0, kills = 0
    let t = try clock.measure {
        for cmd in trace {
            guard let out = try? e.apply(cmd) else { continue }  // exits of OOM-killed pids
            applied += out.applied
            failed += out.failed
            evicted += out.evictedCount
            kills += out.oomKills.count
            // Keep 4 processes per container: replace the killed ones.
            for k in out.oomKills { _ = try? e.apply(.createProcess(pid: k.pid, container: k.container)) }
        }
    }
    print("(b) mixed trace, 8 containers at a 256 MiB limit, 2 GiB swap: \(rate(applied + failed, t))"
          + " (\(applied + failed) events: \(failed) failed, \(evicted) evicted, \(kills) OOM kills)")
    if getenv("MEMCG_BENCH_DEBUG") != nil {
        for op in PageOp.allCases { print(op.name, e.view.engineSnapshot.counters.events[op.rawValue]) }
    }
}


if only == nil || only == "route" {
    try routeBenchmark()
}

if only == nil || only == "scrape" {
    try scrapeBenchmarks()
}

func usleepMillis(_ ms: Int) { usleep(UInt32(ms * 1000)) }
