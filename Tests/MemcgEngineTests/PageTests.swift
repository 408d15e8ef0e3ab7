import Testing
@testable import MemcgEngine

@Suite struct PageTests {
    /// A page shared by two containers stays with its first owner.
    @Test func firstTouchOwns() throws {
        let f = try Fixture()
        try f.container("a"); try f.container("b")
        try f.process(1, in: "a"); try f.process(2, in: "b")
        try f.event(.fileFault, pid: 1, page: 5)
        try f.event(.fileFault, pid: 2, page: 5)
        #expect(f.engine.view.owner(ofPage: 5) == "a")
        #expect(try f.stats("a").usage == 1)
        #expect(try f.stats("b").usage == 0)
        #expect(f.engine.view.references(ofPage: 5).mappings == 2)
        try f.event(.unmap, pid: 1, page: 5)
        #expect(f.engine.view.owner(ofPage: 5) == "a")
        try f.event(.unmap, pid: 2, page: 5)
        #expect(f.engine.view.owner(ofPage: 5) == nil)
        #expect(try f.stats("a").local.pgpgout == 1)
    }

    /// Page cache filled without a process is charged to the root.
    @Test func kernelContextChargesRoot() throws {
        let f = try Fixture()
        try f.event(.pagecacheAdd, page: 1)
        #expect(f.engine.view.owner(ofPage: 1) == "root")
        #expect(try f.stats("root").local.cache == 1)
    }

    /// A moved process leaves its old charges behind; new charges go to the new container.
    @Test func moveLeavesChargesBehind() throws {
        let f = try Fixture()
        try f.container("a"); try f.container("b")
        try f.process(1, in: "a")
        try f.event(.anonFault, pid: 1, page: 1)
        try f.run(.moveProcess(pid: 1, container: "b"))
        try f.event(.anonFault, pid: 1, page: 2)
        #expect(f.engine.view.owner(ofPage: 1) == "a")
        #expect(f.engine.view.owner(ofPage: 2) == "b")
        try f.event(.unmap, pid: 1, page: 1)
        #expect(try f.stats("a").usage == 0)
        #expect(try f.stats("a").local.pgpgout == 1)
    }

    /// The `mapped` charge type skips page-cache and swap-cache charges but not faults.
    @Test func mappedChargeType() throws {
        let f = try Fixture()
        try f.container("m", type: .mapped)
        try f.process(1, in: "m")
        let out = try f.event(.pagecacheAdd, pid: 1, page: 3)
        #expect(out.applied == 1)
        #expect(f.engine.view.owner(ofPage: 3) == nil)
        try f.event(.swapcacheAdd, pid: 1, page: 4)
        #expect(f.engine.view.owner(ofPage: 4) == nil)
        try f.event(.fileFault, pid: 1, page: 3)
        #expect(f.engine.view.owner(ofPage: 3) == "m")
        #expect(try f.stats("m").local.cache == 1)
        #expect(try f.stats("m").local.mappedFile == 1)
    }

    /// Unmap of a page a process never mapped is a counted no-op.
    @Test func unbalancedUnmap() throws {
        let f = try Fixture()
        try f.process(1, in: "root")
        try f.process(2, in: "root")
        try f.event(.anonFault, pid: 1, page: 1)
        let out = try f.event(.unmap, pid: 2, page: 1)
        #expect(out.applied == 1 && out.failed == 0)
        #expect(f.engine.view.owner(ofPage: 1) == "root")
        #expect(f.engine.view.engineSnapshot.counters.unbalancedUncharges == 1)
        #expect(f.engine.view.engineSnapshot.counters.events[PageOp.unmap.rawValue][EventResult.noop.rawValue] == 1)
        try f.event(.pagecacheRemove, page: 1)
        #expect(f.engine.view.engineSnapshot.counters.unbalancedUncharges == 2)
    }

