import MemcgEngine
import MemcgHTTP
#if canImport(Glibc)
import Glibc
#endif

/// The cases of issue 11, where real traces spend their time: scattered
/// page numbers, single-page events over many containers, anonymous pages
/// going to swap, a deep hierarchy, fork and exit of shared pages, and the
/// two `POST /events` reader cases. Each prints M events/s (or ns per
/// mapping) measured over at least `minimum` seconds after a warm-up.
/// `MEMCG_BENCH_LRU=split|seed` runs one list setting (default: both);
/// `MEMCG_BENCH_CASE=scattered|containers|swap|depth|fork|post` (a comma
/// list) runs only those cases; `MEMCG_BENCH_SWAP_LIMITS=100000` picks the
/// swap case's limits. `MEMCG_BENCH_ONLY=fork` runs only the fork
/// rows (`forkBenchmarks`).
func speedBenchmarks(minimum: Double = 0.6) throws {
    let cases = getenv("MEMCG_BENCH_CASE").map { String(cString: $0).split(separator: ",").map(String.init) }
    func wanted(_ name: String) -> Bool { cases.map { $0.contains(name) } ?? true }
    let swapLimits = getenv("MEMCG_BENCH_SWAP_LIMITS").map { String(cString: $0).split(separator: ",").compactMap { Int($0) } } ?? [100_000, 1_000_000]
    let modes = getenv("MEMCG_BENCH_LRU").flatMap { LRUMode(rawValue: String(cString: $0)) }.map { [$0] } ?? [.split, .seed]
    for lru in modes {
        for frames in [1 << 20, 4 << 20] where wanted("scattered") {
            let r = try scatteredPages(frames: frames, lru: lru, minimum: minimum)
            print("speed: scattered pages lists, \(frames >> 20)M frames, lru \(lru.rawValue): \(format1(r / 1e6)) M events/s")
        }
        if wanted("containers") {
            let r = try manyContainers(10_000, lru: lru, minimum: minimum)
            print("speed: single-page events, 10,000 containers, lru \(lru.rawValue): \(format1(r / 1e6)) M events/s")
        }
        for limit in swapLimits where wanted("swap") {
            let r = try anonToSwap(limit: limit, lru: lru, minimum: minimum)
            print("speed: anon pages to swap, no exits, limit \(limit) pages, lru \(lru.rawValue): \(format1(r / 1e6)) M events/s")
        }
        for limited in [false, true] where wanted("depth") {
            let r = try deepHierarchy(depth: 32, limitOnTop: limited, lru: lru, minimum: minimum)
            print("speed: hierarchy depth 32, \(limited ? "limit on the top" : "no limit"), lru \(lru.rawValue): \(format1(r / 1e6)) M events/s")
        }
    }
    if wanted("fork") { try forkBenchmarks() }
    for objects in [true, false] where wanted("post") {
        let r = try postEvents(objects: objects, minimum: minimum)
        print("speed: POST /events (route table, parse + apply), \(objects ? "one object per page" : "pages lists"): \(format1(r / 1e6)) M events/s")
    }
}

/// Fork and exit do not touch the lists: one setting. `MEMCG_BENCH_FORK_PAGES`
/// sets the parent's pages, `MEMCG_BENCH_FORK_K=1,4,16` the children counts.
func forkBenchmarks() throws {
    let forkPages = getenv("MEMCG_BENCH_FORK_PAGES").map { Int(String(cString: $0))! } ?? 65_536
    let ks = getenv("MEMCG_BENCH_FORK_K").map { String(cString: $0).split(separator: ",").map { Int($0)! } } ?? [1, 4, 16, 64, 256]
    for k in ks {
        let ns = try forkExit(pages: forkPages, children: k)
        print("speed: fork of \(forkPages) pages to \(k) children, then exits: \(format1(ns)) ns per mapping")
    }
}

/// A fixed-seed permutation (SplitMix64 driving Fisher-Yates): the same
/// scattered order on every run.
func shuffled(_ n: Int, seed: UInt64) -> [Int] {
    var state = seed
    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    var a = Array(0..<n)
    for i in stride(from: n - 1, to: 0, by: -1) { a.swapAt(i, Int(next() % UInt64(i + 1))) }
    return a
}

