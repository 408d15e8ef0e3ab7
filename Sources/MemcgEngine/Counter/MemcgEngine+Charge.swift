/// The charge path (seed patches 4/8, 6/8 and 7/8) and uncharge.
extension MemcgEngine {
    /// mem_container_charge for a page that is not charged yet: try-charge,
    /// then reclaim from the refusing level while it makes progress, then
    /// OOM in that level's subtree. On success the page is owned by `c`, on
    /// the head of its active list (or unevictable, for a driver page), and
    /// nil is returned; otherwise the refusing level.
    @inline(__always)
    func chargeNewPage(_ pfn: PFN, to c: ContainerID, kind: UInt16, listEvicted: Bool, out: inout Outcome) -> ContainerID? {
        if let refused = pageCounters.tryCharge(c) {
            if let level = chargeSlowPath(c, firstRefusal: refused, listEvicted: listEvicted, out: &out) { return level }
        }
        commitCharge(pfn, to: c, kind: kind)
        return nil
    }

    /// try_charge's retry loop up to the OOM: `failcnt` and the `max` event
    /// once per refusing level for this page, reclaim rounds through the one
    /// driver, `attempt` after each round. Returns nil when the charge went
    /// through (`attempt` charged the counters), or the level it gave up at.
    /// Shared by the charge path and move_charge.
    func chargeRetrying(firstRefusal: ContainerID, listEvicted: Bool, out: inout Outcome,
                        attempt: () -> ContainerID?) -> ContainerID? {
        var refused = [firstRefusal]
        noteRefusal(firstRefusal)
        return reclaim(from: firstRefusal, listEvicted: listEvicted, out: &out) { _ in
            guard let level = attempt() else { return nil }
            if !refused.contains(level) {
                refused.append(level)
                noteRefusal(level)
            }
            return level
        }
    }

    /// The retry loop, then the OOM killer in the level that refused last.
    /// Returns nil when the charge went through, or the refusing level.
    func chargeSlowPath(_ c: ContainerID, firstRefusal: ContainerID, listEvicted: Bool, out: inout Outcome) -> ContainerID? {
        guard let level = chargeRetrying(firstRefusal: firstRefusal, listEvicted: listEvicted, out: &out,
                                         attempt: { pageCounters.tryCharge(c) }) else { return nil }
        outOfMemory(level, out: &out, countWithoutVictim: true)
        return level
    }

    /// The high check (mem_cgroup_handle_over_high, v2), after a charge of
    /// `c` committed: from `c` up to the root, every level above its `high`
    /// counts a `high` event and gets one reclaim round as its target. No
    /// failcnt, no retry, never an OOM.
    @inline(__always) func checkHigh(_ c: ContainerID, listEvicted: Bool, out: inout Outcome) {
        guard highInUse, pageCounters.mayBeAboveHigh(c) else { return }
        var x: ContainerID? = c
        while let level = x, level != .root {
            if pageCounters[level].usage > pageCounters[level].high {
                containers[level].stat.eventsHigh += 1
                _ = reclaimRound(level, want: Self.reclaimBatch, listEvicted: listEvicted, out: &out)
            }
            x = containers[level].parent
        }
    }

    /// A charge found `level` full: failcnt and the `max` event.
    func noteRefusal(_ level: ContainerID) {
        pageCounters.recordFailure(level)
        containers[level].stat.eventsMax += 1
    }

    /// mem_cgroup_commit_charge: the counters are already charged; the page
    /// gets its owner, its kind and its place on the LRU.
    @inline(__always) func commitCharge(_ pfn: PFN, to c: ContainerID, kind: UInt16) {
        frames.setOwner(pfn, c)
        frames.setFlags(pfn, kind)
        containers[c].lru.pushHead(pfn, on: kind & FrameFlag.driver != 0 ? .unevictable : .active, clearReferenced: false, frames)
        if kind & FrameFlag.anon != 0 {
            containers[c].stat.rss += 1
        } else {
            containers[c].stat.cache += 1
            if kind & FrameFlag.shmem != 0 { containers[c].stat.shmem += 1 }
        }
        containers[c].stat.pgpgin += 1
        counters.charges += 1
        chargedPages += 1
    }

    /// Uncharges the page when it holds no reference any more.
    @inline(__always) func uncharge(ifUnreferenced pfn: PFN) {
        if !rmap.isMapped(pfn) && !frames.has(pfn, FrameFlag.pageCache | FrameFlag.swapCache) {
            uncharge(pfn)
        }
    }

    /// mem_container_uncharge: the last reference went. Off the LRU, out of
    /// the counters, frame free. Mappings must be gone already.
    @inline(__always) func uncharge(_ pfn: PFN) {
        guard let c = frames.owner(pfn) else { preconditionFailure("uncharge of a free page \(pfn.raw)") }
        containers[c].lru.remove(pfn, frames)
        let fl = frames.flags(pfn)
        if fl & FrameFlag.anon != 0 {
            containers[c].stat.rss -= 1
        } else {
            containers[c].stat.cache -= 1
            if fl & FrameFlag.shmem != 0 { containers[c].stat.shmem -= 1 }
            if fl & FrameFlag.mappedFile != 0 { containers[c].stat.mappedFile -= 1 }
        }
        containers[c].stat.pgpgout += 1
        pageCounters.uncharge(c)
        frames.clear(pfn)
        counters.uncharges += 1
        chargedPages -= 1
    }
}
