/// Container reclaim: the per-container two-list LRU of seed patch 6/8
/// (try_to_free_mem_container_pages, shrink_inactive_list), with the scan
/// rules of model.md sections 5 and 8.
extension MemcgEngine {
    /// Consecutive reclaim rounds without progress before giving up
    /// (MAX_RECLAIM_RETRIES in try_charge; the resize and force_empty loops).
    static let maxIdleRounds = 5
    /// Pages one reclaim round tries to evict (SWAP_CLUSTER_MAX).
    static let reclaimBatch = 32

    /// The one reclaim driver, shared by the charge path, limit writes and
    /// force_empty: rounds from `target`'s subtree; after each round `next`
    /// returns nil when the goal is met, or the level to reclaim from next.
    /// Gives up after `maxIdleRounds` rounds in a row that evicted nothing
    /// and returns the last level it was asked to reclaim from.
    func reclaim(from target: ContainerID, listEvicted: Bool, out: inout Outcome,
                 next: () -> ContainerID?) -> ContainerID? {
        var level = target
        var idle = 0
        while true {
            let got = reclaimRound(level, want: Self.reclaimBatch, listEvicted: listEvicted, out: &out)
            idle = got == 0 ? idle + 1 : 0
            guard let again = next() else { return nil }
            level = again
            if idle >= Self.maxIdleRounds { return level }
        }
    }

    /// One reclaim round from `level`'s subtree: tries to evict `want`
    /// pages, visiting containers depth-first in creation order, `level`
    /// first. Returns the pages evicted.
    func reclaimRound(_ level: ContainerID, want: Int, listEvicted: Bool, out: inout Outcome) -> Int {
        if containers[level].children.isEmpty {
            return scan(level, want: want, listEvicted: listEvicted, out: &out)
        }
        var got = 0
        for c in containers.subtree(level) {
            got += scan(c, want: want - got, listEvicted: listEvicted, out: &out)
            if got >= want { break }
        }
        return got
    }

    /// Scans one container's inactive list from the tail: a referenced page
    /// gets a second chance on the active head; an evictable one is
    /// evicted; one that cannot be evicted now goes to the active head.
    /// Balances the lists first and whenever the inactive list runs out; at
    /// most two looks per page on the lists at the start.
    func scan(_ c: ContainerID, want: Int, listEvicted: Bool, out: inout Outcome) -> Int {
        let budget = 2 * (containers[c].lru.active.count + containers[c].lru.inactive.count)
        var looks = 0
        var got = 0
        balance(c)
        while got < want && looks < budget {
            if containers[c].lru.inactive.count == 0 {
                balance(c)
                if containers[c].lru.inactive.count == 0 { break }
            }
            let pfn = containers[c].lru.inactive.tail!
            looks += 1
            let fl = frames.flags(pfn)
            if fl & FrameFlag.referenced == 0 && isEvictable(fl) {
                evict(pfn, listEvicted: listEvicted, out: &out)
                got += 1
            } else {
                containers[c].lru.move(pfn, to: .active, clearReferenced: true, frames)
            }
        }
        return got
    }

    /// "Inactive is low" (inactive_list_is_low): while the inactive list is
    /// shorter than the active list, move pages from the active tail to the
    /// inactive head, clearing `referenced`.
    func balance(_ c: ContainerID) {
        while containers[c].lru.inactive.count < containers[c].lru.active.count {
            containers[c].lru.move(containers[c].lru.active.tail!, to: .inactive, clearReferenced: true, frames)
        }
    }

    /// File pages always; anonymous and shmem pages only into a free swap slot.
    @inline(__always) func isEvictable(_ fl: UInt16) -> Bool {
        fl & FrameFlag.swapBacked == 0 || swap.hasFreeSlot
    }

    /// Evicts a page (shrink_page_list → __remove_mapping): every mapping
    /// and cache reference goes, swap-backed content goes to a swap slot,
    /// the page is uncharged and the frame free.
    func evict(_ pfn: PFN, listEvicted: Bool, out: inout Outcome) {
        let c = frames.owner(pfn)!
        let swapBacked = frames.has(pfn, FrameFlag.swapBacked)
        let pids = removeEveryMapping(pfn)
        frames.remove(pfn, FrameFlag.pageCache | FrameFlag.swapCache)
        if swapBacked && swap.store(page: pfn, owner: c, pids: pids) { containers[c].stat.swap += 1 }
        containers[c].stat.pgsteal += 1
        counters.evictions += 1
        out.evictedCount += 1
        if listEvicted { out.evicted.append(pfn.raw) }
        uncharge(pfn)
    }
}
