/// Who maps each page: the model of the kernel's reverse map (rmap,
/// page_add_anon_rmap / page_remove_rmap) at the granularity memcg needs —
/// which processes, how many mappings each, and which of them pin it
/// (mlock_vma_page).
///
/// Per frame: a 32-bit `mapper` (0: nobody; `slot + 1`: one process, its
/// mapping count and pin bit in the 16-bit `mapCount`; `sharedBit | set`:
/// several processes, in that set of `MapperSets`, where one process is
/// found, added or dropped in O(1) however many share the page). The
/// encoding is decoded in this file only. A shared page's set moves with
/// its `mapper` word, so migration does not touch the set.
final class ReverseMap {
    private let count: Int
    private let mapper: UnsafeMutablePointer<UInt32>
    private let mapCount: UnsafeMutablePointer<UInt16>
    private let sets = MapperSets()

    private static let sharedBit: UInt32 = 1 << 31
    /// The single mapper's pin, kept in `mapCount`'s top bit.
    private static let pinBit: UInt16 = 1 << 15
    private static let maxSingleCount = Int(pinBit - 1)

    /// Per-frame words; shared pages' sets are extra (`sharedBytes`).
    static let bytesPerFrame = 6

    init?(frames: Int) {
        guard let m = mapZeroed(frames * 4) else { return nil }
        guard let c = mapZeroed(frames * 2) else { unmapZeroed(m, frames * 4); return nil }
        count = frames
        mapper = m.bindMemory(to: UInt32.self, capacity: frames)
        mapCount = c.bindMemory(to: UInt16.self, capacity: frames)
    }

    deinit {
        unmapZeroed(UnsafeMutableRawPointer(mapper), count * 4)
        unmapZeroed(UnsafeMutableRawPointer(mapCount), count * 2)
    }

    @inline(__always) private static func single(_ slot: ProcessSlot) -> UInt32 { UInt32(truncatingIfNeeded: slot.raw &+ 1) }

    /// Look-ahead for a batch of scattered pages: the page's entries.
    @inline(__always) func prefetch(_ pfn: PFN) {
        prefetchForWrite(UnsafeRawPointer(mapper + pfn.raw))
        prefetchForWrite(UnsafeRawPointer(mapCount + pfn.raw))
    }

    /// The set of a shared page's `mapper` word.
    @inline(__always) private static func set(_ m: UInt32) -> UInt32 { m & ~sharedBit }

    /// Is the page mapped by any process?
    @inline(__always) func isMapped(_ pfn: PFN) -> Bool { mapper[pfn.raw] != 0 }

    /// Mappings `slot` holds on the page.
    @inline(__always) func mapCount(_ pfn: PFN, slot: ProcessSlot) -> Int {
        let m = mapper[pfn.raw]
        if m == 0 { return 0 }
        if m & Self.sharedBit == 0 {
            return m == Self.single(slot) ? Int(mapCount[pfn.raw] & ~Self.pinBit) : 0
        }
        return sets.mapCount(Self.set(m), slot: slot)
    }

    /// Mappings of the page, all processes together (page_mapcount).
    func totalMappings(_ pfn: PFN) -> Int {
        let m = mapper[pfn.raw]
        if m == 0 { return 0 }
        if m & Self.sharedBit == 0 { return Int(mapCount[pfn.raw] & ~Self.pinBit) }
        return sets.totalMappings(Self.set(m))
    }

    /// What adding a mapping changed.
    struct Added {
        /// The process did not map the page before.
        var firstForProcess: Bool
        /// Nobody mapped the page before.
        var firstForPage: Bool
    }

    /// Adds one mapping of the page by `slot` (page_add_anon_rmap,
    /// page_add_file_rmap).
    @inline(__always) func add(_ pfn: PFN, slot: ProcessSlot) -> Added {
        let m = mapper[pfn.raw]
        let me = Self.single(slot)
        if m == 0 {
            mapper[pfn.raw] = me
            mapCount[pfn.raw] = 1
            return Added(firstForProcess: true, firstForPage: true)
        }
        if m == me && Int(mapCount[pfn.raw] & ~Self.pinBit) < Self.maxSingleCount {
            mapCount[pfn.raw] &+= 1
            return Added(firstForProcess: false, firstForPage: false)
        }
        return Added(firstForProcess: addShared(pfn, slot: slot), firstForPage: false)
    }

    /// The shared-page path of `add`; returns whether this is the slot's
    /// first mapping of the page. A single mapper becomes the first of a
    /// new set (also when its own count outgrows `mapCount`).
    private func addShared(_ pfn: PFN, slot: ProcessSlot) -> Bool {
        let m = mapper[pfn.raw]
        if m & Self.sharedBit != 0 { return sets.add(Self.set(m), slot: slot) }
        let c = mapCount[pfn.raw]
        let g = sets.create()
        sets.add(g, slot: ProcessSlot(Int(m) - 1), count: Int(c & ~Self.pinBit), pinned: c & Self.pinBit != 0)
        mapper[pfn.raw] = Self.sharedBit | g
        mapCount[pfn.raw] = 0
        return sets.add(g, slot: slot)
    }

