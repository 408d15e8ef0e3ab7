import Glibc

/// The processes mapping each shared page (the kernel keeps them in the
/// page's anon_vma / address_space interval trees, walked by rmap_walk):
/// one small open-addressing hash set per page, keyed by process slot, so
/// that adding, finding and dropping one process's mappings costs the same
/// however many processes share the page.
///
/// A set is a block of 2^shift entries (linear probing, at most 3/4 full,
/// backward-shift deletion, so no tombstones) in one pooled arena, and a
/// header with the set's totals. Blocks of each size are reused through a
/// free list, so once the arena has grown nothing is allocated per
/// mapping. Each entry carries a sequence number taken when the process
/// joined the set: the order processes mapped the page ("mapping order"),
/// which swap slots and snapshots record, is the order of those numbers,
/// sorted only when asked for.
///
/// Not thread-safe; the engine serialises. Sets are named by index; the
/// reverse map keeps the index of each shared page's set.
final class MapperSets {
    /// One process's mappings of a page; `key` 0 is an empty place.
    private struct Entry {
        /// The process slot plus one.
        var key: UInt32
        /// When the process joined the set.
        var seq: UInt32
        /// The mapping count, and the pin in the top bit.
        var word: UInt64

        static let empty = Entry(key: 0, seq: 0, word: 0)
    }

    private struct Header {
        /// Mappings, all processes together.
        var total: Int
        /// The first entry of the block in the arena; `UInt32.max` when the
        /// set is free.
        var base: UInt32
        /// Processes in the set.
        var live: UInt32
        /// Processes pinning the page.
        var pins: UInt32
        /// The next sequence number.
        var nextSeq: UInt32
        /// The block holds 2^shift entries.
        var shift: UInt8
    }

    private static let pinBit: UInt64 = 1 << 63
    private static let minShift: UInt8 = 2
    private static let freeBase = UInt32.max

    /// Entries of every block.
    private var arena: UnsafeMutablePointer<Entry>
    private var arenaCapacity: Int
    /// Entries handed out to blocks (in use or on a free list).
    private var arenaUsed = 0
    /// Free blocks by shift.
    @exclusivity(unchecked) private var freeBlocks: [[UInt32]] = Array(repeating: [], count: 33)
    @exclusivity(unchecked) private var headers: [Header] = []
    @exclusivity(unchecked) private var freeHeaders: [UInt32] = []
    /// Scratch for mapping-order walks (sequence number and slot).
    @exclusivity(unchecked) private var order: [UInt64] = []

    init() {
        arenaCapacity = 1024
        arena = malloc(arenaCapacity * MemoryLayout<Entry>.stride)!.bindMemory(to: Entry.self, capacity: arenaCapacity)
    }

    deinit { free(arena) }

    /// Bytes the sets hold (arena, headers), for memory accounting.
    var bytes: Int {
        arenaCapacity * MemoryLayout<Entry>.stride + headers.capacity * MemoryLayout<Header>.stride
    }

    // MARK: Sets

    /// A new empty set.
    func create() -> UInt32 {
        let (base, shift) = (allocateBlock(shift: Self.minShift), Self.minShift)
        let h = Header(total: 0, base: base, live: 0, pins: 0, nextSeq: 0, shift: shift)
        if let g = freeHeaders.popLast() {
            headers[Int(g)] = h
            return g
        }
        headers.append(h)
        return UInt32(truncatingIfNeeded: headers.count - 1)
    }

    /// The set goes back to the pool (its entries with it).
    func release(_ g: UInt32) {
        let h = headers[Int(g)]
        freeBlocks[Int(h.shift)].append(h.base)
        headers[Int(g)].base = Self.freeBase
        freeHeaders.append(g)
    }

    /// Processes in the set.
    @inline(__always) func processes(_ g: UInt32) -> Int { Int(headers[Int(g)].live) }
    /// Mappings, all processes together.
    @inline(__always) func totalMappings(_ g: UInt32) -> Int { headers[Int(g)].total }
    /// Processes pinning the page.
    @inline(__always) func pins(_ g: UInt32) -> Int { Int(headers[Int(g)].pins) }

    // MARK: One process

    @inline(__always) private static func home(_ key: UInt32, _ shift: UInt8) -> Int {
        Int((key &* 0x9E37_79B1) >> (32 &- UInt32(shift)))
    }

    /// The arena position of `slot`'s entry, or nil.
    @inline(__always) private func find(_ g: UInt32, _ slot: ProcessSlot) -> Int? {
        let h = headers[Int(g)]
        let key = UInt32(truncatingIfNeeded: slot.raw &+ 1)
        let mask = (1 << Int(h.shift)) &- 1
        let block = arena + Int(h.base)
        var i = Self.home(key, h.shift)
        while true {
            let k = block[i].key
            if k == key { return Int(h.base) &+ i }
            if k == 0 { return nil }
            i = (i &+ 1) & mask
        }
    }

