import Testing
@testable import MemcgEngine

/// SplitMix64: a tiny seeded generator so traces are reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds random commands over a small machine with a few containers.
struct TraceGenerator {
    var rng: SeededRandom
    let frames: Int
    let names = ["a", "b", "c", "d"]
    var nextPid = 10

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }

    mutating func command(livePids: [Int], leafExists: Bool) -> Command {
        let roll = Int.random(in: 0..<1000, using: &rng)
        if roll < 4 || livePids.count < 2 {
            nextPid += 1
            return .createProcess(pid: nextPid, container: pick(names + ["root"]))
        }
        if roll < 8 { nextPid += 1; return .fork(pid: nextPid, parentPid: pick(livePids)) }
        if roll < 12 { return .exitProcess(pid: pick(livePids)) }
        if roll < 16 { return .moveProcess(pid: pick(livePids), container: pick(names)) }
        if roll < 19 { return .setLimit(name: pick(names), limitPages: pick([nil, 8, 16, 24, 40, 64, 3, 0])) }
        if roll < 20 { return .forceEmpty(name: pick(names)) }
        if roll < 21 { return .resetStats(name: pick(names), maxUsage: true, failcnt: true) }
        if roll < 23 {
            return leafExists ? .deleteContainer(name: "e")
                : .createContainer(name: "e", parent: pick(["a", "b", "root"]), limitPages: pick([nil, 6]), chargeType: .all)
        }
        let op = pick(PageOp.allCases + [.anonFault, .anonFault, .fileFault, .pagecacheAdd, .pagecacheAdd, .cow, .swapin,
                                         .access, .mlock, .unmap, .unmap, .pagecacheRemove, .free])
        let page = Int.random(in: 0..<(frames + 2), using: &rng)
        var pid: Int? = op.needsPid || Bool.random(using: &rng) ? pick(livePids + [9999]) : nil
        if pid == 9999 && Int.random(in: 0..<10, using: &rng) > 0 { pid = livePids.first }
        let old: Int? = op.needsOldPage || (op.allowsOldPage && Bool.random(using: &rng))
            ? Int.random(in: 0..<frames, using: &rng) : nil
        let shmem = op == .pagecacheAdd && Int.random(in: 0..<4, using: &rng) == 0
        if Int.random(in: 0..<10, using: &rng) == 0 {
            let count = Int.random(in: 0..<6, using: &rng)
            return .events([PageEvent(op: op, pid: pid, pages: .range(first: page, count: count),
                                      oldPages: old.map { .range(first: $0, count: count) }, shmem: shmem)], listEvicted: true)
        }
        return .events([PageEvent(op, pid: pid, page: page, oldPage: old, shmem: shmem)], listEvicted: true)
    }
}

