/// The charge path (seed patches 4/8, 6/8, 7/8) and uncharge.
extension MemcgEngine {
    /// Consecutive reclaim rounds without progress before giving up.
    static let maxIdleRounds = 5
    /// Pages one reclaim round tries to evict (SWAP_CLUSTER_MAX).
    static let reclaimBatch = 32

    /// page_counter_try_charge up the tree: charges one page to `c` and
    /// every ancestor, or charges nothing and returns the lowest level that
    /// has no room. Returns -1 on success.
    @inline(__always) func tryCharge(_ c: Int) -> Int {
        var x = c
        while x > 0 {
            if !containers[x].counter.hasRoom() { return x }
            x = containers[x].parent
        }
        x = c
        while x >= 0 {
            containers[x].counter.charge()
            x = containers[x].parent
        }
        return -1
    }

    /// mem_container_charge for a page that is not charged yet: try-charge,
    /// then reclaim from the refusing level while it makes progress, then
    /// OOM in that level's subtree. On success the page is owned by `c`, on
    /// the head of its active list. Returns -1, or the refusing level.
    @inline(__always)
    func chargeNewPage(_ pfn: Int, to c: Int, kind: UInt16, listEvicted: Bool, out: inout Outcome) -> Int {
        let refused = tryCharge(c)
        if refused >= 0 {
            let level = chargeSlowPath(c, firstRefusal: refused, listEvicted: listEvicted, out: &out)
            if level >= 0 { return level }
        }
        commitCharge(pfn, to: c, kind: kind)
        return -1
    }

    func chargeSlowPath(_ c: Int, firstRefusal: Int, listEvicted: Bool, out: inout Outcome) -> Int {
        var level = firstRefusal
        var bumped = [level]
        noteRefusal(level)
        var idle = 0
        while true {
            let got = reclaimRound(level, listEvicted: listEvicted, out: &out)
            idle = got == 0 ? idle + 1 : 0
            let again = tryCharge(c)
            if again < 0 { return -1 }
            if !bumped.contains(again) {
                bumped.append(again)
                noteRefusal(again)
            }
            level = again
            if idle >= Self.maxIdleRounds { break }
        }
        outOfMemory(level, out: &out)
        return level
    }

    /// A charge found `level` full: failcnt and the `max` event.
    func noteRefusal(_ level: Int) {
        containers[level].counter.failcnt += 1
        containers[level].stat.eventsMax += 1
    }

    @inline(__always) func commitCharge(_ pfn: Int, to c: Int, kind: UInt16) {
        frames.owner[pfn] = UInt16(truncatingIfNeeded: c + 1)
        let anon = kind & (FrameFlag.anon | FrameFlag.shmem) != 0
        if kind & FrameFlag.driver != 0 {
            frames.flags[pfn] = kind | FrameFlag.unevictable
            containers[c].unevictable.pushHead(pfn, anon: anon, frames)
        } else {
            frames.flags[pfn] = kind | FrameFlag.active
            containers[c].active.pushHead(pfn, anon: anon, frames)
        }
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
    @inline(__always) func uncharge(ifUnreferenced pfn: Int) {
        if frames.mapper[pfn] == 0 && frames.flags[pfn] & (FrameFlag.pageCache | FrameFlag.swapCache) == 0 {
            uncharge(pfn)
        }
    }

    /// mem_container_uncharge: the last reference went. Off the LRU, out of
    /// the counters, frame free.
    @inline(__always) func uncharge(_ pfn: Int) {
        let c = ownerOf(pfn)
        lruRemove(pfn, from: c)
        let fl = frames.flags[pfn]
        if fl & FrameFlag.anon != 0 {
            containers[c].stat.rss -= 1
        } else {
            containers[c].stat.cache -= 1
            if fl & FrameFlag.shmem != 0 { containers[c].stat.shmem -= 1 }
            if fl & FrameFlag.mappedFile != 0 { containers[c].stat.mappedFile -= 1 }
        }
        containers[c].stat.pgpgout += 1
        var x = c
        while x >= 0 {
            containers[x].counter.uncharge()
            x = containers[x].parent
        }
        frames.owner[pfn] = 0
        frames.flags[pfn] = 0
        frames.mapper[pfn] = 0
        frames.mapCount[pfn] = 0
        counters.uncharges += 1
        chargedPages -= 1
    }
}
