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

/// Builds random commands over a small machine with a few containers:
/// single events, ranges and page lists, batches of several events,
/// `list_evicted` on and off, processes in every container (the leaf `e`
/// too), deletes of containers that still own pages.
struct TraceGenerator {
    var rng: SeededRandom
    let frames: Int
    let names = ["a", "b", "c", "d"]
    var nextPid = 10
    /// Whether to draw cgroup v2 commands (high, low, min, swap_max,
    /// oom_group, proactive reclaim) or v1 ones (move_charge).
    var v2 = true
    /// Ops the generator draws from, weighted toward charges and unmaps; its
    /// own classification, not the engine's.
    static let ops: [PageOp] = PageOp.allCases + [.anonFault, .anonFault, .fileFault, .pagecacheAdd, .pagecacheAdd, .cow,
                                                 .swapin, .access, .mlock, .unmap, .unmap, .pagecacheRemove, .free, .swapFree]
    static let needsPid: Set<PageOp> = [.anonFault, .cow, .fileFault, .swapin, .swapoff, .insertPage, .unmap, .mlock, .munlock, .swapFree]

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
    mutating func chance(_ n: Int) -> Bool { Int.random(in: 0..<n, using: &rng) == 0 }

    /// `procs`: pid to container of the live processes; `leafExists`: whether `e` exists.
    mutating func command(procs: [Int: String], leafExists: Bool) -> Command {
        let livePids = procs.keys.sorted()
        let all = names + ["root"] + (leafExists ? ["e"] : [])
        let roll = Int.random(in: 0..<1000, using: &rng)
        if roll < 4 || livePids.count < 2 {
            nextPid += 1
            return .createProcess(pid: nextPid, container: pick(all))
        }
        if roll < 8 { nextPid += 1; return .fork(pid: nextPid, parentPid: pick(livePids)) }
        if roll < 12 { return .exitProcess(pid: pick(livePids)) }
        if roll < 16 { return .moveProcess(pid: pick(livePids), container: pick(all)) }
        if roll < 19 { return .setLimit(name: pick(names), limitPages: pick([nil, 8, 16, 24, 40, 64, 3, 0])) }
        if roll < 20 { return .forceEmpty(name: pick(names)) }
        if roll < 21 { return .resetStats(name: pick(names), maxUsage: true, failcnt: true) }
        if roll < 26 {
            guard leafExists else {
                return .createContainer(name: "e", parent: pick(["a", "b", "root"]), limits: .max(pick([nil, 6, 12])), chargeType: .all)
            }
            // Empty `e` of processes first (mostly), then delete it with its pages.
            if let inE = livePids.first(where: { procs[$0] == "e" }), !chance(4) {
                return .moveProcess(pid: inE, container: pick(["a", "d", "root"]))
            }
            return .deleteContainer(name: "e")
        }
        if roll < 45 {
            // Controls under steady pressure: several at once, in any order given.
            var values = ControlValues()
            for c in Control.allCases where chance(3) {
                values[c] = switch c {
                case .max: pick([Int.max, 12, 24, 40, 64])
                case .high: pick([Int.max, 6, 10, 20, 30])
                case .low, .min: pick([0, 0, 4, 8, 16, Int.max])
                case .swapMax: pick([Int.max, 0, 4, 12])
                }
            }
            if !v2 && !chance(8) { values = ControlValues(values.given.filter { $0.0 == .max }) }
            return .setLimits(name: pick(names + (chance(20) ? ["root"] : [])), values)
        }
        if roll < 49 {
            return v2 || chance(10) ? .reclaim(name: pick(names + ["root"]), pages: Int.random(in: 0..<50, using: &rng))
                : .moveProcess(pid: pick(livePids), container: pick(all), moveCharge: Int.random(in: 1...3, using: &rng))
        }
        if roll < 51 { return .updateContainer(name: pick(names), chargeType: nil, oomGroup: v2 || chance(10) ? Bool.random(using: &rng) : nil) }
        let n = chance(4) ? Int.random(in: 2...4, using: &rng) : 1
        var events: [PageEvent] = []
        for _ in 0..<n { events.append(event(livePids)) }
        return .events(events, listEvicted: !chance(3))
    }