@Suite struct DifferentialTests {
    /// Random traces of 100,000 commands agree with the reference model after every step.
    @Test(arguments: [UInt64(1), 2, 3, 20_071_105])
    func engineMatchesReferenceModel(seed: UInt64) throws {
        let frames = 96, swap = 24
        let engine = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: frames * 4096, swapBytes: swap * 4096))
        let ref = ReferenceModel(frames: frames, swapSlots: swap)
        let setup: [Command] = [
            .createContainer(name: "a", parent: nil, limitPages: 40, chargeType: .all),
            .createContainer(name: "b", parent: "a", limitPages: 20, chargeType: .all),
            .createContainer(name: "c", parent: nil, limitPages: 30, chargeType: seed % 2 == 0 ? .mapped : .all),
            .createContainer(name: "d", parent: nil, limitPages: nil, chargeType: .all),
        ]
        for c in setup {
            try engine.apply(c)
            _ = ref.apply(c)
        }
        var gen = TraceGenerator(rng: SeededRandom(seed: seed), frames: frames)
        for step in 0..<100_000 {
            let cmd = gen.command(livePids: ref.procs.keys.sorted(), leafExists: ref.containers["e"] != nil)
            ref.evicted = []
            ref.kills = []
            ref.results = []
            let expected = ref.apply(cmd)
            let got: Result<Outcome, EngineError>
            do { got = .success(try engine.apply(cmd)) } catch { got = .failure(error) }
            let context = "seed \(seed) step \(step) command \(cmd)"
            switch (expected, got) {
            case (.success, .success(let out)):
                if case .events = cmd {
                    let codes = ref.results.filter { $0.0.rawValue >= EventResult.ENOMEM.rawValue }
                    let pages = out.failures.flatMap { f in Array(repeating: f, count: f.count) }
                    #expect(pages.map(\.result) == codes.map { $0.0 }, "\(context)")
                    #expect(pages.map(\.container) == codes.map { $0.1 }, "\(context)")
                    #expect(out.applied == ref.results.count - codes.count, "\(context)")
                }
                #expect(out.evicted == ref.evicted, "\(context)")
                #expect(out.oomKills == ref.kills, "\(context)")
            case (.failure(let e), .failure(let g)):
                #expect(e == g.code, "\(context)")
            default:
                Issue.record("\(context): reference \(expected), engine \(got)")
            }
            try compare(engine, ref, context)
            guard engine.brokenInvariants.isEmpty else {
                Issue.record("\(context): \(engine.brokenInvariants.joined(separator: "; "))")
                return
            }
        }
        #expect(engine.view.engineSnapshot.counters.charges > 5_000)
        #expect(engine.view.engineSnapshot.counters.evictions > 100)
        #expect(engine.view.engineSnapshot.counters.oomKills > 10)
    }

    func compare(_ engine: MemcgEngine, _ ref: ReferenceModel, _ context: String) throws {
        for (name, rc) in ref.containers {
            let s = try engine.view.container(named: name)
            guard s.usage == rc.usage, s.failcnt == rc.failcnt, s.maxUsage == rc.watermark,
                  s.limit == (rc.limit == Int.max ? nil : rc.limit) else {
                Issue.record("\(context): counter of \(name): engine \(s.usage)/\(s.failcnt)/\(s.maxUsage) reference \(rc.usage)/\(rc.failcnt)/\(rc.watermark)")
                throw Stop()
            }
            let lists = try engine.view.lruLists(of: name)
            guard lists.active == rc.active, lists.inactive == rc.inactive, lists.unevictable == rc.unevictable else {
                Issue.record("\(context): lists of \(name): engine \(lists) reference \(rc.active) \(rc.inactive) \(rc.unevictable)")
                throw Stop()
            }
            let l = s.local
            let ok = l.pgpgin == rc.pgpgin && l.pgpgout == rc.pgpgout && l.pgfault == rc.pgfault && l.pgsteal == rc.pgsteal
                && l.eventsMax == rc.evMax && l.eventsOOM == rc.evOOM && l.eventsOOMKill == rc.evKill
                && l.swap == ref.slots.filter({ $0.slot.owner == name }).count
            if !ok {
                Issue.record("\(context): stats of \(name): engine \(l)")
                throw Stop()
            }
        }
        for p in 0..<ref.frames {
            let pg = ref.pages[p]
            let refs = engine.view.references(ofPage: p)
            guard engine.view.owner(ofPage: p) == pg?.owner, refs.pageCache == (pg?.cache ?? false),
                  refs.swapCache == (pg?.swapCache ?? false), refs.mappings == (pg?.maps.reduce(0) { $0 + $1.count } ?? 0),
                  engine.view.isReferenced(p) == (pg?.referenced ?? false) else {
                Issue.record("\(context): page \(p): engine \(String(describing: engine.view.owner(ofPage: p))) \(refs) reference \(String(describing: pg))")
                throw Stop()
            }
            for m in pg?.maps ?? [] where engine.view.mappings(ofPage: p, pid: m.pid) != m.count {
                Issue.record("\(context): page \(p) mappings of pid \(m.pid)")
                throw Stop()
            }
        }
        #expect(engine.view.engineSnapshot.processes == ref.procs.count, "\(context)")
    }

    struct Stop: Error {}
}