    /// A process may map a page more than once; each unmap drops one.
    @Test func multipleMappings() throws {
        let f = try Fixture()
        try f.process(1, in: "root")
        try f.event(.fileFault, pid: 1, page: 1)
        try f.event(.fileFault, pid: 1, page: 1)
        try f.event(.pagecacheAdd, pid: 1, page: 1)
        #expect(f.engine.view.references(ofPage: 1) == (2, true, false))
        try f.event(.unmap, pid: 1, page: 1)
        try f.event(.unmap, pid: 1, page: 1)
        #expect(f.engine.view.owner(ofPage: 1) == "root")
        try f.event(.pagecacheRemove, page: 1)
        #expect(f.engine.view.owner(ofPage: 1) == nil)
        #expect(f.engine.view.engineSnapshot.counters.charges == 1)
        #expect(f.engine.view.engineSnapshot.counters.uncharges == 1)
    }

    /// Free of a still-referenced page drops its references and counts an anomaly.
    @Test func freeReferencedPage() throws {
        let f = try Fixture()
        try f.process(1, in: "root")
        try f.event(.anonFault, pid: 1, page: 1)
        try f.event(.swapcacheAdd, page: 1)
        try f.event(.free, page: 1)
        #expect(f.engine.view.owner(ofPage: 1) == nil)
        #expect(f.engine.view.engineSnapshot.counters.anomalies == 1)
        #expect(try f.engine.view.process(pid: 1).mappedPages == 0)
        try f.event(.free, page: 1)
        #expect(f.engine.view.engineSnapshot.counters.anomalies == 1)
    }

    /// Migrate keeps usage, owner, references and LRU position.
    @Test func migrate() throws {
        let f = try Fixture()
        try f.container("a")
        try f.process(1, in: "a")
        try f.range(.fileFault, pid: 1, from: 0, count: 3)
        try f.event(.pagecacheAdd, page: 1)
        try f.event(.migrate, page: 50, old: 1)
        #expect(try f.stats("a").usage == 3)
        #expect(f.engine.view.owner(ofPage: 50) == "a")
        #expect(f.engine.view.owner(ofPage: 1) == nil)
        #expect(f.engine.view.references(ofPage: 50) == (1, true, false))
        #expect(try f.engine.view.lruLists(of: "a").active == [2, 50, 0])
        #expect(try f.stats("a").local.pgpgin == 3)
        let busy = try f.event(.migrate, page: 0, old: 2)
        #expect(busy.failures.map(\.result) == [.EBUSY])
        try f.event(.unmap, pid: 1, page: 50)
        try f.event(.pagecacheRemove, page: 50)
        #expect(try f.stats("a").usage == 2)
    }

    /// cow charges the new page, then unmaps the old one.
    @Test func cow() throws {
        let f = try Fixture()
        try f.process(1, in: "root")
        try f.event(.anonFault, pid: 1, page: 1)
        try f.run(.fork(pid: 2, parentPid: 1))
        #expect(f.engine.view.references(ofPage: 1).mappings == 2)
        try f.event(.cow, pid: 2, page: 2, old: 1)
        #expect(f.engine.view.references(ofPage: 1).mappings == 1)
        #expect(f.engine.view.mappings(ofPage: 2, pid: 2) == 1)
        #expect(try f.stats("root").local.pgfault == 2)
    }

    /// fork maps each parent page once, even one the parent maps twice; pins are not inherited.
    @Test func fork() throws {
        let f = try Fixture()
        try f.container("a")
        try f.process(1, in: "a")
        try f.event(.fileFault, pid: 1, page: 3)
        try f.event(.fileFault, pid: 1, page: 3)
        try f.event(.anonFault, pid: 1, page: 4)
        try f.event(.mlock, pid: 1, page: 4)
        try f.run(.fork(pid: 2, parentPid: 1))
        let child = try f.engine.view.process(pid: 2)
        #expect(child.container == "a" && child.mappedPages == 2 && child.mappings == 2 && child.pinnedPages == 0)
        try f.run(.exitProcess(pid: 1))
        #expect(try f.stats("a").usage == 2)
        #expect(try f.stats("a").local.unevictable == 0)
        try f.run(.exitProcess(pid: 2))
        #expect(try f.stats("a").usage == 0)
    }

