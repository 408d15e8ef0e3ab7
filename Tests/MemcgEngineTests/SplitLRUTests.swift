import Testing
@testable import MemcgEngine

/// model.md 5.3: the anon and file LRUs of `lru: split`, the swappiness
/// division of a visit, the leftover rules; and `seed` keeping its orders.
@Suite struct SplitLRUTests {
    /// Container `a` at its limit with anon pages 0..<anon and file pages
    /// 100..<100+file, charged in that order by process 1, none referenced.
    func filled(anon: Int, file: Int, swap: Int, swappiness: Int = 60, lru: LRUMode = .split) throws -> Fixture {
        let f = try Fixture(frames: 512, swap: swap, lru: lru, swappiness: swappiness)
        try f.container("a", limit: anon + file)
        try f.process(1, in: "a")
        if anon > 0 { try f.range(.anonFault, pid: 1, from: 0, count: anon) }
        if file > 0 { try f.range(.fileFault, pid: 1, from: 100, count: file) }
        return f
    }

    /// Without swap, a container of anon pages with a few file pages among
    /// them evicts exactly the file pages, oldest first, and never moves,
    /// looks at or clears an anon page; once only anon is left the charge
    /// fails without a single look.
    @Test func anonWithoutSwapEvictsOnlyFile() throws {
        let f = try Fixture(frames: 512, lru: .split)
        try f.container("a", limit: 20)
        try f.process(1, in: "a")
        // Anon and file interleaved in time: 0-4, 100-101, 5-9, 102-103, 10-14, 104.
        for (op, from, count) in [(PageOp.anonFault, 0, 5), (.fileFault, 100, 2), (.anonFault, 5, 5), (.fileFault, 102, 2),
                                  (.anonFault, 10, 5), (.fileFault, 104, 1)] {
            try f.range(op, pid: 1, from: from, count: count)
        }
        try f.event(.access, page: 3)  // an anon page with its referenced bit set
        let anonBefore = try f.engine.view.splitLRULists(of: "a").anon
        #expect(anonBefore.active == Array((0..<15).reversed()) && anonBefore.inactive.isEmpty)
        let out = try f.event(.anonFault, pid: 1, page: 15)
        #expect(out.evicted == [100, 101, 102, 103, 104])
        #expect(f.engine.view.owner(ofPage: 15) == "a")
        let after = try f.engine.view.splitLRULists(of: "a")
        #expect(after.anon.active == [15] + anonBefore.active && after.anon.inactive.isEmpty)
        #expect(after.file.active.isEmpty && after.file.inactive.isEmpty)
        #expect(f.engine.view.isReferenced(3))
        #expect(try f.stats("a").local.pgscan == 5)  // one look per file page
        // Only anon left: the charge finds nothing to scan and the OOM killer runs.
        try f.range(.anonFault, pid: 1, from: 16, count: 4)
        let oom = try f.event(.anonFault, pid: 1, page: 20)
        #expect(oom.oomKills.map(\.pid) == [1])
        #expect(try f.stats("a").local.pgscan == 5)
    }

    /// The same container under `seed`: the same pages go, but every anon
    /// page on the one pair is looked at and rotated until the scan's
    /// budget (two looks per page) is spent.
    @Test func seedScansAnonWithoutSwap() throws {
        let f = try Fixture(frames: 512, lru: .seed)
        try f.container("a", limit: 20)
        try f.process(1, in: "a")
        for (op, from, count) in [(PageOp.anonFault, 0, 5), (.fileFault, 100, 2), (.anonFault, 5, 5), (.fileFault, 102, 2),
                                  (.anonFault, 10, 5), (.fileFault, 104, 1)] {
            try f.range(op, pid: 1, from: from, count: count)
        }
        let out = try f.event(.anonFault, pid: 1, page: 15)
        #expect(out.evicted == [100, 101, 102, 103, 104])
        #expect(try f.stats("a").local.pgscan == 40)
        let lists = try f.engine.view.splitLRULists(of: "a")
        #expect(lists.file.active.isEmpty && lists.file.inactive.isEmpty)
        #expect(lists.anon.active.count + lists.anon.inactive.count == 16)
    }

    /// With swap, a visit's 32 pages divide as floor(32*s*A / (s*A + (200-s)*F)):
    /// the anon share first (its oldest pages), then the file LRU (its oldest).
    @Test(arguments: [(0, 0), (60, 12), (100, 19), (200, 32)])
    func swappinessDivision(swappiness: Int, anonShare: Int) throws {
        let f = try filled(anon: 60, file: 40, swap: 64, swappiness: swappiness)
        #expect(MemcgEngine.anonShare(of: 32, swappiness: swappiness, anon: 60, file: 40) == anonShare)
        let out = try f.event(.anonFault, pid: 1, page: 200)
        #expect(out.evicted == Array(0..<anonShare) + Array(100..<(100 + 32 - anonShare)))
        #expect(try f.stats("a").local.swap == anonShare)
    }

