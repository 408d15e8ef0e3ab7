import Testing
@testable import MemcgEngine

/// The reverse map's shared-page sets (`MapperSets`): many sharers,
/// removal in every order, pins, re-mapping, mapping order, snapshots,
/// and the invariant check catching a broken index.
@Suite struct ReverseMapTests {
    private func slot(_ i: Int) -> ProcessSlot { ProcessSlot(i) }
    private let live: (ProcessSlot) -> Bool = { _ in true }

    /// A page mapped by `n` processes (slots 0..<n, in that order).
    private func shared(_ n: Int, pfn: Int = 3) -> (ReverseMap, PFN) {
        let r = ReverseMap(frames: 16)!
        let p = PFN(unchecked: pfn)
        for i in 0..<n { _ = r.add(p, slot: slot(i)) }
        return (r, p)
    }

    @Test func manySharersAddFindRemove() {
        let (r, p) = shared(1000)
        #expect(r.totalMappings(p) == 1000)
        for i in 0..<1000 { #expect(r.mapCount(p, slot: slot(i)) == 1) }
        #expect(r.mapCount(p, slot: slot(1000)) == 0)
        #expect(r.add(p, slot: slot(7)).firstForProcess == false)
        #expect(r.mapCount(p, slot: slot(7)) == 2)
        #expect(r.checkInvariants(charged: [p], isLive: live).isEmpty)
        #expect(r.mappersInOrder(p).map(\.raw) == Array(0..<1000))
    }

    /// Removal in ascending, descending and a scrambled order; after each
    /// step the others keep their counts and their order.
    @Test func removalInEveryOrder() {
        let n = 40
        let scrambled = (0..<n).map { ($0 * 17) % n }
        for order in [Array(0..<n), Array((0..<n).reversed()), scrambled] {
            let (r, p) = shared(n)
            var left = Array(0..<n)
            for s in order {
                let removed = r.remove(p, slot: slot(s), count: nil)
                #expect(removed?.lastForProcess == true)
                left.removeAll { $0 == s }
                #expect(removed?.lastForPage == left.isEmpty)
                #expect(r.remove(p, slot: slot(s), count: nil) == nil)
                #expect(r.mappersInOrder(p).map(\.raw) == left)
                #expect(r.totalMappings(p) == left.count)
                if !left.isEmpty { #expect(r.checkInvariants(charged: [p], isLive: live).isEmpty) }
            }
            #expect(!r.isMapped(p))
        }
    }

    /// Every order of removal of four sharers (all 24 permutations).
    @Test func everyPermutationOfFour() {
        func permutations(_ a: [Int]) -> [[Int]] {
            a.count <= 1 ? [a] : a.indices.flatMap { i in permutations(a.enumerated().filter { $0.offset != i }.map(\.element)).map { [a[i]] + $0 } }
        }
        for perm in permutations([0, 1, 2, 3]) {
            let (r, p) = shared(4)
            var left = [0, 1, 2, 3]
            for s in perm {
                #expect(r.remove(p, slot: slot(s), count: nil) != nil)
                left.removeAll { $0 == s }
                #expect(r.mappersInOrder(p).map(\.raw) == left)
                if r.isMapped(p) { #expect(r.checkInvariants(charged: [p], isLive: live).isEmpty) }
            }
        }
    }

    @Test func pinsCountAndGoWithTheLastMapping() {
        let (r, p) = shared(10)
        r.setPinned(p, slot: slot(2), true)
        r.setPinned(p, slot: slot(5), true)
        r.setPinned(p, slot: slot(5), true)
        #expect(r.pinCount(p) == 2)
        #expect(r.isPinned(p, slot: slot(5)) && !r.isPinned(p, slot: slot(4)))
        r.setPinned(p, slot: slot(2), false)
        #expect(r.pinCount(p) == 1)
        _ = r.add(p, slot: slot(5))
        #expect(r.remove(p, slot: slot(5), count: 1)?.unpinned == false)
        #expect(r.isPinned(p, slot: slot(5)))
        #expect(r.remove(p, slot: slot(5), count: nil)?.unpinned == true)
        #expect(r.pinCount(p) == 0)
        // A pin survives the way back to a single mapper.
        r.setPinned(p, slot: slot(9), true)
        for s in 0..<9 where s != 5 { _ = r.remove(p, slot: slot(s), count: nil) }
        #expect(r.isPinned(p, slot: slot(9)) && r.pinCount(p) == 1 && r.mapCount(p, slot: slot(9)) == 1)
        #expect(r.checkInvariants(charged: [p], isLive: live).isEmpty)
    }

    /// A process that left the set joins again last; a set that shrank
    /// and grew again keeps everything.
    @Test func remappingAfterRemoval() {
        let (r, p) = shared(64)
        for s in 0..<60 { _ = r.remove(p, slot: slot(s), count: nil) }
        #expect(r.mappersInOrder(p).map(\.raw) == [60, 61, 62, 63])
        #expect(r.add(p, slot: slot(10)).firstForProcess)
        #expect(r.add(p, slot: slot(0)).firstForProcess)
        #expect(r.mappersInOrder(p).map(\.raw) == [60, 61, 62, 63, 10, 0])
        for s in 100..<200 { _ = r.add(p, slot: slot(s)) }
        #expect(r.mappersInOrder(p).map(\.raw) == [60, 61, 62, 63, 10, 0] + Array(100..<200))
        #expect(r.checkInvariants(charged: [p], isLive: live).isEmpty)
        var seen: [Int] = []
        r.removeAllInMappingOrder(p) { seen.append($0.raw) }
        #expect(seen == [60, 61, 62, 63, 10, 0] + Array(100..<200))
        #expect(!r.isMapped(p) && r.checkInvariants(charged: [p], isLive: live).isEmpty)
        // Sets are reused from the pool.
        _ = r.add(p, slot: slot(1)); _ = r.add(p, slot: slot(2))
        #expect(r.checkInvariants(charged: [p], isLive: live).isEmpty)
    }

    /// A single mapper whose count outgrows 16 bits moves to a set of one.
    @Test func singleCountOverflow() {
        let r = ReverseMap(frames: 4)!
        let p = PFN(unchecked: 1)
        for _ in 0..<40_000 { _ = r.add(p, slot: slot(3)) }
        #expect(r.mapCount(p, slot: slot(3)) == 40_000)
        #expect(r.checkInvariants(charged: [p], isLive: live).isEmpty)
        #expect(r.remove(p, slot: slot(3), count: 39_999)?.lastForProcess == false)
        #expect(r.remove(p, slot: slot(3), count: 1)?.lastForPage == true)
    }

    /// Sequence numbers running out are renumbered in the same order.
    @Test func renumberingKeepsOrder() {
        let (r, p) = shared(5)
        _ = r.remove(p, slot: slot(1), count: nil)
        r.setNextSequence(p, UInt32.max - 2)
        for s in 10..<15 { _ = r.add(p, slot: slot(s)) }
        #expect(r.mappersInOrder(p).map(\.raw) == [0, 2, 3, 4, 10, 11, 12, 13, 14])
        #expect(r.checkInvariants(charged: [p], isLive: live).isEmpty)
    }

    /// Snapshot words of a shared page read back to the same map (mapping
    /// order included); a slot listed twice is refused.
    @Test func encodeDecodeRoundTrip() throws {
        let (r, p) = shared(30)
        for s in stride(from: 0, to: 30, by: 3) { _ = r.remove(p, slot: slot(s), count: nil) }
        _ = r.add(p, slot: slot(0)); _ = r.add(p, slot: slot(4))
        r.setPinned(p, slot: slot(8), true)
        var w = BinaryWriter()
        r.encode(p, into: &w)
        let bytes = w.bytes
        let back = ReverseMap(frames: 16)!
        var rd = BinaryReader(bytes)
        try back.decode(p, from: &rd, slots: 100)
        #expect(back.mappersInOrder(p) == r.mappersInOrder(p))
        for s in 0..<30 {
            #expect(back.mapCount(p, slot: slot(s)) == r.mapCount(p, slot: slot(s)))
            #expect(back.isPinned(p, slot: slot(s)) == r.isPinned(p, slot: slot(s)))
        }
        var w2 = BinaryWriter()
        back.encode(p, into: &w2)
        #expect(w2.bytes == bytes)
        var dup = BinaryWriter()
        dup.u8(2); dup.u32(2)
        for _ in 0..<2 { dup.u32(5); dup.u32(1); dup.bool(false) }
        var rd2 = BinaryReader(dup.bytes)
        #expect(throws: EngineError.self) { try ReverseMap(frames: 16)!.decode(p, from: &rd2, slots: 100) }
    }

    /// The invariant check sees an index broken on purpose.
    @Test func invariantsCatchABrokenIndex() {
        let (r, p) = shared(3)
        #expect(r.checkInvariants(charged: [p], isLive: live).isEmpty)
        r.corruptForTesting(p)
        let problems = r.checkInvariants(charged: [p], isLive: live)
        #expect(problems.contains { $0.contains("unreachable") })
        // A set in use that no page holds.
        let (r2, p2) = shared(3)
        #expect(!r2.checkInvariants(charged: [], isLive: live).isEmpty)
        _ = p2
    }

    /// Whole engine: fork to many children, swap-out records the mapping
    /// order, snapshots round-trip, exits in scrambled order.
    @Test func engineForkSwapSnapshotExit() throws {
        let e = try MemcgEngine(machine: try Machine(pageSize: 4096, memoryBytes: 64 << 20, swapBytes: 16 << 20))
        try e.apply(.createContainer(name: "a", parent: nil, limits: .max(nil)))
        try e.apply(.createProcess(pid: 1, container: "a"))
        try e.apply(.events([PageEvent(op: .anonFault, pid: 1, pages: .range(first: 0, count: 64))], listEvicted: false))
        for k in 0..<20 { try e.apply(.fork(pid: 2 + k, parentPid: 1)) }
        try e.apply(.events([PageEvent(op: .mlock, pid: 5, pages: .range(first: 0, count: 8))], listEvicted: false))
        try e.apply(.exitProcess(pid: 9))
        try e.apply(.fork(pid: 9, parentPid: 3))
        #expect(e.invariantViolations().isEmpty)
        #expect(e.rmap.mappersInOrder(PFN(unchecked: 10)).map { e.processes[$0].pid } == [1] + (2...21).filter { $0 != 9 } + [9])
        let snap = e.snapshot()
        let back = try MemcgEngine.restore(snap)
        #expect(back.invariantViolations().isEmpty)
        #expect(try EngineFingerprint(back) == EngineFingerprint(e))
        #expect(back.snapshot() == snap)
        for pid in [14, 2, 21, 1, 9, 5, 3] + (4...20).filter({ ![14, 2, 9, 5, 3].contains($0) }) {
            try e.apply(.exitProcess(pid: pid))
            #expect(e.invariantViolations().isEmpty)
        }
        #expect(try e.view.container(named: "a").usage == 0)
    }
}