    /// access: inactive page gets referenced, then activated; active page gets referenced.
    @Test func access() throws {
        let f = try Fixture(swap: 8)
        try f.container("a")
        try f.process(1, in: "a")
        try f.range(.fileFault, pid: 1, from: 0, count: 2)
        try f.run(.setLimit(name: "a", limitPages: 100))
        // Balance moves page 0 (active tail) to inactive by a reclaim scan of an empty need:
        #expect(try f.engine.view.lruLists(of: "a").active == [1, 0])
        try f.event(.access, page: 0)
        #expect(f.engine.view.isReferenced(0))
        try f.container("b", limit: 1)
        try f.process(2, in: "b")
        try f.event(.fileFault, pid: 2, page: 10)
        try f.event(.access, page: 10)
        // Reclaim in b: balance moves 10 to inactive (clearing referenced), then evicts it.
        let out = try f.event(.fileFault, pid: 2, page: 11)
        #expect(out.evicted == [10])
        #expect(f.engine.view.owner(ofPage: 11) == "b")
    }

    /// A referenced inactive page gets a second chance; two accesses activate it.
    @Test func secondChance() throws {
        let f = try Fixture()
        try f.container("a", limit: 80)
        try f.process(1, in: "a")
        try f.range(.pagecacheAdd, pid: 1, from: 0, count: 80)
        // A round balances 40/40 and evicts 32 from the inactive tail.
        let first = try f.event(.pagecacheAdd, pid: 1, page: 80)
        #expect(first.evicted == Array(0..<32))
        #expect(try f.engine.view.lruLists(of: "a").inactive == Array((32..<40).reversed()))
        try f.event(.access, page: 32)
        try f.event(.access, page: 33)
        try f.event(.access, page: 33)
        #expect(try f.engine.view.lruLists(of: "a").active.prefix(2) == [33, 80])
        // Usage is 49 now: make that the limit, so the next charge reclaims.
        #expect(try f.run(.setLimit(name: "a", limitPages: 49)).evictedCount == 0)
        let second = try f.event(.pagecacheAdd, pid: 1, page: 81)
        #expect(second.evicted == Array(34...65))
        let lists = try f.engine.view.lruLists(of: "a")
        #expect(lists.active.prefix(3) == [81, 32, 33])
        #expect(!f.engine.view.isReferenced(32))
    }

    /// mlock pins a mapped page (unevictable); munlock returns it to the active head.
    @Test func mlock() throws {
        let f = try Fixture()
        try f.container("a")
        try f.process(1, in: "a")
        try f.process(2, in: "a")
        try f.range(.fileFault, pid: 1, from: 0, count: 3)
        let notMapped = try f.event(.mlock, pid: 2, page: 0)
        #expect(notMapped.applied == 1)
        #expect(f.engine.view.engineSnapshot.counters.events[PageOp.mlock.rawValue][EventResult.noop.rawValue] == 1)
        try f.event(.mlock, pid: 1, page: 0)
        try f.event(.mlock, pid: 1, page: 0)
        #expect(f.engine.view.engineSnapshot.counters.events[PageOp.mlock.rawValue][EventResult.noop.rawValue] == 2)
        #expect(try f.engine.view.lruLists(of: "a").unevictable == [0])
        try f.event(.munlock, pid: 1, page: 0)
        #expect(try f.engine.view.lruLists(of: "a").active == [0, 2, 1])
        // A pin goes with the last mapping.
        try f.event(.mlock, pid: 1, page: 1)
        try f.event(.fileFault, pid: 2, page: 1)
        try f.event(.unmap, pid: 1, page: 1)
        #expect(try f.engine.view.lruLists(of: "a").active.first == 1)
        #expect(try f.stats("a").local.unevictable == 0)
    }

    /// insert_page pages are unevictable.
    @Test func insertPage() throws {
        let f = try Fixture(swap: 16)
        try f.container("a", limit: 2)
        try f.process(1, in: "a")
        try f.range(.insertPage, pid: 1, from: 0, count: 2)
        #expect(try f.stats("a").local.unevictable == 2)
        let out = try f.event(.anonFault, pid: 1, page: 5)
        #expect(out.evictedCount == 0)
        #expect(out.failures.map(\.result) == [.ENOMEM])
    }