    mutating func event(_ livePids: [Int]) -> PageEvent {
        let op = pick(Self.ops)
        let page = Int.random(in: 0..<(frames + 2), using: &rng)
        var pid: Int? = Self.needsPid.contains(op) || Bool.random(using: &rng) ? pick(livePids + [9999]) : nil
        if pid == 9999 && !chance(10) { pid = livePids.first }
        let wantsOld = op == .cow || op == .migrate || ((op == .swapin || op == .swapoff) && Bool.random(using: &rng))
        let shmem = op == .pagecacheAdd && chance(4)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0:
            let count = Int.random(in: 0..<6, using: &rng)
            let old = wantsOld ? Int.random(in: 0..<frames, using: &rng) : nil
            return PageEvent(op: op, pid: pid, pages: .range(first: page, count: count),
                             oldPages: old.map { .range(first: $0, count: count) }, shmem: shmem)
        case 1:
            // A list, with repeats: the same process maps a page several times.
            let count = Int.random(in: 1..<6, using: &rng)
            let list = (0..<count).map { _ in chance(3) ? page : Int.random(in: 0..<(frames + 2), using: &rng) }
            let olds = wantsOld ? (0..<count).map { _ in Int.random(in: 0..<frames, using: &rng) } : nil
            return PageEvent(op: op, pid: pid, pages: .list(list), oldPages: olds.map { .list($0) }, shmem: shmem)
        default:
            let old = wantsOld ? Int.random(in: 0..<frames, using: &rng) : nil
            return PageEvent(op, pid: pid, page: page, oldPage: old, shmem: shmem)
        }
    }
}

@Suite struct DifferentialTests {
    /// The machines the differential test runs on: both interfaces with
    /// their default lists, each with the other's, and split at the ends
    /// of the swappiness range.
    static let machines: [(CgroupVersion, LRUMode, Int)] = [
        (.v1, .seed, 60), (.v2, .split, 60), (.v2, .seed, 60), (.v1, .split, 60), (.v2, .split, 0), (.v2, .split, 200),
    ]

    /// Random traces of 100,000 commands agree with the reference model after every step.
    @Test(arguments: [(CgroupVersion.v1, LRUMode.seed, 60), (.v2, .split, 60)], [UInt64(1), 2, 20_071_105])
    func engineMatchesReferenceModel(machine: (CgroupVersion, LRUMode, Int), seed: UInt64) throws {
        try runDifferential(machine: machine, seed: seed)
    }

    /// The other lists with each interface and split at swappiness 0 and 200, one seed each.
    @Test(arguments: machines.dropFirst(2))
    func engineMatchesReferenceModelOtherLists(machine: (CgroupVersion, LRUMode, Int)) throws {
        try runDifferential(machine: machine, seed: 7)
    }

