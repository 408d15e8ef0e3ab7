/// Container reclaim: the per-container two-list LRU of seed patch 6/8
/// (try_to_free_mem_container_pages), with the scan rules of model.md 5 and 8.
extension MemcgEngine {
    /// One reclaim round from `level`'s subtree: tries to evict 32 pages,
    /// visiting containers depth-first in creation order, `level` first.
    /// Returns the pages evicted.
    func reclaimRound(_ level: Int, listEvicted: Bool, out: inout Outcome) -> Int {
        var got = 0
        if containers[level].children.isEmpty {
            return scan(level, want: Self.reclaimBatch, listEvicted: listEvicted, out: &out)
        }
        for c in subtree(level) {
            got += scan(c, want: Self.reclaimBatch - got, listEvicted: listEvicted, out: &out)
            if got >= Self.reclaimBatch { break }
        }
        return got
    }

    /// Scans one container's inactive list from the tail (shrink_inactive_list):
    /// a referenced page gets a second chance on the active head; an
    /// evictable one is evicted; one that cannot be evicted now goes to the
    /// active head. Balances the lists first and whenever the inactive list
    /// runs out; at most two looks per page on the lists at the start.
    func scan(_ c: Int, want: Int, listEvicted: Bool, out: inout Outcome) -> Int {
        let budget = 2 * (containers[c].active.count + containers[c].inactive.count)
        var looks = 0
        var got = 0
        balance(c)
        while got < want && looks < budget {
            if containers[c].inactive.count == 0 {
                balance(c)
                if containers[c].inactive.count == 0 { break }
            }
            let pfn = Int(containers[c].inactive.tail) - 1
            looks += 1
            let fl = frames.flags[pfn]
            if fl & FrameFlag.referenced == 0 && isEvictable(fl) {
                evict(pfn, listEvicted: listEvicted, out: &out)
                got += 1
            } else {
                let anon = fl & (FrameFlag.anon | FrameFlag.shmem) != 0
                containers[c].inactive.remove(pfn, anon: anon, frames)
                frames.flags[pfn] = (fl & ~FrameFlag.referenced) | FrameFlag.active
                containers[c].active.pushHead(pfn, anon: anon, frames)
            }
        }
        return got
    }

    /// "Inactive is low": while the inactive list is shorter than the active
    /// list, move pages from the active tail to the inactive head, clearing
    /// `referenced`.
    func balance(_ c: Int) {
        while containers[c].inactive.count < containers[c].active.count {
            let pfn = Int(containers[c].active.tail) - 1
            let fl = frames.flags[pfn]
            let anon = fl & (FrameFlag.anon | FrameFlag.shmem) != 0
            containers[c].active.remove(pfn, anon: anon, frames)
            frames.flags[pfn] = fl & ~(FrameFlag.active | FrameFlag.referenced)
            containers[c].inactive.pushHead(pfn, anon: anon, frames)
        }
    }

    /// File pages always; anonymous and shmem pages only into a free swap slot.
    @inline(__always) func isEvictable(_ fl: UInt16) -> Bool {
        fl & (FrameFlag.anon | FrameFlag.shmem) == 0 || hasFreeSwapSlot
    }

    /// Evicts a page: every mapping and cache reference goes, swap-backed
    /// content goes to a swap slot, the page is uncharged and the frame free.
    func evict(_ pfn: Int, listEvicted: Bool, out: inout Outcome) {
        let c = ownerOf(pfn)
        let swapBacked = frames.flags[pfn] & (FrameFlag.anon | FrameFlag.shmem) != 0
        let pids = removeEveryMapping(pfn)
        frames.flags[pfn] &= ~(FrameFlag.pageCache | FrameFlag.swapCache)
        if swapBacked { swapOut(page: pfn, owner: c, pids: pids) }
        containers[c].stat.pgsteal += 1
        counters.evictions += 1
        out.evictedCount += 1
        if listEvicted { out.evicted.append(pfn) }
        uncharge(pfn)
    }
}