    /// Is `slot` in the set?
    func contains(_ g: UInt32, slot: ProcessSlot) -> Bool { find(g, slot) != nil }

    /// Mappings `slot` holds.
    @inline(__always) func mapCount(_ g: UInt32, slot: ProcessSlot) -> Int {
        guard let at = find(g, slot) else { return 0 }
        return Int(truncatingIfNeeded: arena[at].word & ~Self.pinBit)
    }

    func isPinned(_ g: UInt32, slot: ProcessSlot) -> Bool {
        guard let at = find(g, slot) else { return false }
        return arena[at].word & Self.pinBit != 0
    }

    /// Sets or clears `slot`'s pin, if it is in the set.
    func setPinned(_ g: UInt32, slot: ProcessSlot, _ pinned: Bool) {
        guard let at = find(g, slot) else { return }
        let was = arena[at].word & Self.pinBit != 0
        guard was != pinned else { return }
        if pinned {
            arena[at].word |= Self.pinBit
            headers[Int(g)].pins &+= 1
        } else {
            arena[at].word &= ~Self.pinBit
            headers[Int(g)].pins &-= 1
        }
    }

    /// Adds `count` mappings by `slot` (pinned or not when the process is
    /// new to the set; a known process keeps its pin); returns whether the
    /// process is new to the set, which it then joins last in mapping order.
    @inline(__always) @discardableResult
    func add(_ g: UInt32, slot: ProcessSlot, count: Int = 1, pinned: Bool = false) -> Bool {
        if let at = find(g, slot) {
            arena[at].word &+= UInt64(truncatingIfNeeded: count)
            headers[Int(g)].total &+= count
            return false
        }
        insertNew(g, slot: slot, count: count, pinned: pinned)
        return true
    }

    private func insertNew(_ g: UInt32, slot: ProcessSlot, count: Int, pinned: Bool) {
        var h = headers[Int(g)]
        if Int(h.live) + 1 > (3 << Int(h.shift)) >> 2 {
            resize(g, shift: h.shift + 1)
            h = headers[Int(g)]
        }
        if h.nextSeq == UInt32.max {
            renumber(g)
            h = headers[Int(g)]
        }
        let key = UInt32(truncatingIfNeeded: slot.raw &+ 1)
        let mask = (1 << Int(h.shift)) &- 1
        let block = arena + Int(h.base)
        var i = Self.home(key, h.shift)
        while block[i].key != 0 { i = (i &+ 1) & mask }
        block[i] = Entry(key: key, seq: h.nextSeq,
                         word: UInt64(truncatingIfNeeded: count) | (pinned ? Self.pinBit : 0))
        h.nextSeq &+= 1
        h.live &+= 1
        h.total &+= count
        if pinned { h.pins &+= 1 }
        headers[Int(g)] = h
    }

    /// What dropping mappings did.
    struct Dropped {
        /// The process left the set.
        var left: Bool
        /// It pinned the page.
        var unpinned: Bool
    }

    /// Drops `n` mappings (all when nil) held by `slot`; a process left
    /// with none leaves the set, its pin with it. Nil when it held none.
    func remove(_ g: UInt32, slot: ProcessSlot, count n: Int?) -> Dropped? {
        guard let at = find(g, slot) else { return nil }
        let word = arena[at].word
        let held = Int(truncatingIfNeeded: word & ~Self.pinBit)
        let left = n.map { held - $0 } ?? 0
        if left > 0 {
            arena[at].word = UInt64(truncatingIfNeeded: left) | (word & Self.pinBit)
            headers[Int(g)].total &-= held - left
            return Dropped(left: false, unpinned: false)
        }
        let pinned = word & Self.pinBit != 0
        headers[Int(g)].total &-= held
        headers[Int(g)].live &-= 1
        if pinned { headers[Int(g)].pins &-= 1 }
        erase(g, at: at)
        let h = headers[Int(g)]
        if h.shift > Self.minShift && Int(h.live) < (1 << Int(h.shift)) >> 3 { resize(g, shift: Self.shift(for: Int(h.live))) }
        return Dropped(left: true, unpinned: pinned)
    }

    /// Backward-shift deletion: later entries of the probe run move up so
    /// that no lookup stops short at the hole.
    private func erase(_ g: UInt32, at: Int) {
        let h = headers[Int(g)]
        let mask = (1 << Int(h.shift)) &- 1
        let block = arena + Int(h.base)
        var hole = at &- Int(h.base)
        var j = hole
        while true {
            j = (j &+ 1) & mask
            let e = block[j]
            if e.key == 0 { break }
            let home = Self.home(e.key, h.shift)
            if (j &- home) & mask >= (j &- hole) & mask {
                block[hole] = e
                hole = j
            }
        }
        block[hole] = .empty
    }

