import Testing
@testable import MemcgEngine

/// A small engine with helpers for terse tests; checks invariants after every step.
struct Fixture {
    let engine: MemcgEngine

    init(frames: Int = 256, swap: Int = 0, cgroup: CgroupVersion = .v2, lru: LRUMode? = nil, swappiness: Int = 60) throws {
        engine = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: frames * 4096, swapBytes: swap * 4096, cgroup: cgroup,
                                                      lru: lru, swappiness: swappiness))
    }

    @discardableResult
    func run(_ c: Command) throws -> Outcome {
        let out = try engine.apply(c)
        #expect(engine.brokenInvariants == [])
        return out
    }

    func container(_ name: String, parent: String? = nil, limit: Int? = nil, type: ChargeType = .all) throws {
        try run(.createContainer(name: name, parent: parent, limits: .max(limit), chargeType: type))
    }

    func process(_ pid: Int, in c: String) throws { try run(.createProcess(pid: pid, container: c)) }

    @discardableResult
    func event(_ op: PageOp, pid: Int? = nil, page: Int, old: Int? = nil, shmem: Bool = false) throws -> Outcome {
        try run(.events([PageEvent(op, pid: pid, page: page, oldPage: old, shmem: shmem)], listEvicted: true))
    }

    @discardableResult
    func range(_ op: PageOp, pid: Int? = nil, from: Int, count: Int) throws -> Outcome {
        try run(.events([PageEvent(op: op, pid: pid, pages: .range(first: from, count: count))], listEvicted: true))
    }

    func stats(_ name: String) throws -> ContainerSnapshot { try engine.view.container(named: name) }
}

@Suite struct MachineAndLimitTests {
    /// Page size must be a power of two between 4 KiB and 64 KiB.
    @Test(arguments: [1024, 4095, 6000, 131072])
    func badPageSize(size: Int) {
        #expect(throws: EngineError.self) { try Machine(pageSize: size, memoryBytes: 1 << 30) }
    }

    /// A 16 GiB machine has 4 Mi frames of 4 KiB.
    @Test func sixteenGig() throws {
        let m = try Machine()
        #expect(m.frames == 4 << 20)
        #expect(m.swapSlots == 0)
    }

    /// Valid limit strings parse to whole pages, rounded down.
    @Test(arguments: [("4096", 1), ("4097", 1), ("8191", 1), ("1K", 0), ("4k", 1), ("1M", 256), ("1m", 256),
                      ("2G", 524_288), ("1T", 268_435_456), ("0", 0)])
    func limitStrings(text: String, pages: Int) throws {
        #expect(try LimitParser.parse(text, pageSize: 4096) == pages)
    }

    /// `max` and `-1` are unlimited.
    @Test func unlimited() throws {
        #expect(try LimitParser.parse("max", pageSize: 4096) == nil)
        #expect(try LimitParser.parse("-1", pageSize: 4096) == nil)
        #expect(try LimitParser.parse(bytes: -1, pageSize: 4096) == nil)
        #expect(try LimitParser.parse(bytes: 12288, pageSize: 4096) == 3)
    }

    /// Every invalid form is EINVAL.
    @Test(arguments: ["1.0", "1xx", "xx", "-10", "1kb", "", " 1", "1 ", "K", "99999999999999999999", "9999999999T", "+1", "0x10", "MAX"])
    func invalidLimits(text: String) {
        #expect(throws: EngineError(.EINVAL, LimitParser.invalid(text).detail)) { try LimitParser.parse(text, pageSize: 4096) }
    }

    /// Negative byte counts other than -1 are EINVAL.
    @Test func negativeBytes() {
        #expect(throws: EngineError.self) { try LimitParser.parse(bytes: -2, pageSize: 4096) }
    }
}

@Suite struct ContainerTests {
    /// Names: 1 to 64 of [A-Za-z0-9._-], no "..".
    @Test(arguments: [("web", true), ("a.b-c_D9", true), (String(repeating: "x", count: 64), true),
                      (String(repeating: "x", count: 65), false), ("", false), ("a/b", false), ("..", false),
                      ("a..b", false), ("sp ace", false), ("ü", false)])
    func names(name: String, valid: Bool) {
        #expect(MemcgEngine.isValidName(name) == valid)
    }

    /// Duplicate names are EEXIST, unknown parents ENOENT.
    @Test func createErrors() throws {
        let f = try Fixture()
        try f.container("a")
        func code(_ body: () throws -> Void) -> EngineError.Code? {
            do { try body(); return nil } catch let e as EngineError { return e.code } catch { return nil }
        }
        #expect(code { try f.container("a") } == .EEXIST)
        #expect(code { try f.container("b", parent: "nope") } == .ENOENT)
        #expect(code { try f.container("root") } == .EEXIST)
        #expect(code { try f.container(".") } == .EINVAL)
        #expect(code { try f.container("x..y") } == .EINVAL)
        #expect(code { try f.container(String(repeating: "n", count: 65)) } == .EINVAL)
        #expect(try f.engine.view.allContainers().map(\.name) == ["root", "a"])
    }

