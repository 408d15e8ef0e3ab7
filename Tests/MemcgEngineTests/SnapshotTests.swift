import Testing
@testable import MemcgEngine

/// Everything observable about an engine, for comparing two of them.
struct EngineFingerprint: Equatable {
    var containers: [ContainerSnapshot]
    var processes: [ProcessSnapshot]
    var engine: EngineSnapshot
    var lists: [String: [[Int]]]
    var pages: [String]

    init(_ e: MemcgEngine) throws {
        let v = e.view
        containers = v.allContainers()
        processes = v.allProcesses()
        engine = v.engineSnapshot
        lists = [:]
        for c in containers {
            let l = try v.lruLists(of: c.name)
            lists[c.name] = [l.active, l.inactive, l.unevictable]
        }
        let procs = processes
        pages = (0..<e.machine.frames).map { p in
            let r = v.references(ofPage: p)
            let pins = procs.map { v.isPinned(page: p, pid: $0.pid) ? "p" : "-" }.joined()
            let maps = procs.map { String(v.mappings(ofPage: p, pid: $0.pid)) }.joined(separator: ",")
            return "\(v.owner(ofPage: p) ?? "-") \(r.mappings) \(r.pageCache) \(r.swapCache) \(v.isReferenced(p)) \(maps) \(pins)"
        }
    }
}

@Suite struct SnapshotTests {
    /// CRC-32C of the standard check string, and of a long input read in
    /// one call and in pieces (slicing-by-8 against the byte loop).
    @Test func crc32cKnownValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = CRC32C.checksum(long)
        var piecewise: UInt32 = 0
        var i = 0
        for n in [1, 3, 7, 8, 9, 100, 872] {
            piecewise = CRC32C.checksum(long[i..<(i + n)], continuing: piecewise)
            i += n
        }
        #expect(i == 1000 && piecewise == whole)
    }

    /// A state with every kind of object, saved and loaded, gives the same
    /// statistics, LRU order, page records and bytes, and the same replies
    /// and state as the original under the same random commands after it.
    @Test(arguments: [CgroupVersion.v1, .v2], [(LRUMode.seed, UInt64(3)), (.split, 3), (.seed, 77), (.split, 77)])
    func roundTripKeepsStateAndBehaviour(cgroup: CgroupVersion, run: (lru: LRUMode, seed: UInt64)) throws {
        let frames = 96, swap = 24, seed = run.seed
        let engine = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: frames * 4096, swapBytes: swap * 4096, cgroup: cgroup,
                                                          lru: run.lru, swappiness: run.lru == .split ? 100 : 60))
        var limits = ControlValues([(.max, 40)])
        if cgroup == .v2 { limits = ControlValues([(.max, 40), (.high, 30), (.low, 4), (.min, 2), (.swapMax, 10)]) }
        let setup: [Command] = [
            .createContainer(name: "a", parent: nil, limits: limits, chargeType: .all, oomGroup: cgroup == .v2, labels: ["team": "web", "tier": "1"]),
            .createContainer(name: "b", parent: "a", limits: .max(20), chargeType: .all),
            .createContainer(name: "c", parent: nil, limits: .max(30), chargeType: .mapped),
            .createContainer(name: "d", parent: nil, limits: .max(nil), chargeType: .all),
            .createContainer(name: "x1", parent: "b", limits: .max(nil)),
            .createContainer(name: "x2", parent: "x1", limits: .max(nil)),
            .createProcess(pid: 2, container: "x2"),
        ]
        for c in setup { try engine.apply(c) }
        var gen = TraceGenerator(rng: SeededRandom(seed: seed), frames: frames)
        gen.v2 = cgroup == .v2
        var procs: [Int: String] = [:]
        var leaf = false
        func step(_ e: MemcgEngine, _ cmd: Command) -> String {
            do { let o = try e.apply(cmd); return "\(o.applied) \(o.failed) \(o.failures) \(o.oomKills) \(o.evicted) \(o.evictedCount) \(o.moved)" }
            catch { return "\(error)" }
        }
        func track(_ e: MemcgEngine) {
            procs = Dictionary(uniqueKeysWithValues: e.view.allProcesses().map { ($0.pid, $0.container) })
            leaf = (try? e.view.container(named: "e")) != nil
        }
        track(engine)
        var sawPinned = false, sawShmem = false, sawSharedSwap = false, snapshots = 0
        for round in 0..<6 {
            for _ in 0..<1500 {
                _ = step(engine, gen.command(procs: procs, leafExists: leaf))
                track(engine)
            }
            let before = try EngineFingerprint(engine)
            sawPinned = sawPinned || before.processes.contains { $0.pinnedPages > 0 }
            sawShmem = sawShmem || before.containers.contains { $0.local.shmem > 0 }
            sawSharedSwap = sawSharedSwap || before.processes.reduce(0) { $0 + $1.swapSlots } > before.engine.swapUsed
            let bytes = engine.snapshot()
            let copy = try MemcgEngine.restore(bytes)
            snapshots += 1
            #expect(copy.machine == engine.machine)
            #expect(try EngineFingerprint(copy) == before, "seed \(seed) round \(round)")
            #expect(copy.snapshot() == bytes, "seed \(seed) round \(round): a restored engine writes the same bytes")
            // The same commands on both give the same replies and states.
            var g2 = gen
            let saved = (procs, leaf)
            var replies: [String] = []
            for _ in 0..<800 {
                let cmd = gen.command(procs: procs, leafExists: leaf)
                replies.append(step(engine, cmd))
                track(engine)
            }
            procs = saved.0; leaf = saved.1
            var i = 0
            for _ in 0..<800 {
                let cmd = g2.command(procs: procs, leafExists: leaf)
                #expect(step(copy, cmd) == replies[i], "seed \(seed) round \(round) command \(i) after restore")
                i += 1
                track(copy)
            }
            #expect(try EngineFingerprint(copy) == EngineFingerprint(engine), "seed \(seed) round \(round) after 800 commands")
            #expect(copy.snapshot() == engine.snapshot())
            #expect(copy.brokenInvariants.isEmpty && engine.brokenInvariants.isEmpty)
        }
        #expect(snapshots == 6)
        #expect(sawPinned && sawShmem, "pinned \(sawPinned) shmem \(sawShmem)")
        #expect(sawSharedSwap, "swap slots remembered by several processes")
    }

    /// A flipped byte anywhere, a cut file or another format version is
    /// refused with a message, never restored.
    @Test func damagedSnapshotsAreRefused() throws {
        let e = try MemcgEngine(machine: try Machine(memoryBytes: 64 * 4096, swapBytes: 8 * 4096))
        try e.apply(.createContainer(name: "a", parent: nil, limits: .max(30)))
        try e.apply(.createProcess(pid: 5, container: "a"))
        try e.apply(.events([PageEvent(op: .anonFault, pid: 5, pages: .range(first: 0, count: 20))], listEvicted: false))
        let bytes = e.snapshot()
        _ = try MemcgEngine.restore(bytes)
        for i in stride(from: 0, to: bytes.count, by: 7) {
            var bad = bytes
            bad[i] ^= 0x40
            #expect(throws: EngineError.self, "flipped byte \(i)") { try MemcgEngine.restore(bad) }
        }
        for n in [0, 10, 16, bytes.count / 2, bytes.count - 1] {
            #expect(throws: EngineError.self) { try MemcgEngine.restore(Array(bytes[0..<n])) }
        }
        #expect(try MemcgEngine.snapshotMachine(bytes) == e.machine)
    }
}