/// Runs `step` (which returns the events it applied) until `minimum`
/// seconds have gone, after one warm-up call; returns events per second.
func measureRate(minimum: Double, _ step: () throws -> Int) rethrows -> Double {
    _ = try step()
    var events = 0
    var elapsed = 0.0
    while elapsed < minimum {
        var n = 0
        let t = try clock.measure { n = try step() }
        elapsed += seconds(t)
        events += n
    }
    return Double(events) / elapsed
}

/// Every frame of the machine charged by `anon_fault` and uncharged by
/// `unmap` in `pages` lists of 20,000 in random order.
func scatteredPages(frames: Int, lru: LRUMode, minimum: Double) throws -> Double {
    let e = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: frames * 4096, swapBytes: 0, lru: lru))
    try e.apply(.createContainer(name: "a", parent: nil, limits: .max(nil)))
    try e.apply(.createProcess(pid: 1, container: "a"))
    let order = shuffled(frames, seed: 11)
    let per = 20_000
    let lists = stride(from: 0, to: frames, by: per).map { Array(order[$0..<min(frames, $0 + per)]) }
    let charge = lists.map { Command.events([PageEvent(op: .anonFault, pid: 1, pages: .list($0))], listEvicted: false) }
    let unmap = lists.map { Command.events([PageEvent(op: .unmap, pid: 1, pages: .list($0))], listEvicted: false) }
    return try measureRate(minimum: minimum) {
        for c in charge { try e.apply(c) }
        for c in unmap { try e.apply(c) }
        let usage = try e.view.container(named: "a").usage
        precondition(usage == 0, "pages left charged")
        return 2 * frames
    }
}

/// `count` containers with one process each; single-page event objects
/// (batches of 10,000) charge page i to process i % count, then unmap them.
func manyContainers(_ count: Int, lru: LRUMode, minimum: Double) throws -> Double {
    let e = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: 16 << 30, swapBytes: 0, lru: lru))
    for i in 0..<count {
        try e.apply(.createContainer(name: "c\(i)", parent: nil, limits: .max(nil)))
        try e.apply(.createProcess(pid: i + 1, container: "c\(i)"))
    }
    let n = 1 << 20, batch = 10_000
    var charges: [Command] = [], unmaps: [Command] = []
    for b in stride(from: 0, to: n, by: batch) {
        let r = b..<min(n, b + batch)
        charges.append(.events(r.map { PageEvent(.anonFault, pid: $0 % count + 1, page: $0) }, listEvicted: false))
        unmaps.append(.events(r.map { PageEvent(.unmap, pid: $0 % count + 1, page: $0) }, listEvicted: false))
    }
    return try measureRate(minimum: minimum) {
        for c in charges { try e.apply(c) }
        for c in unmaps { try e.apply(c) }
        return 2 * n
    }
}

/// A container at its limit faulting fresh anonymous pages (ranges of
/// 10,000 over a ring of all 4M frames): every fault past the limit swaps
/// one page out. Nobody exits, so the slots accumulate (16M of them; the
/// case stops before they run out).
func anonToSwap(limit: Int, lru: LRUMode, minimum: Double) throws -> Double {
    let frames = 4 << 20
    let e = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: frames * 4096, swapBytes: 64 << 30, lru: lru))
    try e.apply(.createContainer(name: "a", parent: nil, limits: .max(limit)))
    try e.apply(.createProcess(pid: 1, container: "a"))
    // Fill to the limit, then measure.
    var next = 0
    let batch = 10_000
    for _ in 0..<(limit / batch) {
        try e.apply(.events([PageEvent(op: .anonFault, pid: 1, pages: .range(first: next, count: batch))], listEvicted: false))
        next += batch
    }
    let slots = (64 << 30) / 4096
    let rate = try measureRate(minimum: minimum) {
        precondition(next + batch <= limit + slots - 2 * batch, "out of swap slots")
        try e.apply(.events([PageEvent(op: .anonFault, pid: 1, pages: .range(first: next % frames, count: batch))], listEvicted: false))
        next += batch
        return batch
    }
    let s = try e.view.container(named: "a")
    precondition(s.usage <= limit && s.local.eventsOOMKill == 0 && s.local.swap > 0, "the case did not swap")
    return rate
}