    /// Anon runs dry before its share: the file LRU gives the rest.
    @Test func anonShortfallGoesToFile() throws {
        let f = try filled(anon: 5, file: 40, swap: 64, swappiness: 200)
        let out = try f.event(.anonFault, pid: 1, page: 200)
        #expect(out.evicted == Array(0..<5) + Array(100..<127))
    }

    /// File runs dry after anon gave its whole share: anon is scanned
    /// again, in a new scan, for what is missing.
    @Test func fileShortfallGoesBackToAnon() throws {
        // share = floor(32*60*60 / (60*60 + 140*3)) = 28; file gives 3; anon again gives 1.
        let f = try filled(anon: 60, file: 3, swap: 64, swappiness: 60)
        let out = try f.event(.anonFault, pid: 1, page: 200)
        #expect(out.evicted == Array(0..<28) + [100, 101, 102] + [28])
    }

    /// Swappiness 0 gives anon no share, yet anon is reclaimed once the file LRU is empty.
    @Test func swappinessZeroStillReclaimsAnonWhenFileIsGone() throws {
        let f = try filled(anon: 60, file: 3, swap: 64, swappiness: 0)
        let out = try f.event(.anonFault, pid: 1, page: 200)
        #expect(out.evicted == [100, 101, 102] + Array(0..<29))
    }

    /// A level at its swap_max stops anon reclaim as no swap does: file only, anon untouched.
    @Test func swapMaxReachedScansFileOnly() throws {
        let f = try filled(anon: 60, file: 10, swap: 64, swappiness: 200)
        try f.run(.setLimits(name: "a", ControlValues([(.swapMax, 0)])))
        let before = try f.engine.view.splitLRULists(of: "a").anon
        let out = try f.event(.anonFault, pid: 1, page: 200)
        #expect(out.evicted == Array(100..<110))
        #expect(try f.engine.view.splitLRULists(of: "a").anon.inactive == before.inactive)
        #expect(try f.engine.view.splitLRULists(of: "a").anon.active == [200] + before.active)
    }

    /// An anon page that cannot go to swap now (the slots ran out during
    /// the scan) goes to the head of the anon LRU's active list, never to
    /// the file LRU.
    @Test func unevictableNowStaysOnItsOwnLRU() throws {
        let f = try filled(anon: 10, file: 10, swap: 2, swappiness: 200)
        let out = try f.event(.anonFault, pid: 1, page: 200)
        #expect(out.evicted == [0, 1] + Array(100..<110))
        let lists = try f.engine.view.splitLRULists(of: "a")
        #expect(lists.file.active.isEmpty && lists.file.inactive.isEmpty)
        #expect(Set(lists.anon.active + lists.anon.inactive) == Set(Array(2..<10) + [200]))
        #expect(f.engine.brokenInvariants.isEmpty)
    }

    /// The division is computed in full width: a large forced reclaim on a
    /// large machine neither wraps nor exceeds what was asked.
    @Test func shareNeverWraps() {
        let big = 1 << 31
        #expect(MemcgEngine.anonShare(of: big, swappiness: 200, anon: big, file: big) == big)
        #expect(MemcgEngine.anonShare(of: big, swappiness: 100, anon: big, file: big) == big / 2)
        #expect(MemcgEngine.anonShare(of: 32, swappiness: 0, anon: 0, file: 0) == 0)
        #expect(MemcgEngine.anonShare(of: 32, swappiness: 200, anon: 10, file: 0) == 32)
    }

    /// The machine's default lists follow the interface, and either can be chosen.
    @Test func defaults() throws {
        #expect(try Machine(cgroup: .v2).lru == .split)
        #expect(try Machine(cgroup: .v1).lru == .seed)
        #expect(try Machine(cgroup: .v1, lru: .split).lru == .split)
        #expect(try Machine(cgroup: .v2, lru: .seed).lru == .seed)
        #expect(try Machine().swappiness == 60)
        #expect(throws: EngineError.self) { try Machine(swappiness: 201) }
        #expect(throws: EngineError.self) { try Machine(swappiness: -1) }
    }

    /// With one kind of page, both settings give the same exact orders
    /// (the seed's orders of PageTests.secondChance).
    @Test(arguments: LRUMode.allCases)
    func secondChanceOrdersInBothModes(lru: LRUMode) throws {
        let f = try Fixture(lru: lru)
        try f.container("a", limit: 80)
        try f.process(1, in: "a")
        try f.range(.pagecacheAdd, pid: 1, from: 0, count: 80)
        let first = try f.event(.pagecacheAdd, pid: 1, page: 80)
        #expect(first.evicted == Array(0..<32))
        #expect(try f.engine.view.lruLists(of: "a").inactive == Array((32..<40).reversed()))
        try f.event(.access, page: 32)
        try f.event(.access, page: 33)
        try f.event(.access, page: 33)
        #expect(try f.run(.setLimit(name: "a", limitPages: 49)).evictedCount == 0)
        let second = try f.event(.pagecacheAdd, pid: 1, page: 81)
        #expect(second.evicted == Array(34...65))
        #expect(try f.engine.view.lruLists(of: "a").active.prefix(3) == [81, 32, 33])
    }
}
