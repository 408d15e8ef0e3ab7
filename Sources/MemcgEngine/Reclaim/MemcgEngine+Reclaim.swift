/// Container reclaim: the per-container two-list LRU of seed patch 6/8
/// (try_to_free_mem_container_pages, shrink_inactive_list), or the split
/// anon/file LRUs of later kernels (shrink_lruvec, get_scan_count), with
/// the scan rules of model.md sections 5, 5.3 and 8 and the protection of
/// section 5.1.
extension MemcgEngine {
    /// Consecutive reclaim rounds without progress before giving up
    /// (MAX_RECLAIM_RETRIES in try_charge; the resize and force_empty loops).
    static let maxIdleRounds = 5
    /// Pages one reclaim round tries to evict (SWAP_CLUSTER_MAX).
    static let reclaimBatch = 32

    /// The one reclaim driver, shared by the charge path, limit writes,
    /// force_empty, proactive reclaim and move_charge: rounds from
    /// `target`'s subtree, each asking for `want()` pages; after each round
    /// `next` gets the pages it evicted and returns nil when the goal is
    /// met, or the level to reclaim from next. Gives up after
    /// `maxIdleRounds` rounds in a row that evicted nothing and returns the
    /// last level it was asked to reclaim from.
    func reclaim(from target: ContainerID, want: () -> Int = { MemcgEngine.reclaimBatch }, listEvicted: Bool,
                 out: inout Outcome, next: (Int) -> ContainerID?) -> ContainerID? {
        var level = target
        var idle = 0
        while true {
            let got = reclaimRound(level, want: want(), listEvicted: listEvicted, out: &out)
            idle = got == 0 ? idle + 1 : 0
            guard let again = next(got) else { return nil }
            level = again
            if idle >= Self.maxIdleRounds { return level }
        }
    }

    /// One reclaim round with `target` as its target (shrink_node_memcgs):
    /// tries to evict `want` pages, visiting the subtree depth-first in
    /// creation order, the target first, each container within its
    /// protection. A round that evicted nothing after skipping some
    /// container for `low` is repeated at once as a low pass, and each
    /// container skipped for low counts one `low` event.
    func reclaimRound(_ target: ContainerID, want: Int, listEvicted: Bool, out: inout Outcome) -> Int {
        if containers[target].children.isEmpty {
            return scan(target, want: want, listEvicted: listEvicted, out: &out)
        }
        let order = containers.subtree(target)
        var skippedForLow: [ContainerID] = []
        let got = visit(order, target: target, want: want, lowPass: false, skippedForLow: &skippedForLow,
                        listEvicted: listEvicted, out: &out)
        if got > 0 || skippedForLow.isEmpty { return got }
        for c in skippedForLow { containers[c].stat.eventsLow += 1 }
        var none: [ContainerID] = []
        return visit(order, target: target, want: want, lowPass: true, skippedForLow: &none, listEvicted: listEvicted, out: &out)
    }

    private func visit(_ order: [ContainerID], target: ContainerID, want: Int, lowPass: Bool,
                       skippedForLow: inout [ContainerID], listEvicted: Bool, out: inout Outcome) -> Int {
        var got = 0
        for c in order {
            var ask = want - got
            if protectionInUse && c != target {
                effectiveProtection(c, target: target)
                let usage = pageCounters[c].usage
                if usage <= emin[c.raw] { continue }
                if usage <= elow[c.raw] && !lowPass {
                    skippedForLow.append(c)
                    continue
                }
                ask = Swift.min(ask, usage - (lowPass ? emin[c.raw] : Swift.max(emin[c.raw], elow[c.raw])))
            } else if pageCounters[c].usage == 0 {
                continue
            } else if c != target && machine.cgroup == .v2 {
                // No protection set anywhere: the cap of 5.1 is usage - 0.
                // It matters with `lru: split`, whose division starts from it.
                ask = Swift.min(ask, pageCounters[c].usage)
            }
            got += scan(c, want: ask, listEvicted: listEvicted, out: &out)
            if got >= want { break }
        }
        return got
    }

    /// mem_cgroup_calculate_protection / effective_protection (without
    /// recursive_prot) for `c` in a round targeting `target`: a child of the
    /// target gets its settings; deeper, `min(usage, setting)`, scaled down
    /// by `e(parent) / S` when the siblings' claims `S` exceed what the
    /// parent has. Parents are visited first, so theirs are current.
    func effectiveProtection(_ c: ContainerID, target: ContainerID) {
        guard let p = containers[c].parent, c != .root else { emin[c.raw] = 0; elow[c.raw] = 0; return }
        let counter = pageCounters[c]
        if p == target {
            emin[c.raw] = counter.min
            elow[c.raw] = counter.low
            return
        }
        var sumMin = 0, sumLow = 0
        for s in containers[p].children {
            let k = pageCounters[s]
            sumMin += Swift.min(k.usage, k.min)
            sumLow += Swift.min(k.usage, k.low)
        }
        emin[c.raw] = Self.scaled(Swift.min(counter.usage, counter.min), parent: emin[p.raw], sum: sumMin)
        elow[c.raw] = Self.scaled(Swift.min(counter.usage, counter.low), parent: elow[p.raw], sum: sumLow)
    }

    /// `p` when the siblings' claims fit in the parent's, else
    /// `floor(p * e(parent) / S)`, computed in full width (a setting may be
    /// "max"), so it never wraps; the quotient is below `p`.
    static func scaled(_ p: Int, parent: Int, sum: Int) -> Int {
        if sum <= parent { return p }
        let wide = p.multipliedFullWidth(by: parent)
        return sum.dividingFullWidth((wide.high, wide.low)).quotient
    }

