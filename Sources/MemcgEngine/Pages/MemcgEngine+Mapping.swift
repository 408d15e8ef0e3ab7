/// Process mappings of pages: one reference per mapping (page_add_*_rmap /
/// page_remove_rmap), pins (mlock) per process, and the `mapped_file` count.
extension MemcgEngine {
    @inline(__always) func ownerOf(_ pfn: Int) -> Int { Int(frames.owner[pfn]) - 1 }

    /// Number of mappings `slot` holds on `pfn`.
    @inline(__always) func mapCount(_ pfn: Int, slot: Int) -> Int {
        let m = frames.mapper[pfn]
        if m == 0 { return 0 }
        if m & FrameTable.overflowBit == 0 {
            return m == UInt32(truncatingIfNeeded: slot + 1) ? Int(frames.mapCount[pfn]) : 0
        }
        for e in overflow[Int(m & ~FrameTable.overflowBit)] where e.slot == UInt32(truncatingIfNeeded: slot) { return e.count }
        return 0
    }

    /// Adds one mapping of `pfn` (already charged) by `slot`.
    @inline(__always) func addMapping(_ pfn: Int, slot: Int) {
        let m = frames.mapper[pfn]
        let me = UInt32(truncatingIfNeeded: slot + 1)
        var first = false
        if m == 0 {
            frames.mapper[pfn] = me
            frames.mapCount[pfn] = 1
            first = true
            if frames.flags[pfn] & (FrameFlag.anon | FrameFlag.mappedFile) == 0 {
                frames.flags[pfn] |= FrameFlag.mappedFile
                containers[ownerOf(pfn)].stat.mappedFile += 1
            }
        } else if m == me && frames.mapCount[pfn] < UInt16.max {
            frames.mapCount[pfn] += 1
        } else {
            first = addOverflowMapping(pfn, slot: slot)
        }
        if first {
            processes[slot].distinct += 1
            processes[slot].pages.append(UInt32(truncatingIfNeeded: pfn))
            if processes[slot].pages.count > 2 * processes[slot].distinct + 64 { compactIfNeeded(slot) }
        }
    }

    /// The shared-page path of `addMapping`; returns whether this is the
    /// slot's first mapping of the page.
    func addOverflowMapping(_ pfn: Int, slot: Int) -> Bool {
        let m = frames.mapper[pfn]
        let me = UInt32(truncatingIfNeeded: slot)
        if m & FrameTable.overflowBit == 0 {
            // Convert the single mapper into an overflow list.
            let single = MapEntry(slot: m - 1, count: Int(frames.mapCount[pfn]),
                                  pinned: frames.flags[pfn] & FrameFlag.pinned != 0)
            var list = [single]
            var first = true
            if single.slot == me { list[0].count += 1; first = false } else { list.append(MapEntry(slot: me, count: 1, pinned: false)) }
            let index: UInt32
            if let reused = freeOverflow.popLast() {
                index = reused
                overflow[Int(index)] = list
            } else {
                index = UInt32(overflow.count)
                overflow.append(list)
            }
            frames.mapper[pfn] = FrameTable.overflowBit | index
            frames.mapCount[pfn] = 0
            frames.flags[pfn] &= ~FrameFlag.pinned
            return first
        }
        let index = Int(m & ~FrameTable.overflowBit)
        if let i = overflow[index].firstIndex(where: { $0.slot == me }) {
            overflow[index][i].count += 1
            return false
        }
        overflow[index].append(MapEntry(slot: me, count: 1, pinned: false))
        return true
    }

    /// Drops `n` mappings (all of them when `n` is nil) of `pfn` held by
    /// `slot`; returns false when the slot held none. A process's pin goes
    /// with its last mapping. Does not uncharge.
    @discardableResult
    func removeMappings(_ pfn: Int, slot: Int, count n: Int?) -> Bool {
        let m = frames.mapper[pfn]
        if m == 0 { return false }
        var gone = false
        var unpinned = false
        if m & FrameTable.overflowBit == 0 {
            guard m == UInt32(truncatingIfNeeded: slot + 1) else { return false }
            let left = n.map { Int(frames.mapCount[pfn]) - $0 } ?? 0
            if left > 0 {
                frames.mapCount[pfn] = UInt16(left)
            } else {
                gone = true
                unpinned = frames.flags[pfn] & FrameFlag.pinned != 0
                frames.mapper[pfn] = 0
                frames.mapCount[pfn] = 0
                frames.flags[pfn] &= ~FrameFlag.pinned
            }
        } else {
            let index = Int(m & ~FrameTable.overflowBit)
            guard let i = overflow[index].firstIndex(where: { $0.slot == UInt32(truncatingIfNeeded: slot) }) else { return false }
            let left = n.map { overflow[index][i].count - $0 } ?? 0
            if left > 0 {
                overflow[index][i].count = left
            } else {
                gone = true
                unpinned = overflow[index][i].pinned
                overflow[index].remove(at: i)
                if overflow[index].isEmpty {
                    frames.mapper[pfn] = 0
                    freeOverflow.append(UInt32(index))
                } else if overflow[index].count == 1 && overflow[index][0].count <= Int(UInt16.max) {
                    let last = overflow[index][0]
                    frames.mapper[pfn] = last.slot + 1
                    frames.mapCount[pfn] = UInt16(last.count)
                    if last.pinned { frames.flags[pfn] |= FrameFlag.pinned }
                    overflow[index] = []
                    freeOverflow.append(UInt32(index))
                }
            }
        }
        if gone {
            processes[slot].distinct -= 1
            if frames.mapper[pfn] == 0 { noteUnmapped(pfn) }
            if unpinned { updateEvictability(pfn) }
        }
        return true
    }

