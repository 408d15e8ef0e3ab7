/// Who maps each page: the model of the kernel's reverse map (rmap,
/// page_add_anon_rmap / page_remove_rmap) at the granularity memcg needs —
/// which processes, how many mappings each, and which of them pin it
/// (mlock_vma_page).
///
/// Per frame: a 32-bit `mapper` (0: nobody; `slot + 1`: one process, its
/// mapping count and pin bit in the 16-bit `mapCount`; `overflowBit | index`:
/// several processes, listed in `overflow[index]`). The encoding is decoded
/// in this file only.
final class ReverseMap {
    private let count: Int
    private let mapper: UnsafeMutablePointer<UInt32>
    private let mapCount: UnsafeMutablePointer<UInt16>
    @exclusivity(unchecked) private var overflow: [[Entry]] = []
    @exclusivity(unchecked) private var freeOverflow: [UInt32] = []

    private static let overflowBit: UInt32 = 1 << 31
    /// The single mapper's pin, kept in `mapCount`'s top bit.
    private static let pinBit: UInt16 = 1 << 15
    private static let maxSingleCount = Int(pinBit - 1)

    /// One process's mappings of a page shared by several processes.
    private struct Entry: Equatable {
        var slot: ProcessSlot
        var count: Int
        var pinned: Bool
    }

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

    /// Is the page mapped by any process?
    @inline(__always) func isMapped(_ pfn: PFN) -> Bool { mapper[pfn.raw] != 0 }

    /// Mappings `slot` holds on the page.
    @inline(__always) func mapCount(_ pfn: PFN, slot: ProcessSlot) -> Int {
        let m = mapper[pfn.raw]
        if m == 0 { return 0 }
        if m & Self.overflowBit == 0 {
            return m == Self.single(slot) ? Int(mapCount[pfn.raw] & ~Self.pinBit) : 0
        }
        for e in overflow[Int(m & ~Self.overflowBit)] where e.slot == slot { return e.count }
        return 0
    }

    /// Mappings of the page, all processes together.
    func totalMappings(_ pfn: PFN) -> Int {
        let m = mapper[pfn.raw]
        if m == 0 { return 0 }
        if m & Self.overflowBit == 0 { return Int(mapCount[pfn.raw] & ~Self.pinBit) }
        return overflow[Int(m & ~Self.overflowBit)].reduce(0) { $0 + $1.count }
    }

    /// What adding a mapping changed.
    struct Added {
        /// The process did not map the page before.
        var firstForProcess: Bool
        /// Nobody mapped the page before.
        var firstForPage: Bool
    }