    /// Reclaims up to `want` pages from one container's own lists
    /// (shrink_lruvec). With `lru: seed` that is a scan of its one pair.
    /// With `split` (model.md 5.3, get_scan_count): when no anonymous page
    /// could go to swap now, only the file LRU is scanned (SCAN_FILE);
    /// otherwise the anon LRU is asked for its swappiness share first, the
    /// file LRU for the rest and for what anon could not give, and the anon
    /// LRU once more, in a new scan, when the file LRU fell short after
    /// anon gave its whole share.
    func scan(_ c: ContainerID, want: Int, listEvicted: Bool, out: inout Outcome) -> Int {
        guard containers[c].lru.split else { return scan(c, .main, want: want, listEvicted: listEvicted, out: &out) }
        let anonPages = containers[c].lru.count(.main), filePages = containers[c].lru.count(.file)
        if anonPages + filePages == 0 { return 0 }
        guard canSwapOut(c) else { return scan(c, .file, want: want, listEvicted: listEvicted, out: &out) }
        let share = Self.anonShare(of: want, swappiness: machine.swappiness, anon: anonPages, file: filePages)
        let fromAnon = scan(c, .main, want: share, listEvicted: listEvicted, out: &out)
        var got = fromAnon + scan(c, .file, want: want - fromAnon, listEvicted: listEvicted, out: &out)
        if got < want && fromAnon == share {
            got += scan(c, .main, want: want - got, listEvicted: listEvicted, out: &out)
        }
        return got
    }

    /// The anon LRU's part of `want` pages: `floor(want * s * anon / (s *
    /// anon + (200 - s) * file))`, 0 when the denominator is. Computed in
    /// full width (a forced reclaim may want every frame of a large
    /// machine); the quotient is at most `want`.
    static func anonShare(of want: Int, swappiness s: Int, anon: Int, file: Int) -> Int {
        let anonWeight = s * anon, denominator = anonWeight + (200 - s) * file
        guard denominator > 0, anonWeight > 0, want > 0 else { return 0 }
        let wide = want.multipliedFullWidth(by: anonWeight)
        return denominator.dividingFullWidth((wide.high, wide.low)).quotient
    }

    /// Scans one pair's inactive list from the tail (shrink_inactive_list):
    /// a referenced page gets a second chance on the active head; an
    /// evictable one is evicted; one that cannot be evicted now goes to the
    /// active head. Balances the pair first and whenever the inactive list
    /// runs out; at most two looks per page on the pair at the start. Each
    /// look counts in `pgscan`. Asked for nothing, it leaves the pair alone.
    func scan(_ c: ContainerID, _ pair: LRUPairID, want: Int, listEvicted: Bool, out: inout Outcome) -> Int {
        guard want > 0 else { return 0 }
        let budget = 2 * containers[c].lru.count(pair)
        var looks = 0
        var got = 0
        balance(c, pair)
        while got < want && looks < budget {
            if containers[c].lru.inactiveCount(pair) == 0 {
                balance(c, pair)
                if containers[c].lru.inactiveCount(pair) == 0 { break }
            }
            let pfn = containers[c].lru.inactiveTail(pair)!
            looks += 1
            let fl = frames.flags(pfn)
            if fl & FrameFlag.referenced == 0 && isEvictable(fl, owner: c) {
                evict(pfn, listEvicted: listEvicted, out: &out)
                got += 1
            } else {
                containers[c].lru.move(pfn, to: .active, clearReferenced: true, frames)
            }
        }
        containers[c].stat.pgscan += looks
        return got
    }

    /// "Inactive is low" (inactive_list_is_low): while a pair's inactive
    /// list is shorter than its active list, move pages from the active
    /// tail to the inactive head, clearing `referenced`.
    func balance(_ c: ContainerID, _ pair: LRUPairID) {
        while containers[c].lru.inactiveCount(pair) < containers[c].lru.activeCount(pair) {
            containers[c].lru.move(containers[c].lru.activeTail(pair)!, to: .inactive, clearReferenced: true, frames)
        }
    }

    /// File pages always; anonymous and shmem pages only into a free swap
    /// slot with room under `swap_max` at the owner and every ancestor.
    @inline(__always) func isEvictable(_ fl: UInt16, owner c: ContainerID) -> Bool {
        fl & FrameFlag.swapBacked == 0 || canSwapOut(c)
    }

    /// mem_cgroup_get_nr_swap_pages > 0 for `c`.
    @inline(__always) func canSwapOut(_ c: ContainerID) -> Bool {
        swap.hasFreeSlot && (!swapMaxInUse || swapCounters.levelWithoutRoom(c) == nil)
    }

    /// Evicts a page (shrink_page_list → __remove_mapping): every mapping
    /// and cache reference goes, swap-backed content goes to a swap slot
    /// charged up the swap counters, the page is uncharged and the frame free.
    func evict(_ pfn: PFN, listEvicted: Bool, out: inout Outcome) {
        let c = frames.owner(pfn)!
        let swapBacked = frames.has(pfn, FrameFlag.swapBacked)
        let pids = removeEveryMapping(pfn)
        frames.remove(pfn, FrameFlag.pageCache | FrameFlag.swapCache)
        if swapBacked && swap.store(page: pfn, owner: c, pids: pids) {
            containers[c].stat.swap += 1
            swapCounters.charge(c)
        }
        containers[c].stat.pgsteal += 1
        counters.evictions += 1
        out.evictedCount += 1
        if listEvicted { out.evicted.append(pfn.raw) }
        uncharge(pfn)
    }
}