    /// What removing mappings changed.
    struct Removed {
        /// The process maps the page no more.
        var lastForProcess: Bool
        /// Its pin went with its last mapping.
        var unpinned: Bool
        /// Nobody maps the page any more.
        var lastForPage: Bool
    }

    /// Drops `n` mappings (all of the process's when nil) of the page held
    /// by `slot`; nil when the slot held none. A pin goes with the last
    /// mapping (page_remove_rmap). A set left with one process (whose
    /// count fits) becomes a single mapper again.
    func remove(_ pfn: PFN, slot: ProcessSlot, count n: Int?) -> Removed? {
        let m = mapper[pfn.raw]
        if m == 0 { return nil }
        if m & Self.sharedBit == 0 {
            guard m == Self.single(slot) else { return nil }
            let c = mapCount[pfn.raw]
            let left = n.map { Int(c & ~Self.pinBit) - $0 } ?? 0
            if left > 0 {
                mapCount[pfn.raw] = UInt16(left) | (c & Self.pinBit)
                return Removed(lastForProcess: false, unpinned: false, lastForPage: false)
            }
            mapper[pfn.raw] = 0
            mapCount[pfn.raw] = 0
            return Removed(lastForProcess: true, unpinned: c & Self.pinBit != 0, lastForPage: true)
        }
        let g = Self.set(m)
        guard let dropped = sets.remove(g, slot: slot, count: n) else { return nil }
        guard dropped.left else { return Removed(lastForProcess: false, unpinned: false, lastForPage: false) }
        switch sets.processes(g) {
        case 0:
            mapper[pfn.raw] = 0
            sets.release(g)
        case 1:
            let last = sets.only(g)
            if last.count <= Self.maxSingleCount {
                mapper[pfn.raw] = Self.single(last.slot)
                mapCount[pfn.raw] = UInt16(last.count) | (last.pinned ? Self.pinBit : 0)
                sets.release(g)
            }
        default:
            break
        }
        return Removed(lastForProcess: true, unpinned: dropped.unpinned, lastForPage: mapper[pfn.raw] == 0)
    }

    /// Removes every mapping of the page (eviction, free; try_to_unmap),
    /// calling `body` for each process that mapped it, in no particular
    /// order. Pins go too.
    @inline(__always) func removeAll(_ pfn: PFN, _ body: (ProcessSlot) -> Void) {
        let m = mapper[pfn.raw]
        if m == 0 { return }
        mapper[pfn.raw] = 0
        mapCount[pfn.raw] = 0
        if m & Self.sharedBit == 0 {
            body(ProcessSlot(Int(m) - 1))
            return
        }
        let g = Self.set(m)
        sets.forEach(g, body)
        sets.release(g)
    }

    /// The same, calling `body` in mapping order (the order in which the
    /// processes came to map the page, which a swap slot records).
    func removeAllInMappingOrder(_ pfn: PFN, _ body: (ProcessSlot) -> Void) {
        let m = mapper[pfn.raw]
        if m == 0 { return }
        if m & Self.sharedBit == 0 { removeAll(pfn, body); return }
        let g = Self.set(m)
        let slots = sets.slotsInOrder(g)
        mapper[pfn.raw] = 0
        mapCount[pfn.raw] = 0
        sets.release(g)
        for s in slots { body(s) }
    }

    /// Calls `body` for each process that maps the page, in no particular
    /// order; `body` may read the map, not change it.
    func forEachMapper(_ pfn: PFN, _ body: (ProcessSlot) -> Void) {
        let m = mapper[pfn.raw]
        if m == 0 { return }
        if m & Self.sharedBit == 0 { body(ProcessSlot(Int(m) - 1)); return }
        sets.forEach(Self.set(m), body)
    }

    /// The processes that map the page, in mapping order.
    func mappersInOrder(_ pfn: PFN) -> [ProcessSlot] {
        let m = mapper[pfn.raw]
        if m == 0 { return [] }
        if m & Self.sharedBit == 0 { return [ProcessSlot(Int(m) - 1)] }
        return sets.slotsInOrder(Self.set(m))
    }

    /// Processes pinning the page.
    func pinCount(_ pfn: PFN) -> Int {
        let m = mapper[pfn.raw]
        if m == 0 { return 0 }
        if m & Self.sharedBit == 0 { return mapCount[pfn.raw] & Self.pinBit != 0 ? 1 : 0 }
        return sets.pins(Self.set(m))
    }

    func isPinned(_ pfn: PFN, slot: ProcessSlot) -> Bool {
        let m = mapper[pfn.raw]
        if m == 0 { return false }
        if m & Self.sharedBit == 0 { return m == Self.single(slot) && mapCount[pfn.raw] & Self.pinBit != 0 }
        return sets.isPinned(Self.set(m), slot: slot)
    }

    /// Sets or clears `slot`'s pin on a page it maps (mlock_vma_page,
    /// munlock_vma_page).
    func setPinned(_ pfn: PFN, slot: ProcessSlot, _ pinned: Bool) {
        let m = mapper[pfn.raw]
        if m == 0 { return }
        if m & Self.sharedBit == 0 {
            guard m == Self.single(slot) else { return }
            if pinned { mapCount[pfn.raw] |= Self.pinBit } else { mapCount[pfn.raw] &= ~Self.pinBit }
            return
        }
        sets.setPinned(Self.set(m), slot: slot, pinned)
    }

