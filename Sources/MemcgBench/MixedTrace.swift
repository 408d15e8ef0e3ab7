import MemcgEngine
#if canImport(Glibc)
import Glibc
#endif

/// A mixed trace over 8 containers (set up by `setup`) with steady reclaim
/// and occasional OOM: page cache, faults, unmaps, accesses, frees,
/// process churn and runaway drivers.
func mixedTrace(label: String, setup: (MemcgEngine, [String]) throws -> Void) throws {
    let e = try MemcgEngine(machine: sixteen)
    let containers = 8
    try setup(e, (0..<containers).map { "c\($0)" })
    for c in 0..<containers {
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
    print("\(label): \(rate(applied + failed, t))"
          + " (\(applied + failed) events: \(failed) failed, \(evicted) evicted, \(kills) OOM kills)")
    let s = e.view.allContainers().reduce(StatValues()) { var t = $0; t.eventsHigh += $1.local.eventsHigh; t.eventsLow += $1.local.eventsLow; return t }
    if s.eventsHigh + s.eventsLow > 0 { print("    high events \(s.eventsHigh), low events \(s.eventsLow)") }
    if getenv("MEMCG_BENCH_DEBUG") != nil {
        for op in PageOp.allCases { print(op.name, e.view.engineSnapshot.counters.events[op.rawValue]) }
    }
}


