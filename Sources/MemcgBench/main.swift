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
// MEMCG_BENCH_LRU=seed runs (a) to (c) on the seed's lists (default: split, v2's default).
let benchLRU = getenv("MEMCG_BENCH_LRU").flatMap { LRUMode(rawValue: String(cString: $0)) }
let sixteen = try Machine(pageSize: 4096, memoryBytes: 16 << 30, swapBytes: swapBytes, lru: benchLRU)

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
    try mixedTrace(label: "(b) mixed trace, 8 containers at a 256 MiB limit, 2 GiB swap") { e, names in
        for n in names { try e.apply(.createContainer(name: n, parent: nil, limits: .max(65_536))) }
    }
}

// (c) The same trace under cgroup v2 controls: the containers share a
// parent whose max is below the sum of theirs, each runs with memory.high
// below its max, half are protected by memory.low and one by memory.min.
if only == nil || only == "c" {
    try mixedTrace(label: "(c) the same under high, low and min, parent max 1.5 GiB") { e, names in
        try e.apply(.createContainer(name: "pods", parent: nil, limits: .max(6 * 65_536)))
        for (i, n) in names.enumerated() {
            var v = ControlValues([(.max, 65_536), (.high, 57_344)])
            if i < 4 { v[.low] = 32_768 }
            if i == 4 { v[.min] = 16_384 }
            try e.apply(.createContainer(name: n, parent: "pods", limits: v))
        }
    }
}

// Anon-heavy containers without swap under both LRU settings (issue 10).
if only == nil || only == "lru" {
    try anonHeavyBenchmarks()
}

if only == nil || only == "route" {
    try routeBenchmark()
}

if only == nil || only == "scrape" {
    try scrapeBenchmarks()
}

// Issue 11: scattered pages, many containers, swap-out, deep trees, fork/exit, the event reader.
if only == nil || only == "speed" {
    try speedBenchmarks()
}

if only == "fork" {
    try forkBenchmarks()
}

if only == nil || only == "durability" {
    try durabilityBenchmarks()
}

func usleepMillis(_ ms: Int) { usleep(UInt32(ms * 1000)) }