    /// Reclaim with swap evicts anonymous pages into swap; swapin releases the slot.
    @Test func reclaimWithSwap() throws {
        let f = try Fixture(swap: 16)
        try f.container("a", limit: 4)
        try f.process(1, in: "a")
        try f.range(.anonFault, pid: 1, from: 0, count: 4)
        let out = try f.event(.anonFault, pid: 1, page: 4)
        // One round tries 32 pages: all four go to swap.
        #expect(out.evicted == [0, 1, 2, 3])
        #expect(out.failures.isEmpty)
        #expect(try f.stats("a").local.swap == 4)
        #expect(try f.stats("a").local.rss == 1)
        try f.event(.swapin, pid: 1, page: 20, old: 2)
        #expect(try f.stats("a").local.swap == 3)
        #expect(f.engine.view.engineSnapshot.swapUsed == 3)
        #expect(f.engine.view.owner(ofPage: 20) == "a")
        try f.run(.exitProcess(pid: 1))
        #expect(f.engine.view.engineSnapshot.swapUsed == 0)
        #expect(try f.stats("a").local.swap == 0)
    }

    /// swap_free gives up one process's claim on the oldest slot that
    /// remembers it; the slot goes with the last claim; no slot is a no-op.
    @Test func swapFreeReleasesClaims() throws {
        let f = try Fixture(swap: 16)
        try f.container("a", limit: 2)
        try f.process(1, in: "a")
        try f.range(.anonFault, pid: 1, from: 0, count: 2)
        try f.run(.fork(pid: 2, parentPid: 1))
        try f.event(.anonFault, pid: 1, page: 5)  // evicts 0 and 1 into two slots remembering pids 1 and 2
        #expect(try f.stats("a").local.swap == 2)
        let first = try f.event(.swapFree, pid: 1, page: 0)
        #expect(first.applied == 1 && first.failures.isEmpty)
        #expect(try f.stats("a").local.swap == 2)  // pid 2 still claims it
        try f.event(.swapFree, pid: 2, page: 0)
        #expect(try f.stats("a").local.swap == 1)
        #expect(f.engine.view.engineSnapshot.swapUsed == 1)
        let again = try f.event(.swapFree, pid: 2, page: 0)
        #expect(again.applied == 1)
        #expect(f.engine.view.engineSnapshot.counters.events[PageOp.swapFree.rawValue][EventResult.noop.rawValue] == 1)
        #expect(try f.stats("a").local.swap == 1)
    }

    /// Without swap, anonymous pages are not reclaimed: the charge OOMs.
    @Test func reclaimWithoutSwap() throws {
        let f = try Fixture()
        try f.container("a", limit: 4)
        try f.process(1, in: "a")
        try f.process(2, in: "a")
        try f.range(.anonFault, pid: 1, from: 0, count: 3)
        try f.range(.anonFault, pid: 2, from: 10, count: 1)
        let out = try f.event(.anonFault, pid: 2, page: 11)
        #expect(out.evictedCount == 0)
        #expect(out.oomKills == [OOMKill(pid: 1, container: "a", pages: 3)])
        #expect(out.failures == [EventFailure(index: 0, page: 11, result: .ENOMEM, container: "a")])
        #expect(try f.stats("a").usage == 1)
        #expect(f.engine.view.owner(ofPage: 11) == nil)
    }

    /// OOM ties go to the lowest pid.
    @Test func oomTie() throws {
        let f = try Fixture()
        try f.container("a", limit: 2)
        try f.process(9, in: "a"); try f.process(4, in: "a")
        try f.event(.anonFault, pid: 9, page: 0)
        try f.event(.anonFault, pid: 4, page: 1)
        let out = try f.event(.anonFault, pid: 9, page: 2)
        #expect(out.oomKills.map(\.pid) == [4])
    }