/// A chain of `depth` containers with the process in the deepest: ranges
/// of 2^18 pages charged and unmapped. With `limitOnTop`, the top has a
/// limit of 2^20 pages (never reached: the cost of checking it).
func deepHierarchy(depth: Int, limitOnTop: Bool, lru: LRUMode, minimum: Double) throws -> Double {
    let e = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: 16 << 30, swapBytes: 0, lru: lru))
    var parent: String? = nil
    for i in 0..<depth {
        let name = "l\(i)"
        try e.apply(.createContainer(name: name, parent: parent, limits: .max(limitOnTop && i == 0 ? 1 << 20 : nil)))
        parent = name
    }
    try e.apply(.createProcess(pid: 1, container: parent!))
    let n = 1 << 18
    let charge = Command.events([PageEvent(op: .anonFault, pid: 1, pages: .range(first: 0, count: n))], listEvicted: false)
    let unmap = Command.events([PageEvent(op: .unmap, pid: 1, pages: .range(first: 0, count: n))], listEvicted: false)
    return try measureRate(minimum: minimum) {
        try e.apply(charge)
        try e.apply(unmap)
        return 2 * n
    }
}

/// A parent maps `pages` pages; `children` forks, then the children exit
/// in fork order. Returns ns per child mapping (made and removed).
func forkExit(pages: Int, children: Int) throws -> Double {
    let e = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: 16 << 30, swapBytes: 0))
    try e.apply(.createContainer(name: "a", parent: nil, limits: .max(nil)))
    try e.apply(.createProcess(pid: 1, container: "a"))
    try e.apply(.events([PageEvent(op: .anonFault, pid: 1, pages: .range(first: 0, count: pages))], listEvicted: false))
    // Best of at least 3 rounds and 0.5 s: one round at small K is a few
    // milliseconds, where one page-fault burst or preemption shows.
    var best = Double.infinity
    var spent = 0.0, rounds = 0
    while rounds < 3 || spent < 0.5 {
        rounds += 1
        let t = try clock.measure {
            for k in 0..<children { try e.apply(.fork(pid: 2 + k, parentPid: 1)) }
            for k in 0..<children { try e.apply(.exitProcess(pid: 2 + k)) }
        }
        spent += seconds(t)
        best = min(best, seconds(t) * 1e9 / Double(pages * children))
    }
    let usage = try e.view.container(named: "a").usage
    precondition(usage == pages, "the parent's pages changed")
    return best
}

/// `POST /events` through the route table (the HTTP event reader, then
/// the engine): bodies of 10,000 single-page objects, or of `pages` lists
/// of 20,000, each charging fresh pages and a second body unmapping them.
func postEvents(objects: Bool, minimum: Double) throws -> Double {
    let app = try App(config: AppConfig(machine: try Machine(pageSize: 4096, memoryBytes: 16 << 30)))
    _ = app.handle(HTTPRequest(method: "POST", path: "/containers", body: Array(#"{"name":"web"}"#.utf8)))
    _ = app.handle(HTTPRequest(method: "POST", path: "/processes", body: Array(#"{"pid":1,"container":"web"}"#.utf8)))
    let per = objects ? 10_000 : 20_000
    let rounds = 8
    var bodies: [[UInt8]] = []
    for b in 0..<rounds {
        let pages = (b * per)..<((b + 1) * per)
        for op in ["anon_fault", "unmap"] {
            let json: String
            if objects {
                json = "{\"events\":[" + pages.map { "{\"op\":\"\(op)\",\"pid\":1,\"page\":\($0)}" }.joined(separator: ",") + "]}"
            } else {
                json = "{\"events\":[{\"op\":\"\(op)\",\"pid\":1,\"pages\":[" + pages.map(String.init).joined(separator: ",") + "]}]}"
            }
            bodies.append(Array(json.utf8))
        }
    }
    return measureRate(minimum: minimum) {
        for body in bodies {
            let (r, _) = app.handle(HTTPRequest(method: "POST", path: "/events", body: body))
            precondition(r.status == 200, "POST /events: \(r.status) \(String(decoding: r.body, as: UTF8.self).prefix(200))")
        }
        return rounds * per * 2
    }
}