    /// cgroup.max.depth's role: a container deeper than `maxDepth` is refused.
    @Test func depthLimit() throws {
        let f = try Fixture()
        var parent: String? = nil
        for d in 1...MemcgEngine.maxDepth {
            try f.container("d\(d)", parent: parent)
            parent = "d\(d)"
        }
        #expect(try f.stats("d\(MemcgEngine.maxDepth)").path.split(separator: "/").count == MemcgEngine.maxDepth)
        #expect(throws: EngineError(.EINVAL, "container \"deep\" would be at depth 65; the deepest allowed is 64")) {
            try f.container("deep", parent: parent)
        }
    }

    /// A page charged to a child counts in every ancestor; the child's limit refuses it.
    @Test func hierarchicalUsage() throws {
        let f = try Fixture()
        try f.container("a")
        try f.container("b", parent: "a", limit: 2)
        try f.process(1, in: "b")
        try f.range(.anonFault, pid: 1, from: 0, count: 2)
        #expect(try f.stats("b").usage == 2)
        #expect(try f.stats("a").usage == 2)
        #expect(try f.stats("root").usage == 2)
        let out = try f.event(.anonFault, pid: 1, page: 5)
        #expect(out.failures.first?.result == .ENOMEM)
        #expect(try f.stats("b").failcnt == 1)
        #expect(try f.stats("a").failcnt == 0)
    }

    /// A child's charge refused by the parent's limit bumps the parent's failcnt and kills inside the parent's subtree.
    @Test func parentLimitRefuses() throws {
        let f = try Fixture()
        try f.container("a", limit: 3)
        try f.container("b", parent: "a")
        try f.container("c", parent: "a")
        try f.process(1, in: "b")
        try f.process(2, in: "c")
        try f.process(3, in: "root")
        try f.range(.anonFault, pid: 2, from: 10, count: 2)
        try f.range(.anonFault, pid: 1, from: 0, count: 1)
        let out = try f.event(.anonFault, pid: 1, page: 1)
        #expect(out.failures == [EventFailure(index: 0, page: 1, result: .ENOMEM, container: "a")])
        #expect(try f.stats("a").failcnt == 1)
        #expect(try f.stats("b").failcnt == 0)
        #expect(out.oomKills == [OOMKill(pid: 2, container: "c", pages: 2)])
        #expect(try f.stats("a").local.eventsOOM == 1)
        #expect(try f.stats("c").local.eventsOOMKill == 1)
        #expect(try f.stats("a").usage == 1)
        #expect(f.engine.view.engineSnapshot.processes == 2)
    }

    /// Deleting moves charges to the parent, in order, to the head of its lists.
    @Test func deleteMovesCharges() throws {
        let f = try Fixture()
        try f.container("a")
        try f.container("b", parent: "a")
        try f.process(1, in: "a")
        try f.process(2, in: "b")
        try f.event(.anonFault, pid: 1, page: 100)
        try f.range(.anonFault, pid: 2, from: 0, count: 3)
        #expect(throws: EngineError.self) { try f.run(.deleteContainer(name: "b")) }
        try f.run(.moveProcess(pid: 2, container: "a"))
        #expect(throws: EngineError.self) { try f.run(.deleteContainer(name: "a")) }
        try f.run(.deleteContainer(name: "b"))
        #expect(f.engine.view.owner(ofPage: 1) == "a")
        #expect(try f.stats("a").usage == 4)
        #expect(try f.stats("a").local.rss == 4)
        #expect(try f.engine.view.lruLists(of: "a").active == [2, 1, 0, 100])
        #expect(throws: EngineError.self) { try f.run(.deleteContainer(name: "root")) }
    }

    /// Lowering a limit below usage reclaims file pages to fit.
    @Test func lowerLimitReclaims() throws {
        let f = try Fixture()
        try f.container("a")
        try f.process(1, in: "a")
        try f.range(.fileFault, pid: 1, from: 0, count: 40)
        let out = try f.run(.setLimit(name: "a", limitPages: 10))
        #expect(out.evictedCount >= 30)
        #expect(try f.stats("a").usage <= 10)
        #expect(try f.stats("a").limit == 10)
    }

    /// Lowering a limit below mlocked usage is EBUSY and keeps the old limit.
    @Test func lowerLimitMlockedIsBusy() throws {
        let f = try Fixture(swap: 64, cgroup: .v1)
        try f.container("a", limit: 100)
        try f.process(1, in: "a")
        try f.range(.fileFault, pid: 1, from: 0, count: 8)
        for p in 0..<8 { try f.event(.mlock, pid: 1, page: p) }
        #expect(throws: EngineError.self) { try f.run(.setLimit(name: "a", limitPages: 4)) }
        #expect(try f.stats("a").limit == 100)
        #expect(try f.stats("a").usage == 8)
        #expect(try f.stats("a").local.unevictable == 8)
    }

    /// Lowering a limit below anonymous usage with no swap is EBUSY.
    @Test func lowerLimitAnonNoSwapIsBusy() throws {
        let f = try Fixture(cgroup: .v1)
        try f.container("a")
        try f.process(1, in: "a")
        try f.range(.anonFault, pid: 1, from: 0, count: 8)
        do {
            try f.run(.setLimit(name: "a", limitPages: 4))
            Issue.record("expected EBUSY")
        } catch {
            #expect((error as? EngineError)?.code == .EBUSY)
        }
        #expect(try f.stats("a").limit == nil)
    }

    /// With swap, lowering the limit evicts anonymous pages into swap slots.
    @Test func lowerLimitWithSwap() throws {
        let f = try Fixture(swap: 64)
        try f.container("a")
        try f.process(1, in: "a")
        try f.range(.anonFault, pid: 1, from: 0, count: 40)
        let out = try f.run(.setLimit(name: "a", limitPages: 8))
        let s = try f.stats("a")
        #expect(s.usage <= 8)
        #expect(s.local.swap == out.evictedCount)
        #expect(s.local.pgsteal == out.evictedCount)
        #expect(f.engine.view.engineSnapshot.swapUsed == out.evictedCount)
    }

    /// reset sets max_usage to usage (not 0) and failcnt to 0.
    @Test func reset() throws {
        let f = try Fixture()
        try f.container("a", limit: 4)
        try f.process(1, in: "a")
        try f.range(.anonFault, pid: 1, from: 0, count: 4)
        try f.range(.unmap, pid: 1, from: 0, count: 2)
        try f.event(.anonFault, pid: 1, page: 9)
        try f.event(.anonFault, pid: 1, page: 10)
        try f.event(.anonFault, pid: 1, page: 11)
        // 11 found the container full; with no swap, pid 1 was killed: usage 0.
        let s = try f.stats("a")
        #expect(s.maxUsage == 4)
        #expect(s.failcnt == 1)
        // With pages charged again, max_usage resets to the usage, not to 0.
        try f.process(2, in: "a")
        try f.range(.anonFault, pid: 2, from: 20, count: 3)
        try f.run(.resetStats(name: "a", maxUsage: true, failcnt: false))
        #expect(try f.stats("a").maxUsage == 3)
        #expect(try f.stats("a").failcnt == 1)
        try f.run(.resetStats(name: "a", maxUsage: false, failcnt: true))
        #expect(try f.stats("a").failcnt == 0)
        #expect(try f.stats("a").maxUsage == 3)
    }

    /// The invariant checks are compiled into the test build and report
    /// what broke instead of trapping.
    @Test func invariantChecksCompiledIn() throws {
        #expect(MemcgEngine.internalChecksCompiledIn)
        let f = try Fixture()
        try f.process(1, in: "root")
        try f.range(.anonFault, pid: 1, from: 0, count: 8)
        #expect(f.engine.invariantViolations() == [])
        #expect(f.engine.brokenInvariants == [])
    }

    /// force_empty reclaims file pages; refused on root.
    @Test func forceEmpty() throws {
        let f = try Fixture()
        try f.container("a")
        try f.process(1, in: "a")
        try f.range(.pagecacheAdd, pid: 1, from: 0, count: 50)
        try f.range(.anonFault, pid: 1, from: 100, count: 5)
        let out = try f.run(.forceEmpty(name: "a"))
        #expect(out.evictedCount == 50)
        #expect(try f.stats("a").usage == 5)
        #expect(throws: EngineError.self) { try f.run(.forceEmpty(name: "root")) }
    }

    /// A limit of 0 makes the first charge OOM.
    @Test func limitZero() throws {
        let f = try Fixture()
        try f.container("a", limit: 0)
        try f.process(7, in: "a")
        let out = try f.event(.anonFault, pid: 7, page: 3)
        #expect(out.failures.map(\.result) == [.ENOMEM])
        #expect(out.oomKills == [OOMKill(pid: 7, container: "a", pages: 0)])
        #expect(f.engine.view.owner(ofPage: 3) == nil)
        #expect(try f.stats("a").failcnt == 1)
    }
}