    /// Shmem pages count as cache and shmem, sit on the anon LRU and need swap to be evicted.
    @Test func shmem() throws {
        let f = try Fixture()
        try f.container("a", limit: 2)
        try f.event(.pagecacheAdd, page: 0, shmem: true)
        try f.process(1, in: "a")
        try f.event(.pagecacheAdd, pid: 1, page: 1, shmem: true)
        let s = try f.stats("a")
        #expect(s.local.cache == 1 && s.local.shmem == 1 && s.local.activeAnon == 1 && s.local.rss == 0)
    }

    /// pgfault counts faults whether or not the charge succeeds.
    @Test func pgfault() throws {
        let f = try Fixture()
        try f.container("a", limit: 0)
        try f.process(1, in: "a")
        try f.process(2, in: "a")
        try f.event(.fileFault, pid: 1, page: 0)
        try f.event(.insertPage, pid: 2, page: 1)
        #expect(try f.stats("a").local.pgfault == 1)
    }

    /// Errors are per event: unknown pid ESRCH, page out of range EINVAL; the batch goes on.
    @Test func perEventErrors() throws {
        let f = try Fixture(frames: 16)
        try f.process(1, in: "root")
        let out = try f.run(.events([
            PageEvent(.anonFault, pid: 1, page: 3),
            PageEvent(.anonFault, pid: 99, page: 4),
            PageEvent(op: .anonFault, pid: 1, pages: .range(first: 14, count: 4)),
        ], listEvicted: false))
        #expect(out.applied == 3)
        #expect(out.failed == 3)
        #expect(out.failures == [EventFailure(index: 1, page: 4, count: 1, result: .ESRCH),
                                 EventFailure(index: 2, page: 16, count: 2, result: .EINVAL)])
    }

    /// Failures are reported as runs: consecutive in the event and in page
    /// number, same result and container. A list breaks a run where the
    /// page numbers jump or an applied page comes between.
    @Test func failureRuns() throws {
        let f = try Fixture(frames: 16)
        try f.process(1, in: "root")
        let out = try f.run(.events([
            PageEvent(op: .anonFault, pid: 1, pages: .list([20, 21, 22, 30, 3, 23, 24])),
            PageEvent(op: .anonFault, pid: 1, pages: .range(first: Int.max - 5, count: 5)),
        ], listEvicted: false))
        #expect(out.failures == [EventFailure(index: 0, page: 20, count: 3, result: .EINVAL),
                                 EventFailure(index: 0, page: 30, count: 1, result: .EINVAL),
                                 EventFailure(index: 0, page: 23, count: 2, result: .EINVAL),
                                 EventFailure(index: 1, page: Int.max - 5, count: 5, result: .EINVAL)])
        #expect(out.failed == 11 && out.applied == 1)
    }

    /// An OOM kill in the middle of a long range is two entries: ENOMEM for
    /// the page that found the container full, ESRCH for the rest.
    @Test func oomMidRangeIsTwoEntries() throws {
        let f = try Fixture(frames: 4096)
        try f.container("a", limit: 100)
        try f.process(1, in: "a")
        let out = try f.range(.anonFault, pid: 1, from: 0, count: 3000)
        #expect(out.failures == [EventFailure(index: 0, page: 100, count: 1, result: .ENOMEM, container: "a"),
                                 EventFailure(index: 0, page: 101, count: 2899, result: .ESRCH)])
        #expect(out.oomKills.map(\.pid) == [1])
        #expect(out.failed == 2900 && out.applied == 100)
    }

    /// A range whose end does not fit in 64 bits is a structural fault: the
    /// whole batch is refused and nothing changes (no wrap to frame 0).
    @Test(arguments: [(Int.max, 3, nil as Int?), (Int.max - 1, 2, nil), (0, 2, Int.max), (5, 2, Int.max - 1)])
    func rangeEndOverflowRefused(page: Int, count: Int, old: Int?) throws {
        let f = try Fixture(frames: 16)
        try f.process(1, in: "root")
        let op: PageOp = old == nil ? .anonFault : .cow
        let e = PageEvent(op: op, pid: 1, pages: .range(first: page, count: count), oldPages: old.map { .range(first: $0, count: count) })
        #expect(throws: EngineError.self) { try f.run(.events([PageEvent(.anonFault, pid: 1, page: 0), e], listEvicted: false)) }
        #expect(f.engine.view.owner(ofPage: 0) == nil)
        #expect(f.engine.view.owner(ofPage: 1) == nil)
        #expect(f.engine.view.engineSnapshot.chargedPages == 0)
    }

    /// A range that ends exactly at Int.max fits: every page is EINVAL for itself.
    @Test func rangeEndingAtIntMaxIsPerPage() throws {
        let f = try Fixture(frames: 16)
        try f.process(1, in: "root")
        let out = try f.run(.events([PageEvent(op: .anonFault, pid: 1, pages: .range(first: Int.max - 3, count: 3))], listEvicted: false))
        #expect(out.failures == [EventFailure(index: 0, page: Int.max - 3, count: 3, result: .EINVAL)])
        #expect(f.engine.view.engineSnapshot.chargedPages == 0)
    }

    /// A structurally bad batch is rejected whole and changes nothing.
    @Test func badBatchChangesNothing() throws {
        let f = try Fixture(frames: 16)
        try f.process(1, in: "root")
        let bad: [[PageEvent]] = [
            [PageEvent(.anonFault, pid: 1, page: 3), PageEvent(.anonFault, page: 4)],
            [PageEvent(.anonFault, pid: 1, page: 3), PageEvent(op: .anonFault, pid: 1, pages: .range(first: 0, count: 17))],
            [PageEvent(.anonFault, pid: 1, page: 3), PageEvent(.cow, pid: 1, page: 5)],
            [PageEvent(.anonFault, pid: 1, page: 3), PageEvent(.unmap, pid: 1, page: 5, shmem: true)],
            [PageEvent(.anonFault, pid: 1, page: 3), PageEvent(.unmap, pid: 1, page: -1)],
            [PageEvent(op: .migrate, pages: .list([1, 2]), oldPages: .list([3]))],
        ]
        for batch in bad {
            #expect(throws: EngineError.self) { try f.run(.events(batch, listEvicted: false)) }
        }
        #expect(f.engine.view.owner(ofPage: 3) == nil)
        #expect(f.engine.view.engineSnapshot.counters.charges == 0)
    }

    /// A page list and a range are the same as single events in order.
    @Test func listsAndRanges() throws {
        let f = try Fixture()
        try f.process(1, in: "root")
        let out = try f.run(.events([
            PageEvent(op: .anonFault, pid: 1, pages: .list([5, 9, 5])),
            PageEvent(op: .cow, pid: 1, pages: .range(first: 20, count: 2), oldPages: .range(first: 5, count: 2)),
            PageEvent(op: .migrate, pages: .list([30]), oldPages: .list([9])),
        ], listEvicted: false))
        #expect(out.applied == 6)
        #expect(f.engine.view.mappings(ofPage: 5, pid: 1) == 1)
        #expect(f.engine.view.owner(ofPage: 6) == nil)
        #expect(f.engine.view.owner(ofPage: 30) == "root")
        #expect(try f.engine.view.process(pid: 1).mappedPages == 4)
    }

    /// The same commands give the same state and replies.
    @Test func determinism() throws {
        func run() throws -> (String, [Int]) {
            let f = try Fixture(frames: 128, swap: 16)
            try f.container("a", limit: 20)
            var gen = TraceGenerator(rng: SeededRandom(seed: 77), frames: 128)
            var evicted: [Int] = []
            var procs: [Int: String] = [:]
            for _ in 0..<3000 {
                let c = gen.command(procs: procs, leafExists: false)
                if let out = try? f.engine.apply(c) { evicted += out.evicted }
                procs = Dictionary(uniqueKeysWithValues: f.engine.view.allProcesses().map { ($0.pid, $0.container) })
            }
            return ("\(f.engine.view.allContainers())", evicted)
        }
        let (a, ea) = try run()
        let (b, eb) = try run()
        #expect(a == b)
        #expect(ea == eb)
    }
}