    /// The mappings of `from` become those of the free frame `to` (migration).
    func move(from: PFN, to: PFN) {
        mapper[to.raw] = mapper[from.raw]
        mapCount[to.raw] = mapCount[from.raw]
        mapper[from.raw] = 0
        mapCount[from.raw] = 0
    }

    /// Bytes held for shared pages beside the per-frame words.
    var sharedBytes: Int { sets.bytes }

    /// For tests: breaks the index of the page's set (see
    /// `MapperSets.corruptForTesting`).
    func corruptForTesting(_ pfn: PFN) {
        let m = mapper[pfn.raw]
        if m & Self.sharedBit != 0 { sets.corruptForTesting(Self.set(m)) }
    }

    /// For tests: see `MapperSets.setNextSequence`.
    func setNextSequence(_ pfn: PFN, _ seq: UInt32) {
        let m = mapper[pfn.raw]
        if m & Self.sharedBit != 0 { sets.setNextSequence(Self.set(m), seq) }
    }

    /// The table's own consistency: a shared page's set holds two or more
    /// processes (or one whose count outgrew `mapCount`), belongs to that
    /// page only and is itself consistent (`MapperSets.checkInvariants`:
    /// every process reachable through the index); every set in use
    /// belongs to a page. Walks only the pages given (the charged ones).
    func checkInvariants(charged: [PFN], isLive: (ProcessSlot) -> Bool) -> [String] {
        var out: [String] = []
        var used = Set<UInt32>()
        for pfn in charged {
            let m = mapper[pfn.raw]
            if m == 0 { if mapCount[pfn.raw] != 0 { out.append("page \(pfn.raw): map count without a mapper") }; continue }
            if m & Self.sharedBit == 0 {
                if mapCount[pfn.raw] & ~Self.pinBit == 0 { out.append("page \(pfn.raw): single mapper with no mapping") }
                if !isLive(ProcessSlot(Int(m) - 1)) { out.append("page \(pfn.raw): mapped by a dead process slot") }
                continue
            }
            let g = Self.set(m)
            if !used.insert(g).inserted { out.append("mapper set \(g) shared by two pages") }
            if mapCount[pfn.raw] != 0 { out.append("page \(pfn.raw): map count beside a mapper set") }
            let problems = sets.checkInvariants(g, isLive: isLive)
            out += problems.map { "page \(pfn.raw): \($0)" }
            if problems.isEmpty {
                let n = sets.processes(g)
                if n < 2 && !(n == 1 && sets.only(g).count > Self.maxSingleCount) {
                    out.append("page \(pfn.raw): mapper set of \(n) processes")
                }
            }
        }
        out += sets.checkPools(used: used)
        return out
    }
}

extension ReverseMap {
    /// Writes who maps one page: nobody, one process (slot and the raw
    /// count with its pin bit) or a shared set in mapping order.
    func encode(_ pfn: PFN, into w: inout BinaryWriter) {
        let m = mapper[pfn.raw]
        if m == 0 { w.u8(0); return }
        if m & Self.sharedBit == 0 {
            w.u8(1)
            w.u32(m - 1)
            w.u16(mapCount[pfn.raw])
            return
        }
        let g = Self.set(m)
        w.u8(2)
        w.u32(UInt32(sets.processes(g)))
        sets.forEachInOrder(g) { slot, count, pinned in
            w.u32(UInt32(slot.raw))
            w.u32(UInt32(truncatingIfNeeded: count))
            w.bool(pinned)
        }
    }

    /// Reads one page's mappers into a fresh table (slots below `slots`).
    func decode(_ pfn: PFN, from r: inout BinaryReader, slots: Int) throws(EngineError) {
        func slot() throws(EngineError) -> ProcessSlot {
            let s = Int(try r.u32())
            guard s < slots else { throw EngineError(.EINVAL, "page \(pfn.raw) mapped by slot \(s) of \(slots)") }
            return ProcessSlot(s)
        }
        switch try r.u8() {
        case 0: return
        case 1:
            mapper[pfn.raw] = Self.single(try slot())
            mapCount[pfn.raw] = try r.u16()
        case 2:
            let n = Int(try r.u32())
            guard n <= r.remaining / 9 else { throw EngineError(.EINVAL, "page \(pfn.raw): \(n) mappers") }
            let g = sets.create()
            mapper[pfn.raw] = Self.sharedBit | g
            for _ in 0..<n {
                let s = try slot(), count = Int(try r.u32()), pinned = try r.bool()
                guard !sets.contains(g, slot: s) else {
                    throw EngineError(.EINVAL, "page \(pfn.raw) lists slot \(s.raw) twice")
                }
                sets.add(g, slot: s, count: count, pinned: pinned)
            }
        default:
            throw EngineError(.EINVAL, "page \(pfn.raw): bad mapper kind")
        }
    }
}