    /// The one process of a set of one: slot, count, pin.
    func only(_ g: UInt32) -> (slot: ProcessSlot, count: Int, pinned: Bool) {
        let h = headers[Int(g)]
        precondition(h.live == 1, "only() of a set of \(h.live)")
        let block = arena + Int(h.base)
        for i in 0..<(1 << Int(h.shift)) where block[i].key != 0 {
            let w = block[i].word
            return (ProcessSlot(Int(block[i].key) - 1), Int(truncatingIfNeeded: w & ~Self.pinBit), w & Self.pinBit != 0)
        }
        preconditionFailure("a set of one with no entry")
    }

    // MARK: Walks

    /// Calls `body` for each process in the set, in no particular order.
    /// `body` may read the sets, not change them.
    @inline(__always) func forEach(_ g: UInt32, _ body: (ProcessSlot) -> Void) {
        let h = headers[Int(g)]
        for i in 0..<(1 << Int(h.shift)) {
            let k = arena[Int(h.base) &+ i].key
            if k != 0 { body(ProcessSlot(Int(k) - 1)) }
        }
    }

    /// Calls `body` for each process in the set, in mapping order, with
    /// its count and pin. `body` may read the sets, not change them.
    func forEachInOrder(_ g: UInt32, _ body: (ProcessSlot, Int, Bool) -> Void) {
        let h = headers[Int(g)]
        let block = arena + Int(h.base)
        order.removeAll(keepingCapacity: true)
        for i in 0..<(1 << Int(h.shift)) where block[i].key != 0 {
            order.append(UInt64(block[i].seq) << 32 | UInt64(i))
        }
        order.sort()
        for o in order {
            let e = arena[Int(headers[Int(g)].base) &+ Int(UInt32(truncatingIfNeeded: o))]
            body(ProcessSlot(Int(e.key) - 1), Int(truncatingIfNeeded: e.word & ~Self.pinBit), e.word & Self.pinBit != 0)
        }
    }

    /// The processes of the set in mapping order (a fresh array).
    func slotsInOrder(_ g: UInt32) -> [ProcessSlot] {
        var out: [ProcessSlot] = []
        out.reserveCapacity(processes(g))
        forEachInOrder(g) { s, _, _ in out.append(s) }
        return out
    }

    // MARK: Blocks

    private static func shift(for live: Int) -> UInt8 {
        var s = minShift
        while 2 * live > 1 << Int(s) { s += 1 }
        return s
    }

    /// A zeroed block of 2^shift entries.
    private func allocateBlock(shift: UInt8) -> UInt32 {
        let size = 1 << Int(shift)
        let base: Int
        if let f = freeBlocks[Int(shift)].popLast() {
            base = Int(f)
        } else {
            precondition(arenaUsed + size < Int(Self.freeBase), "mapper sets exceed 2^32 entries")
            if arenaUsed + size > arenaCapacity {
                var c = arenaCapacity
                while c < arenaUsed + size { c *= 2 }
                // Entries are plain words: realloc moves a large arena's
                // pages (mremap) instead of copying them.
                guard let bigger = realloc(arena, c * MemoryLayout<Entry>.stride) else {
                    fatalError("mapper sets: out of memory for \(c) entries")
                }
                arena = bigger.bindMemory(to: Entry.self, capacity: c)
                arenaCapacity = c
            }
            base = arenaUsed
            arenaUsed += size
        }
        (arena + base).initialize(repeating: .empty, count: size)
        return UInt32(truncatingIfNeeded: base)
    }

    /// Rehashes the set into a block of 2^shift entries (holding every
    /// entry at most 3/4 full); sequence numbers stay.
    private func resize(_ g: UInt32, shift: UInt8) {
        let old = headers[Int(g)]
        let base = allocateBlock(shift: shift)
        let mask = (1 << Int(shift)) &- 1
        let from = arena + Int(old.base), to = arena + Int(base)
        for i in 0..<(1 << Int(old.shift)) where from[i].key != 0 {
            var j = Self.home(from[i].key, shift)
            while to[j].key != 0 { j = (j &+ 1) & mask }
            to[j] = from[i]
        }
        freeBlocks[Int(old.shift)].append(old.base)
        headers[Int(g)].base = base
        headers[Int(g)].shift = shift
    }

    /// Sequence numbers become 0..<live, in the same order (when they are
    /// about to run out, after 2^32 - 1 processes joined one set).
    private func renumber(_ g: UInt32) {
        let h = headers[Int(g)]
        let block = arena + Int(h.base)
        order.removeAll(keepingCapacity: true)
        for i in 0..<(1 << Int(h.shift)) where block[i].key != 0 { order.append(UInt64(block[i].seq) << 32 | UInt64(i)) }
        order.sort()
        for (n, o) in order.enumerated() { block[Int(UInt32(truncatingIfNeeded: o))].seq = UInt32(n) }
        headers[Int(g)].nextSeq = UInt32(order.count)
    }

