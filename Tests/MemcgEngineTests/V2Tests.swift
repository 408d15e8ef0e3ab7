import Testing
@testable import MemcgEngine

extension Fixture {
    func limits(_ name: String, _ pairs: [(Control, Int)]) throws -> Outcome {
        try run(.setLimits(name: name, ControlValues(pairs)))
    }
}

/// cgroup v2 rules of model.md sections 2, 4, 5.1 and 5.2.
@Suite struct V2Tests {
    /// The worked example: under a target A, B has low 1600 and children
    /// with low 2400, 800 and 0 holding 1600 page-cache pages each;
    /// reclaiming 3136 pages from A leaves them at 800, 800 and 64, B at 1664.
    @Test func protectionDistributedAmongOverclaimingSiblings() throws {
        let f = try Fixture(frames: 8192)
        try f.container("A")
        try f.container("B", parent: "A")
        _ = try f.limits("B", [(.low, 1600)])
        for (i, low) in [2400, 800, 0].enumerated() {
            try f.container("C\(i)", parent: "B")
            _ = try f.limits("C\(i)", [(.low, low)])
            try f.process(10 + i, in: "C\(i)")
            try f.run(.events([PageEvent(op: .pagecacheAdd, pid: 10 + i, pages: .range(first: i * 1600, count: 1600))], listEvicted: false))
        }
        let out = try f.run(.reclaim(name: "A", pages: 3136))
        #expect(out.evictedCount == 3136)
        #expect(try f.stats("C0").usage == 800)
        #expect(try f.stats("C1").usage == 800)
        #expect(try f.stats("C2").usage == 64)
        #expect(try f.stats("B").usage == 1664)
        // Nothing was reclaimed under low protection only by a low pass.
        #expect(try f.stats("C0").local.eventsLow == 0)
    }

    /// A low pass runs when everything left is low-protected; each container
    /// skipped for low counts one event, an empty protected one none.
    @Test func lowPassCountsLowEvents() throws {
        let f = try Fixture(frames: 1024)
        try f.container("p", limit: 100)
        try f.container("a", parent: "p")
        try f.container("empty", parent: "p")
        _ = try f.limits("a", [(.low, Int.max)])
        _ = try f.limits("empty", [(.low, Int.max)])
        try f.process(1, in: "a")
        try f.range(.pagecacheAdd, pid: 1, from: 0, count: 100)
        let out = try f.range(.pagecacheAdd, pid: 1, from: 100, count: 1)
        #expect(out.failures.isEmpty)
        #expect(out.evictedCount == 32)
        #expect(try f.stats("a").local.eventsLow == 1)
        #expect(try f.stats("empty").local.eventsLow == 0)
        #expect(try f.stats("p").total.eventsLow == 1)
    }

    /// min holds even under OOM: protected pages are never reclaimed; the
    /// charge fails and the OOM killer runs instead.
    @Test func minHoldsUnderOOM() throws {
        let f = try Fixture(frames: 1024)
        try f.container("p", limit: 64)
        try f.container("a", parent: "p")
        try f.container("b", parent: "p")
        _ = try f.limits("a", [(.min, Int.max)])
        try f.process(1, in: "a")
        try f.process(2, in: "b")
        try f.range(.pagecacheAdd, pid: 1, from: 0, count: 64)
        let out = try f.event(.anonFault, pid: 2, page: 100)
        #expect(out.evictedCount == 0)
        #expect(out.failures.map(\.result) == [.ENOMEM])
        #expect(out.oomKills.map(\.pid) == [1])  // the cache's process maps nothing: score 0, lowest pid
        #expect(try f.stats("a").usage == 64)    // the page cache stays: nobody maps it, min protects it
        #expect(try f.stats("a").local.eventsLow == 0)
    }

