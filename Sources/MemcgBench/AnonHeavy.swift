import MemcgEngine
#if canImport(Glibc)
import Glibc
#endif

/// A container at its limit whose memory is mostly anonymous, on a machine
/// without swap (issue 10): the anon pages stay, while a stream of page-
/// cache reads of fresh pages makes every charge past the limit reclaim.
/// Anon share 50%, 90%, 99% and 99.9%; limits of 100k and 1M pages; both
/// `lru` settings. Each case runs ranges of 10,000 page events for
/// at least `seconds` after one warm-up batch and prints events/s and its
/// ratio to the 50% case of the same limit and setting.
func anonHeavyBenchmarks(seconds minimum: Double = 1.0) throws {
    let percents: [(label: String, fileEvery: Int)] = [("50%", 2), ("90%", 10), ("99%", 100), ("99.9%", 1000)]
    // MEMCG_BENCH_LIMIT=100000 (or 1000000) runs one limit only.
    let limits = getenv("MEMCG_BENCH_LIMIT").flatMap { Int(String(cString: $0)) }.map { [$0] } ?? [100_000, 1_000_000]
    for limit in limits {
        // MEMCG_BENCH_LRU=split (or seed) runs one setting only.
        let modes = getenv("MEMCG_BENCH_LRU").flatMap { LRUMode(rawValue: String(cString: $0)) }.map { [$0] } ?? [.split, .seed]
        for lru in modes {
            var base = 0.0
            for (label, fileEvery) in percents {
                let r = try anonHeavy(limit: limit, fileEvery: fileEvery, lru: lru, minimum: minimum)
                if fileEvery == 2 { base = r }
                let ns = 1e9 / r
                print("anon-heavy \(label) anon, limit \(limit) pages, no swap, lru \(lru.rawValue): "
                      + "\(format1(r / 1e6)) M events/s (\(format1(ns)) ns/event), \(format1(base / r))x the 50% case's time")
            }
        }
    }
}

/// Events per second of one case.
func anonHeavy(limit: Int, fileEvery: Int, lru: LRUMode, minimum: Double) throws -> Double {
    let machine = try Machine(pageSize: 4096, memoryBytes: 16 << 30, swapBytes: 0, cgroup: .v2, lru: lru)
    let e = try MemcgEngine(machine: machine)
    try e.apply(.createContainer(name: "jvm", parent: nil, limits: .max(limit)))
    try e.apply(.createProcess(pid: 1, container: "jvm"))
    // Fill to the limit: page i is a page-cache page when i % fileEvery == 0, else anonymous.
    var fill: [PageEvent] = []
    fill.reserveCapacity(limit)
    for i in 0..<limit {
        fill.append(i % fileEvery == 0 ? PageEvent(.fileFault, pid: 1, page: i) : PageEvent(.anonFault, pid: 1, page: i))
    }
    try e.apply(.events(fill, listEvicted: false))
    fill = []
    // Then page-cache reads of fresh pages from a ring of 2 * limit frames
    // above the filled ones: at most limit / fileEvery of them are cached at
    // once, the oldest go first, so a page is long evicted when it comes round.
    // Each command is one range of 10,000 pages (the ring is a multiple of it).
    let ring = 2 * limit, batch = 10_000
    var next = 0
    func makeBatch() -> Command {
        defer { next = next + batch == ring ? 0 : next + batch }
        return .events([PageEvent(op: .pagecacheAdd, pid: 1, pages: .range(first: limit + next, count: batch))], listEvicted: false)
    }
    try e.apply(makeBatch())  // warm-up
    var batches: [Command] = (0..<8).map { _ in makeBatch() }
    var done = 0
    var elapsed = 0.0
    while elapsed < minimum {
        let cmd = batches.removeFirst()
        let t = clock.measure { _ = try? e.apply(cmd) }
        elapsed += seconds(t)
        done += batch
        batches.append(makeBatch())
    }
    // Still at its limit (a round frees 32 pages), nobody killed, and the anon pages all there.
    let s = try e.view.container(named: "jvm")
    precondition(s.usage > limit - 32 && s.usage <= limit, "the container left its limit: \(s.usage)")
    precondition(s.local.eventsOOMKill == 0 && s.local.rss == limit - (limit + fileEvery - 1) / fileEvery, "anon pages lost")
    return Double(done) / elapsed
}