    /// For tests: makes the set's sequence numbers end just below `seq`
    /// (same order), so that the next joins reach renumbering.
    func setNextSequence(_ g: UInt32, _ seq: UInt32) {
        renumber(g)
        let n = headers[Int(g)].nextSeq
        precondition(seq >= n, "room for the existing entries")
        let block = arena + Int(headers[Int(g)].base)
        for i in 0..<(1 << Int(headers[Int(g)].shift)) where block[i].key != 0 { block[i].seq += seq - n }
        headers[Int(g)].nextSeq = seq
    }

    /// For tests: breaks the index of set `g` on purpose, moving one entry
    /// past an empty place of its probe run (lookups stop short of it), so
    /// that a test can watch `checkInvariants` catch it.
    func corruptForTesting(_ g: UInt32) {
        let h = headers[Int(g)]
        let mask = (1 << Int(h.shift)) - 1
        let block = arena + Int(h.base)
        guard let i = (0...mask).first(where: { block[$0].key != 0 }) else { return }
        let e = block[i]
        block[i] = .empty
        var z = Self.home(e.key, h.shift)
        while block[z].key != 0 { z = (z + 1) & mask }
        var q = (z + 1) & mask
        while block[q].key != 0 { q = (q + 1) & mask }
        block[q] = e
    }

    // MARK: Checks

    /// One set's consistency: every entry is reachable from its home
    /// place, keys are distinct live slots with positive counts, the
    /// header's totals add up, sequence numbers are distinct and below the
    /// next one, and the block is of its size and not free.
    func checkInvariants(_ g: UInt32, isLive: (ProcessSlot) -> Bool) -> [String] {
        guard Int(g) < headers.count else { return ["mapper set \(g) out of range"] }
        let h = headers[Int(g)]
        guard h.base != Self.freeBase else { return ["mapper set \(g) is free"] }
        guard h.shift >= Self.minShift, h.shift <= 31, Int(h.base) + (1 << Int(h.shift)) <= arenaUsed else {
            return ["mapper set \(g): bad block"]
        }
        var out: [String] = []
        let mask = (1 << Int(h.shift)) - 1
        let block = arena + Int(h.base)
        var live = 0, pins = 0, total = 0
        var seqs = Set<UInt32>()
        for i in 0...mask where block[i].key != 0 {
            let e = block[i]
            live += 1
            let count = Int(truncatingIfNeeded: e.word & ~Self.pinBit)
            total += count
            if e.word & Self.pinBit != 0 { pins += 1 }
            let slot = ProcessSlot(Int(e.key) - 1)
            if count <= 0 || !isLive(slot) { out.append("mapper set \(g): bad entry for slot \(slot.raw)") }
            if !seqs.insert(e.seq).inserted || e.seq >= h.nextSeq { out.append("mapper set \(g): bad sequence number \(e.seq)") }
            var j = Self.home(e.key, h.shift)
            while j != i && block[j].key != 0 && block[j].key != e.key { j = (j + 1) & mask }
            if j != i { out.append("mapper set \(g): slot \(slot.raw) unreachable or listed twice") }
        }
        if live != Int(h.live) || pins != Int(h.pins) || total != h.total {
            out.append("mapper set \(g): \(live) processes, \(pins) pins, \(total) mappings; header \(h.live), \(h.pins), \(h.total)")
        }
        if 4 * live > 3 << Int(h.shift) { out.append("mapper set \(g) more than 3/4 full") }
        return out
    }

    /// The pools' consistency: free sets are on the free list once, every
    /// set in use is one of `used`, free blocks are within the arena.
    func checkPools(used: Set<UInt32>) -> [String] {
        var out: [String] = []
        let free = Set(freeHeaders)
        if free.count != freeHeaders.count { out.append("a mapper set freed twice") }
        for g in freeHeaders where Int(g) >= headers.count || headers[Int(g)].base != Self.freeBase {
            out.append("free mapper set \(g) is in use")
        }
        for g in 0..<headers.count where headers[g].base != Self.freeBase && !used.contains(UInt32(g)) {
            out.append("mapper set \(g) is held by no page")
        }
        if free.count + used.count != headers.count { out.append("\(free.count) free and \(used.count) used mapper sets of \(headers.count)") }
        for (shift, list) in freeBlocks.enumerated() {
            for b in list where Int(b) + (1 << shift) > arenaUsed { out.append("free block \(b) of 2^\(shift) outside the arena") }
        }
        return out
    }
}