    /// high throttles: each charge above it counts a high event and one
    /// reclaim round; it never fails a charge and never kills.
    @Test func highNeverKills() throws {
        let f = try Fixture(frames: 1024)
        try f.container("a")
        _ = try f.limits("a", [(.high, 40)])
        try f.process(1, in: "a")
        try f.range(.pagecacheAdd, pid: 1, from: 0, count: 40)
        #expect(try f.stats("a").local.eventsHigh == 0)
        let one = try f.event(.pagecacheAdd, pid: 1, page: 40)
        #expect(one.evictedCount == 32)
        #expect(try f.stats("a").usage == 9)
        #expect(try f.stats("a").local.eventsHigh == 1)
        // Anonymous memory without swap cannot be reclaimed: usage runs
        // past high, every charge counts an event, nobody is killed.
        let anon = try f.range(.anonFault, pid: 1, from: 100, count: 100)
        #expect(anon.failures.isEmpty && anon.oomKills.isEmpty)
        #expect(try f.stats("a").usage > 40)
        #expect(try f.stats("a").failcnt == 0)
        #expect(try f.stats("a").local.eventsMax == 0)
        #expect(try f.stats("a").local.eventsOOM == 0)
    }

    /// Writing high below usage reclaims at once, without an event.
    @Test func highWriteReclaims() throws {
        let f = try Fixture(frames: 1024)
        try f.container("a")
        try f.process(1, in: "a")
        try f.range(.pagecacheAdd, pid: 1, from: 0, count: 200)
        let out = try f.limits("a", [(.high, 50)])
        // Whole rounds of 32 while usage > high: five rounds, 160 pages.
        #expect(out.evictedCount == 160)
        #expect(try f.stats("a").usage == 40)
        #expect(try f.stats("a").local.eventsHigh == 0)
    }

    /// swap_max stops swap-out at the level's limit; the next charge OOMs.
    @Test func swapMaxStopsSwapOutThenOOM() throws {
        let f = try Fixture(frames: 1024, swap: 512)
        try f.container("p")
        try f.container("a", parent: "p", limit: 16)
        _ = try f.limits("p", [(.swapMax, 8)])
        try f.process(1, in: "a")
        try f.range(.anonFault, pid: 1, from: 0, count: 16)
        let a = try f.range(.anonFault, pid: 1, from: 16, count: 8)
        #expect(a.failures.isEmpty)
        #expect(try f.stats("p").controls.swapUsage == 8)
        #expect(try f.stats("a").controls.swapUsage == 8)
        #expect(try f.stats("a").local.swap == 8)
        let b = try f.event(.anonFault, pid: 1, page: 30)
        #expect(b.failures.map(\.result) == [.ENOMEM])
        #expect(b.oomKills.map(\.pid) == [1])
        #expect(try f.stats("p").controls.swapPeak == 8)
        #expect(f.engine.view.engineSnapshot.swapUsed == 0)
    }

    /// oom_group: the whole group dies (victim first, then ascending pids);
    /// a task of the parent outside the group is spared.
    @Test func groupKillSparesParentTask() throws {
        let f = try Fixture(frames: 1024)
        try f.container("pod", limit: 30)
        try f.container("app", parent: "pod")
        try f.run(.updateContainer(name: "app", oomGroup: true))
        try f.process(5, in: "pod")
        try f.process(3, in: "app")
        try f.process(1, in: "app")
        try f.process(2, in: "app")
        try f.range(.anonFault, pid: 5, from: 0, count: 2)
        try f.range(.anonFault, pid: 2, from: 10, count: 20)
        try f.range(.anonFault, pid: 3, from: 40, count: 1)
        let out = try f.range(.anonFault, pid: 3, from: 50, count: 8)
        #expect(out.oomKills.map(\.pid) == [2, 1, 3])
        #expect(out.oomKills.map(\.pages) == [20, 0, 8])  // pid 3 had charged 7 of its 8 new pages
        #expect(try f.engine.view.process(pid: 5).mappedPages == 2)
        #expect(try f.stats("app").local.eventsOOMKill == 3)
        #expect(try f.stats("app").local.eventsOOMGroupKill == 1)
        #expect(try f.stats("pod").local.eventsOOM == 1)
    }