    /// Adds one mapping of the page by `slot`.
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
    /// first mapping of the page.
    private func addShared(_ pfn: PFN, slot: ProcessSlot) -> Bool {
        let m = mapper[pfn.raw]
        if m & Self.overflowBit == 0 {
            let c = mapCount[pfn.raw]
            var list = [Entry(slot: ProcessSlot(Int(m) - 1), count: Int(c & ~Self.pinBit), pinned: c & Self.pinBit != 0)]
            var first = true
            if list[0].slot == slot { list[0].count += 1; first = false } else { list.append(Entry(slot: slot, count: 1, pinned: false)) }
            let index: UInt32
            if let reused = freeOverflow.popLast() {
                index = reused
                overflow[Int(index)] = list
            } else {
                index = UInt32(overflow.count)
                overflow.append(list)
            }
            mapper[pfn.raw] = Self.overflowBit | index
            mapCount[pfn.raw] = 0
            return first
        }
        let index = Int(m & ~Self.overflowBit)
        if let i = overflow[index].firstIndex(where: { $0.slot == slot }) {
            overflow[index][i].count += 1
            return false
        }
        overflow[index].append(Entry(slot: slot, count: 1, pinned: false))
        return true
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
    /// by `slot`; nil when the slot held none. A pin goes with the last mapping.
    func remove(_ pfn: PFN, slot: ProcessSlot, count n: Int?) -> Removed? {
        let m = mapper[pfn.raw]
        if m == 0 { return nil }
        if m & Self.overflowBit == 0 {
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
        let index = Int(m & ~Self.overflowBit)
        guard let i = overflow[index].firstIndex(where: { $0.slot == slot }) else { return nil }
        let left = n.map { overflow[index][i].count - $0 } ?? 0
        if left > 0 {
            overflow[index][i].count = left
            return Removed(lastForProcess: false, unpinned: false, lastForPage: false)
        }
        let unpinned = overflow[index][i].pinned
        overflow[index].remove(at: i)
        if overflow[index].isEmpty {
            mapper[pfn.raw] = 0
            freeOverflow.append(UInt32(index))
        } else if overflow[index].count == 1 && overflow[index][0].count <= Self.maxSingleCount {
            let last = overflow[index][0]
            mapper[pfn.raw] = Self.single(last.slot)
            mapCount[pfn.raw] = UInt16(last.count) | (last.pinned ? Self.pinBit : 0)
            overflow[index] = []
            freeOverflow.append(UInt32(index))
        }
        return Removed(lastForProcess: true, unpinned: unpinned, lastForPage: mapper[pfn.raw] == 0)
    }

    /// Removes every mapping of the page (eviction, free), calling `body`
    /// for each process that mapped it, in mapping order. Pins go too.
    @inline(__always) func removeAll(_ pfn: PFN, _ body: (ProcessSlot) -> Void) {
        let m = mapper[pfn.raw]
        if m == 0 { return }
        mapper[pfn.raw] = 0
        mapCount[pfn.raw] = 0
        if m & Self.overflowBit == 0 {
            body(ProcessSlot(Int(m) - 1))
            return
        }
        let index = Int(m & ~Self.overflowBit)
        for e in overflow[index] { body(e.slot) }
        overflow[index] = []
        freeOverflow.append(UInt32(index))
    }

    /// Calls `body` for each process that maps the page, in mapping order.
    func forEachMapper(_ pfn: PFN, _ body: (ProcessSlot) -> Void) {
        let m = mapper[pfn.raw]
        if m == 0 { return }
        if m & Self.overflowBit == 0 { body(ProcessSlot(Int(m) - 1)); return }
        for e in overflow[Int(m & ~Self.overflowBit)] { body(e.slot) }
    }

    /// Processes pinning the page.
    func pinCount(_ pfn: PFN) -> Int {
        let m = mapper[pfn.raw]
        if m == 0 { return 0 }
        if m & Self.overflowBit == 0 { return mapCount[pfn.raw] & Self.pinBit != 0 ? 1 : 0 }
        return overflow[Int(m & ~Self.overflowBit)].reduce(0) { $0 + ($1.pinned ? 1 : 0) }
    }

    func isPinned(_ pfn: PFN, slot: ProcessSlot) -> Bool {
        let m = mapper[pfn.raw]
        if m == 0 { return false }
        if m & Self.overflowBit == 0 { return m == Self.single(slot) && mapCount[pfn.raw] & Self.pinBit != 0 }
        return overflow[Int(m & ~Self.overflowBit)].contains { $0.slot == slot && $0.pinned }
    }

    /// Sets or clears `slot`'s pin on a page it maps.
    func setPinned(_ pfn: PFN, slot: ProcessSlot, _ pinned: Bool) {
        let m = mapper[pfn.raw]
        if m == 0 { return }
        if m & Self.overflowBit == 0 {
            guard m == Self.single(slot) else { return }
            if pinned { mapCount[pfn.raw] |= Self.pinBit } else { mapCount[pfn.raw] &= ~Self.pinBit }
            return
        }
        let index = Int(m & ~Self.overflowBit)
        if let i = overflow[index].firstIndex(where: { $0.slot == slot }) { overflow[index][i].pinned = pinned }
    }

    /// The mappings of `from` become those of the free frame `to` (migration).
    func move(from: PFN, to: PFN) {
        mapper[to.raw] = mapper[from.raw]
        mapCount[to.raw] = mapCount[from.raw]
        mapper[from.raw] = 0
        mapCount[from.raw] = 0
    }

    /// The table's own consistency: overflow lists hold two or more distinct
    /// processes with positive counts, free lists are empty and not in use.
    /// Walks only the pages given (the charged ones).
    func checkInvariants(charged: [PFN], isLive: (ProcessSlot) -> Bool) -> [String] {
        var out: [String] = []
        var used = Set<Int>()
        for pfn in charged {
            let m = mapper[pfn.raw]
            if m == 0 { if mapCount[pfn.raw] != 0 { out.append("page \(pfn.raw): map count without a mapper") }; continue }
            if m & Self.overflowBit == 0 {
                if mapCount[pfn.raw] & ~Self.pinBit == 0 { out.append("page \(pfn.raw): single mapper with no mapping") }
                if !isLive(ProcessSlot(Int(m) - 1)) { out.append("page \(pfn.raw): mapped by a dead process slot") }
                continue
            }
            let index = Int(m & ~Self.overflowBit)
            guard index < overflow.count else { out.append("page \(pfn.raw): overflow index out of range"); continue }
            if !used.insert(index).inserted { out.append("overflow list \(index) shared by two pages") }
            let list = overflow[index]
            if list.count < 2 && !(list.count == 1 && list[0].count > Self.maxSingleCount) {
                out.append("page \(pfn.raw): overflow list with \(list.count) entries")
            }
            if Set(list.map(\.slot.raw)).count != list.count { out.append("page \(pfn.raw): a process listed twice") }
            for e in list where e.count <= 0 || !isLive(e.slot) { out.append("page \(pfn.raw): bad entry for slot \(e.slot.raw)") }
        }
        for i in freeOverflow where Int(i) >= overflow.count || !overflow[Int(i)].isEmpty || used.contains(Int(i)) {
            out.append("free overflow list \(i) is in use")
        }
        return out
    }
}

extension ReverseMap {
    /// Writes who maps one page: nobody, one process (slot and the raw
    /// count with its pin bit) or a shared list in mapping order.
    func encode(_ pfn: PFN, into w: inout BinaryWriter) {
        let m = mapper[pfn.raw]
        if m == 0 { w.u8(0); return }
        if m & Self.overflowBit == 0 {
            w.u8(1)
            w.u32(m - 1)
            w.u16(mapCount[pfn.raw])
            return
        }
        let list = overflow[Int(m & ~Self.overflowBit)]
        w.u8(2)
        w.u32(UInt32(list.count))
        for e in list {
            w.u32(UInt32(e.slot.raw))
            w.u32(UInt32(truncatingIfNeeded: e.count))
            w.bool(e.pinned)
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
            var list: [Entry] = []
            for _ in 0..<n { list.append(Entry(slot: try slot(), count: Int(try r.u32()), pinned: try r.bool())) }
            mapper[pfn.raw] = Self.overflowBit | UInt32(overflow.count)
            overflow.append(list)
        default:
            throw EngineError(.EINVAL, "page \(pfn.raw): bad mapper kind")
        }
    }
}