    func runDifferential(machine: (CgroupVersion, LRUMode, Int), seed: UInt64) throws {
        let (cgroup, lru, swappiness) = machine
        let frames = 96, swap = 24
        let engine = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: frames * 4096, swapBytes: swap * 4096, cgroup: cgroup,
                                                          lru: lru, swappiness: swappiness))
        let ref = ReferenceModel(frames: frames, swapSlots: swap, v2: cgroup == .v2, split: lru == .split, swappiness: swappiness)
        let setup: [Command] = [
            .createContainer(name: "a", parent: nil, limits: .max(40), chargeType: .all),
            .createContainer(name: "b", parent: "a", limits: .max(20), chargeType: .all),
            .createContainer(name: "c", parent: nil, limits: .max(30), chargeType: seed % 2 == 0 ? .mapped : .all),
            .createContainer(name: "d", parent: nil, limits: .max(nil), chargeType: .all),
        ]
        for c in setup {
            try engine.apply(c)
            _ = ref.apply(c)
        }
        var gen = TraceGenerator(rng: SeededRandom(seed: seed), frames: frames)
        gen.v2 = cgroup == .v2
        var deletesWithPages = 0
        var movedPages = 0
        for step in 0..<100_000 {
            let cmd = gen.command(procs: ref.procs, leafExists: ref.containers["e"] != nil)
            ref.evicted = []
            ref.kills = []
            ref.results = []
            ref.moved = []
            ref.requested = 0
            if case .deleteContainer(let n) = cmd, ref.containers[n] != nil, !ref.owned(n).isEmpty,
               !ref.procs.values.contains(n) { deletesWithPages += 1 }
            let expected = ref.apply(cmd)
            let got: Result<Outcome, EngineError>
            do { got = .success(try engine.apply(cmd)) } catch { got = .failure(error) }
            let context = "\(cgroup) \(lru) swappiness \(swappiness) seed \(seed) step \(step) command \(cmd)"
            switch (expected, got) {
            case (.success, .success(let out)):
                if case .events = cmd {
                    let codes = ref.results.filter { $0.0.rawValue >= EventResult.ENOMEM.rawValue }
                    let pages = out.failures.flatMap { f in Array(repeating: f, count: f.count) }
                    #expect(pages.map(\.result) == codes.map { $0.0 }, "\(context)")
                    #expect(pages.map(\.container) == codes.map { $0.1 }, "\(context)")
                    #expect(out.applied == ref.results.count - codes.count, "\(context)")
                }
                if case .events(_, false) = cmd {
                    #expect(out.evicted.isEmpty && out.evictedCount == ref.evicted.count, "\(context)")
                } else {
                    #expect(out.evicted == ref.evicted, "\(context)")
                }
                #expect(out.oomKills == ref.kills, "\(context)")
                #expect(out.moved == ref.moved, "\(context)")
                movedPages += out.moved.count
                #expect(out.requested == ref.requested, "\(context)")
            case (.failure(let e), .failure(let g)):
                #expect(e == g.code, "\(context)")
            default:
                Issue.record("\(context): reference \(expected), engine \(got)")
            }
            // Outcomes are compared every step, the whole state every 10th.
            if step % 10 == 9 || step == 99_999 { try compare(engine, ref, context) }
            guard engine.brokenInvariants.isEmpty else {
                Issue.record("\(context): \(engine.brokenInvariants.joined(separator: "; "))")
                return
            }
        }
        #expect(engine.view.engineSnapshot.counters.charges > 5_000)
        #expect(engine.view.engineSnapshot.counters.evictions > 100)
        #expect(engine.view.engineSnapshot.counters.oomKills > 10)
        if cgroup == .v2 {
            let events = ref.containers.values.reduce((0, 0, 0)) { ($0.0 + $1.evLow, $0.1 + $1.evHigh, $0.2 + $1.evGroupKill) }
            #expect(events.0 > 0 && events.1 > 0 && events.2 > 0, "low, high and group-kill events: \(events)")
        } else {
            #expect(movedPages > 0, "pages moved by move_charge: \(movedPages)")
        }
        #expect(deletesWithPages > 3, "deletes of containers that still owned pages: \(deletesWithPages)")
    }

    func compare(_ engine: MemcgEngine, _ ref: ReferenceModel, _ context: String) throws {
        for (name, rc) in ref.containers {
            let s = try engine.view.container(named: name)
            func opt(_ v: Int) -> Int? { v == Int.max ? nil : v }
            let controls = ControlSnapshot(max: opt(rc.limit), high: opt(rc.high), low: opt(rc.low), min: opt(rc.min),
                                           swapMax: opt(rc.swapMax), swapUsage: ref.swapUsage(name), swapPeak: rc.swapPeak)
            guard s.usage == rc.usage, s.failcnt == rc.failcnt, s.maxUsage == rc.watermark, s.oomGroup == rc.oomGroup,
                  s.limit == (rc.limit == Int.max ? nil : rc.limit), s.controls == controls else {
                Issue.record("\(context): counter of \(name): engine \(s.usage)/\(s.failcnt)/\(s.maxUsage) \(s.controls) reference \(rc.usage)/\(rc.failcnt)/\(rc.watermark) \(controls)")
                throw Stop()
            }
            let lists = try engine.view.lruLists(of: name), split = try engine.view.splitLRULists(of: name)
            guard split.anon.active == rc.active, split.anon.inactive == rc.inactive, split.file.active == rc.fileActive,
                  split.file.inactive == rc.fileInactive, lists.unevictable == rc.unevictable else {
                Issue.record("\(context): lists of \(name): engine \(split) \(lists.unevictable) reference \(rc.active) \(rc.inactive) \(rc.fileActive) \(rc.fileInactive) \(rc.unevictable)")
                throw Stop()
            }
            let l = s.local
            let k = ref.kinds(name)
            let ok = l.pgpgin == rc.pgpgin && l.pgpgout == rc.pgpgout && l.pgfault == rc.pgfault && l.pgsteal == rc.pgsteal
                && l.eventsMax == rc.evMax && l.eventsOOM == rc.evOOM && l.eventsOOMKill == rc.evKill
                && l.pgscan == rc.pgscan && l.eventsLow == rc.evLow && l.eventsHigh == rc.evHigh && l.eventsOOMGroupKill == rc.evGroupKill
                && l.swap == k.swap && l.rss == k.rss && l.cache == k.cache && l.shmem == k.shmem && l.mappedFile == k.mappedFile
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
        for pid in ref.procs.keys.sorted() {
            let v = try engine.view.process(pid: pid)
            let r = ref.processView(pid)
            guard v.container == ref.procs[pid], v.mappedPages == r.mapped, v.mappings == r.mappings,
                  v.pinnedPages == r.pinned, v.swapSlots == r.swap else {
                Issue.record("\(context): process \(pid): engine \(v) reference \(r) in \(ref.procs[pid]!)")
                throw Stop()
            }
        }
        let e = engine.view.engineSnapshot
        guard e.processes == ref.procs.count, e.containers == ref.containers.count, e.chargedPages == ref.pages.count,
              e.swapUsed == ref.slots.count, e.counters.charges == ref.charges, e.counters.uncharges == ref.uncharges,
              e.counters.anomalies == ref.anomalies, e.counters.unbalancedUncharges == ref.unbalanced,
              e.counters.evictions == ref.evictions, e.counters.oomKills == ref.oomKills else {
            Issue.record("\(context): engine-wide counters: engine \(e) reference charges \(ref.charges) uncharges \(ref.uncharges) anomalies \(ref.anomalies) unbalanced \(ref.unbalanced) evictions \(ref.evictions) kills \(ref.oomKills)")
            throw Stop()
        }
    }

    struct Stop: Error {}
}