    /// A v2 max write below usage reclaims, then kills until it fits, and succeeds.
    @Test func v2MaxWriteKills() throws {
        let f = try Fixture(frames: 1024)
        try f.container("a")
        try f.process(1, in: "a")
        try f.process(2, in: "a")
        try f.range(.anonFault, pid: 1, from: 0, count: 30)
        try f.range(.anonFault, pid: 2, from: 100, count: 10)
        try f.range(.pagecacheAdd, pid: 2, from: 200, count: 10)
        let out = try f.limits("a", [(.max, 12)])
        #expect(out.evictedCount == 10)
        #expect(out.oomKills.map(\.pid) == [1])
        #expect(try f.stats("a").limit == 12)
        #expect(try f.stats("a").usage == 10)
        #expect(try f.stats("a").local.eventsOOM == 1)
        // With no candidate left the write still succeeds, above its max.
        let again = try f.limits("a", [(.max, 2)])
        #expect(again.oomKills.map(\.pid) == [2])
        try f.range(.pagecacheAdd, pid: nil, from: 300, count: 0)
        #expect(try f.stats("a").limit == 2)
    }

    /// v1 has only max: the v2 controls are EOPNOTSUPP and change nothing.
    @Test func v1RefusesV2Controls() throws {
        let f = try Fixture(cgroup: .v1)
        try f.container("a")
        for c in [Control.high, .low, .min, .swapMax] {
            #expect(throws: EngineError.self) { try f.limits("a", [(.max, 10), (c, 5)]) }
        }
        #expect(try f.stats("a").limit == nil)
        #expect(throws: EngineError.self) { try f.run(.reclaim(name: "a", pages: 1)) }
        #expect(throws: EngineError.self) { try f.run(.updateContainer(name: "a", oomGroup: true)) }
    }

    /// Controls are applied in the order swap_max, min, low, high, max, after all are checked.
    @Test func writeOrderAndRoot() throws {
        let f = try Fixture(frames: 1024)
        try f.container("a")
        try f.process(1, in: "a")
        try f.range(.pagecacheAdd, pid: 1, from: 0, count: 100)
        // One bad value: nothing changes, not even the good ones before it.
        #expect(throws: EngineError.self) { try f.limits("a", [(.high, 10), (.min, -1)]) }
        #expect(try f.stats("a").usage == 100 && f.stats("a").controls.high == nil)
        // swap_max, min and low are stored before high reclaims; the target
        // itself is unprotected, so high still reclaims it to whole rounds.
        let out = try f.limits("a", [(.high, 10), (.min, 60), (.swapMax, 0)])
        #expect(out.evictedCount == 96)
        #expect(try f.stats("a").controls == ControlSnapshot(max: nil, high: 10, low: 0, min: 60, swapMax: 0, swapUsage: 0, swapPeak: 0))
        #expect(throws: EngineError.self) { try f.limits("root", [(.high, 1)]) }
        #expect(try f.limits("root", []).evictedCount == 0)
    }

    /// move_charge (v1): the process's anon pages nobody else maps and its
    /// page cache move; when they do not fit, ENOMEM and nothing moves.
    @Test func moveChargeThatDoesNotFit() throws {
        let f = try Fixture(frames: 1024, cgroup: .v1)
        try f.container("a")
        try f.container("b", limit: 8)
        try f.process(1, in: "a")
        try f.range(.anonFault, pid: 1, from: 0, count: 12)
        #expect(throws: EngineError.self) { try f.run(.moveProcess(pid: 1, container: "b", moveCharge: 1)) }
        #expect(try f.engine.view.process(pid: 1).container == "a")
        #expect(try f.stats("a").usage == 12)
        #expect(try f.stats("b").usage == 0)
        #expect(try f.stats("b").failcnt == 1)
        try f.run(.setLimit(name: "b", limitPages: 20))
        let out = try f.run(.moveProcess(pid: 1, container: "b", moveCharge: 3))
        #expect(out.moved == Array(0..<12))
        #expect(try f.stats("b").usage == 12 && f.stats("a").usage == 0)
        #expect(try f.stats("b").local.rss == 12 && f.stats("b").local.pgpgin == 0)
        #expect(try f.engine.view.lruLists(of: "b").active == Array((0..<12).reversed()))
    }
}