    @inline(__always) func removeAllMappings(_ pfn: Int, slot: Int) {
        removeMappings(pfn, slot: slot, count: nil)
    }

    /// The page lost its last mapping: it leaves `mapped_file`.
    @inline(__always) func noteUnmapped(_ pfn: Int) {
        if frames.flags[pfn] & FrameFlag.mappedFile != 0 {
            frames.flags[pfn] &= ~FrameFlag.mappedFile
            containers[ownerOf(pfn)].stat.mappedFile -= 1
        }
    }

    /// Removes every mapping of `pfn` (eviction, free); returns the pids that
    /// mapped it, in mapping order. Pins go too; list moves are left to the
    /// caller, which uncharges the page next.
    func removeEveryMapping(_ pfn: Int) -> [Int] {
        let m = frames.mapper[pfn]
        if m == 0 { return [] }
        var pids: [Int] = []
        if m & FrameTable.overflowBit == 0 {
            let slot = Int(m) - 1
            pids.append(processes[slot].pid)
            processes[slot].distinct -= 1
        } else {
            let index = Int(m & ~FrameTable.overflowBit)
            for e in overflow[index] {
                pids.append(processes[Int(e.slot)].pid)
                processes[Int(e.slot)].distinct -= 1
            }
            overflow[index] = []
            freeOverflow.append(UInt32(index))
        }
        frames.mapper[pfn] = 0
        frames.mapCount[pfn] = 0
        frames.flags[pfn] &= ~FrameFlag.pinned
        noteUnmapped(pfn)
        return pids
    }

    /// Number of processes pinning the page.
    func pinCount(_ pfn: Int) -> Int {
        let m = frames.mapper[pfn]
        if m == 0 { return 0 }
        if m & FrameTable.overflowBit == 0 { return frames.flags[pfn] & FrameFlag.pinned != 0 ? 1 : 0 }
        return overflow[Int(m & ~FrameTable.overflowBit)].reduce(0) { $0 + ($1.pinned ? 1 : 0) }
    }

    func isPinned(_ pfn: Int, slot: Int) -> Bool {
        let m = frames.mapper[pfn]
        if m == 0 { return false }
        if m & FrameTable.overflowBit == 0 {
            return m == UInt32(truncatingIfNeeded: slot + 1) && frames.flags[pfn] & FrameFlag.pinned != 0
        }
        return overflow[Int(m & ~FrameTable.overflowBit)].contains { $0.slot == UInt32(truncatingIfNeeded: slot) && $0.pinned }
    }

    /// Sets or clears `slot`'s pin on a page it maps.
    func setPinned(_ pfn: Int, slot: Int, _ pinned: Bool) {
        let m = frames.mapper[pfn]
        if m & FrameTable.overflowBit == 0 {
            if pinned { frames.flags[pfn] |= FrameFlag.pinned } else { frames.flags[pfn] &= ~FrameFlag.pinned }
        } else {
            let index = Int(m & ~FrameTable.overflowBit)
            if let i = overflow[index].firstIndex(where: { $0.slot == UInt32(truncatingIfNeeded: slot) }) {
                overflow[index][i].pinned = pinned
            }
        }
        updateEvictability(pfn)
    }

    /// Moves the page to the unevictable list while it is pinned or a driver
    /// page, and back to the head of the active list when neither holds.
    func updateEvictability(_ pfn: Int) {
        let fl = frames.flags[pfn]
        let should = fl & FrameFlag.driver != 0 || pinCount(pfn) > 0
        let isOn = fl & FrameFlag.unevictable != 0
        guard should != isOn else { return }
        let c = ownerOf(pfn)
        let anon = fl & (FrameFlag.anon | FrameFlag.shmem) != 0
        lruRemove(pfn, from: c)
        if should {
            frames.flags[pfn] = (fl & ~FrameFlag.active) | FrameFlag.unevictable
            containers[c].unevictable.pushHead(pfn, anon: anon, frames)
        } else {
            frames.flags[pfn] = (fl & ~FrameFlag.unevictable) | FrameFlag.active
            containers[c].active.pushHead(pfn, anon: anon, frames)
        }
    }

    /// Takes the page off whichever of its owner's lists it is on.
    @inline(__always) func lruRemove(_ pfn: Int, from c: Int) {
        let fl = frames.flags[pfn]
        let anon = fl & (FrameFlag.anon | FrameFlag.shmem) != 0
        if fl & FrameFlag.unevictable != 0 {
            containers[c].unevictable.remove(pfn, anon: anon, frames)
        } else if fl & FrameFlag.active != 0 {
            containers[c].active.remove(pfn, anon: anon, frames)
        } else {
            containers[c].inactive.remove(pfn, anon: anon, frames)
        }
    }
}
