/// Process mappings of pages: one reference per mapping (page_add_*_rmap /
/// page_remove_rmap), pins per process (mlock_vma_page), and the
/// `mapped_file` and evictability bookkeeping that goes with them. The
/// reverse map stores who maps what; this is the policy around it.
extension MemcgEngine {
    /// Adds one mapping of `pfn` (already charged) by `slot`.
    @inline(__always) func addMapping(_ pfn: PFN, slot: ProcessSlot) {
        let added = rmap.add(pfn, slot: slot)
        if added.firstForPage && frames.flags(pfn) & (FrameFlag.anon | FrameFlag.mappedFile) == 0 {
            frames.insert(pfn, FrameFlag.mappedFile)
            containers[frames.owner(pfn)!].stat.mappedFile += 1
        }
        if added.firstForProcess {
            processes.recordFirstMapping(slot, pfn)
            if processes.needsCompaction(slot) { compactPages(slot) }
        }
    }

    /// Drops `n` mappings (all of them when nil) of `pfn` held by `slot`;
    /// returns false when the slot held none. Does not uncharge.
    @discardableResult
    func removeMappings(_ pfn: PFN, slot: ProcessSlot, count n: Int?) -> Bool {
        guard let removed = rmap.remove(pfn, slot: slot, count: n) else { return false }
        if removed.lastForProcess { processes[slot].distinct -= 1 }
        if removed.lastForPage { noteUnmapped(pfn) }
        if removed.unpinned { updateEvictability(pfn) }
        return true
    }

    /// The page lost its last mapping: it leaves `mapped_file`.
    @inline(__always) func noteUnmapped(_ pfn: PFN) {
        if frames.has(pfn, FrameFlag.mappedFile) {
            frames.remove(pfn, FrameFlag.mappedFile)
            containers[frames.owner(pfn)!].stat.mappedFile -= 1
        }
    }

    /// Removes every mapping of `pfn` (eviction, free; try_to_unmap).
    /// Pins go too; list moves are left to the caller, which uncharges the
    /// page next.
    @inline(__always) func removeEveryMapping(_ pfn: PFN) {
        guard rmap.isMapped(pfn) else { return }
        rmap.removeAll(pfn) { s in processes[s].distinct -= 1 }
        noteUnmapped(pfn)
    }

    /// The same for a swap-out: the slot `id` remembers each process that
    /// mapped the page, in mapping order.
    @inline(__always) func removeEveryMapping(_ pfn: PFN, into id: UInt32) {
        rmap.removeAllInMappingOrder(pfn) { s in
            swap.claim(id, process: s, pid: processes[s].pid)
            processes[s].distinct -= 1
        }
        noteUnmapped(pfn)
    }

    /// Moves the page to the unevictable list while it is pinned or a driver
    /// page, and back to the head of the active list when neither holds.
    func updateEvictability(_ pfn: PFN) {
        let fl = frames.flags(pfn)
        let should = fl & FrameFlag.driver != 0 || rmap.pinCount(pfn) > 0
        guard should != (fl & FrameFlag.unevictable != 0) else { return }
        containers[frames.owner(pfn)!].lru.move(pfn, to: should ? .unevictable : .active, clearReferenced: false, frames)
    }

    /// Distinct pages a process maps now, in first-mapped order: one pass
    /// over its page vector, de-duplicated with the frames' scratch bit
    /// (for commands; queries use `ProcessTable.distinctPages`, which
    /// changes nothing).
    func livePages(of slot: ProcessSlot) -> [PFN] {
        if let exact = processes.exactPages(slot) { return exact }
        var out: [PFN] = []
        out.reserveCapacity(processes[slot].distinct)
        processes.forEachRecordedPage(slot) { pfn in
            if !frames.has(pfn, FrameFlag.visited) && rmap.mapCount(pfn, slot: slot) > 0 {
                frames.insert(pfn, FrameFlag.visited)
                out.append(pfn)
            }
        }
        for pfn in out { frames.remove(pfn, FrameFlag.visited) }
        return out
    }

    /// Drops stale entries of the process's page vector.
    func compactPages(_ slot: ProcessSlot) {
        processes.setPages(slot, livePages(of: slot))
    }
}
