import Testing
@testable import MemcgEngine

/// The page counter tree adds runs of one container's charges up the
/// hierarchy once (PageCounterTree's runs). Nothing a user sees may change:
/// these compare one batch of events against the same events applied one
/// command per page, where every run is a single page.
@Suite struct CounterRunTests {
    /// A chain a > b > c with the process in c, limits on a and b.
    private func chain(limitA: Int?, limitB: Int?, high: Int? = nil) throws -> Fixture {
        let f = try Fixture(frames: 512)
        try f.container("a", limit: limitA)
        try f.container("b", parent: "a", limit: limitB)
        try f.container("c", parent: "b")
        if let high { try f.run(.setLimits(name: "b", ControlValues([(.high, high)]))) }
        try f.process(1, in: "c")
        return f
    }

    private func counters(_ f: Fixture) throws -> [[Int]] {
        try ["a", "b", "c"].map { n in
            let s = try f.stats(n)
            return [s.usage, s.maxUsage, s.failcnt, s.local.eventsMax, s.local.eventsHigh, s.local.pgsteal, s.local.eventsOOMKill]
        }
    }

    /// Events as one command (runs of many pages) and as one command per page.
    private func compare(limitA: Int?, limitB: Int?, high: Int? = nil, _ events: [PageEvent]) throws -> [[Int]] {
        let batched = try chain(limitA: limitA, limitB: limitB, high: high)
        let batchOut = try batched.run(.events(events, listEvicted: true))
        let single = try chain(limitA: limitA, limitB: limitB, high: high)
        var singleEvicted: [Int] = []
        for e in events {
            for i in 0..<e.pageCount {
                let one = PageEvent(e.op, pid: e.pid, page: e.page(at: i), oldPage: e.oldPage(at: i))
                singleEvicted += try single.run(.events([one], listEvicted: true)).evicted
            }
        }
        let a = try counters(batched), b = try counters(single)
        #expect(a == b)
        #expect(batchOut.evicted == singleEvicted)
        return a
    }

    /// A range that runs into b's limit: the refusal is found at b on the
    /// same page, failcnt and the max event once per refused page, and the
    /// watermark is the limit, not more.
    @Test func runIntoTheLimit() throws {
        let c = try compare(limitA: nil, limitB: 40, [PageEvent(op: .anonFault, pid: 1, pages: .range(first: 0, count: 60))])
        #expect(c[1][0] == 0)  // no swap: pid 1 was killed, its pages went
        #expect(c[1][1] == 40)
        #expect(c[1][2] == 1)
        #expect(c[0][1] == 40 && c[0][2] == 0)
    }

    /// File pages reclaim instead of killing: every page is charged, b's
    /// watermark stays at its limit and the evictions come in the same order.
    @Test func runsAroundReclaim() throws {
        let c = try compare(limitA: 50, limitB: 30, [PageEvent(op: .fileFault, pid: 1, pages: .range(first: 0, count: 200))])
        #expect(c[1][0] <= 30 && c[1][1] == 30)
        #expect(c[2][5] > 0)
        #expect(c[0][6] == 0)
    }

    /// A copy-on-write charges the new page before the old one goes: the
    /// watermark sees the page more even though usage ends where it began.
    @Test func cowPeakIsKept() throws {
        let f = try chain(limitA: nil, limitB: nil)
        try f.range(.anonFault, pid: 1, from: 0, count: 10)
        try f.run(.events([PageEvent(op: .cow, pid: 1, pages: .range(first: 100, count: 10),
                                     oldPages: .range(first: 0, count: 10))], listEvicted: false))
        for n in ["a", "b", "c"] {
            #expect(try f.stats(n).usage == 10)
            #expect(try f.stats(n).maxUsage == 11)
        }
    }

    /// memory.high inside a run: the high events and reclaim rounds come
    /// on the same pages as one page at a time.
    @Test func highInsideARun() throws {
        let c = try compare(limitA: nil, limitB: nil, high: 20, [PageEvent(op: .fileFault, pid: 1, pages: .range(first: 0, count: 100))])
        #expect(c[1][4] > 0)
    }

    /// Charges, unmaps and faults mixed in one batch, with the last run of
    /// the batch settled before the command returns.
    @Test func mixedBatch() throws {
        let events = [
            PageEvent(op: .anonFault, pid: 1, pages: .range(first: 0, count: 25)),
            PageEvent(op: .unmap, pid: 1, pages: .range(first: 5, count: 10)),
            PageEvent(op: .fileFault, pid: 1, pages: .list([40, 3, 41, 42, 7])),
            PageEvent(op: .unmap, pid: 1, pages: .list([40, 0, 1])),
            PageEvent(op: .anonFault, pid: 1, pages: .range(first: 60, count: 30)),
        ]
        let c = try compare(limitA: 45, limitB: nil, events)
        #expect(c[2][0] == c[0][0])
    }
}
