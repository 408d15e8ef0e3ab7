/// Read-only queries. All values in pages; bytes are the HTTP layer's job.
extension MemcgEngine {
    /// Local statistics of one container, read off its counters and lists.
    func localStat(_ c: Int) -> StatValues {
        let k = containers[c]
        var v = StatValues()
        v.cache = k.stat.cache
        v.rss = k.stat.rss
        v.shmem = k.stat.shmem
        v.mappedFile = k.stat.mappedFile
        v.swap = k.stat.swap
        v.activeAnon = k.active.anon
        v.activeFile = k.active.count - k.active.anon
        v.inactiveAnon = k.inactive.anon
        v.inactiveFile = k.inactive.count - k.inactive.anon
        v.unevictable = k.unevictable.count
        v.pgpgin = k.stat.pgpgin
        v.pgpgout = k.stat.pgpgout
        v.pgfault = k.stat.pgfault
        v.pgsteal = k.stat.pgsteal
        v.eventsMax = k.stat.eventsMax
        v.eventsOOM = k.stat.eventsOOM
        v.eventsOOMKill = k.stat.eventsOOMKill
        return v
    }

    func snapshot(_ c: Int, total: StatValues, path: String, hierarchicalLimit: Int?) -> ContainerSnapshot {
        let k = containers[c]
        return ContainerSnapshot(
            name: k.name, parent: k.parent >= 0 ? containers[k.parent].name : nil,
            children: k.children.map { containers[$0].name }, chargeType: k.chargeType,
            limit: k.counter.limit == Int.max ? nil : k.counter.limit,
            usage: k.counter.usage, maxUsage: k.counter.watermark, failcnt: k.counter.failcnt,
            processes: k.processCount, hierarchicalLimit: hierarchicalLimit,
            local: localStat(c), total: total, path: path)
    }

    /// One container, with hierarchical totals over its subtree.
    public func container(named name: String) throws(EngineError) -> ContainerSnapshot {
        let c = try lookupContainer(name)
        var total = StatValues()
        if containers[c].children.isEmpty {
            total = localStat(c)
        } else {
            for x in subtree(c) { total.add(localStat(x)) }
        }
        var limit: Int? = nil
        var x = c
        while x >= 0 {
            let l = containers[x].counter.limit
            if l != Int.max { limit = min(limit ?? Int.max, l) }
            x = containers[x].parent
        }
        return snapshot(c, total: total, path: containers[c].path, hierarchicalLimit: limit)
    }

    /// Counters and statistics of one container, with totals over its subtree.
    public func stats(named name: String) throws(EngineError) -> StatsSnapshot {
        let c = try lookupContainer(name)
        let local = localStat(c)
        var total = local
        if !containers[c].children.isEmpty {
            total = StatValues()
            for x in subtree(c) { total.add(localStat(x)) }
        }
        var limit: Int? = nil
        var x = c
        while x >= 0 {
            let l = containers[x].counter.limit
            if l != Int.max { limit = min(limit ?? Int.max, l) }
            x = containers[x].parent
        }
        let k = containers[c].counter
        return StatsSnapshot(limit: k.limit == Int.max ? nil : k.limit, usage: k.usage, maxUsage: k.watermark,
                             failcnt: k.failcnt, hierarchicalLimit: limit, local: local, total: total)
    }

    /// Every container, depth-first in creation order (root first), with
    /// totals computed in one pass over the tree.
    public func allContainers() -> [ContainerSnapshot] {
        let order = subtree(0)
        var totals = [StatValues](repeating: StatValues(), count: containers.count)
        for c in order.reversed() {
            totals[c].add(localStat(c))
            let p = containers[c].parent
            if p >= 0 { totals[p].add(totals[c]) }
        }
        var hlimit = [Int?](repeating: nil, count: containers.count)
        var out: [ContainerSnapshot] = []
        out.reserveCapacity(order.count)
        for c in order {
            let p = containers[c].parent
            let own = containers[c].counter.limit
            if p >= 0 {
                let up = hlimit[p]
                hlimit[c] = own == Int.max ? up : min(up ?? Int.max, own)
            }
            out.append(snapshot(c, total: totals[c], path: containers[c].path, hierarchicalLimit: hlimit[c]))
        }
        return out
    }

    public func process(pid: Int) throws(EngineError) -> ProcessSnapshot {
        let slot = try lookupProcess(pid)
        let pages = livePages(of: slot)
        var mappings = 0, pinned = 0
        for pfn in pages {
            mappings += mapCount(pfn, slot: slot)
            if isPinned(pfn, slot: slot) { pinned += 1 }
        }
        return ProcessSnapshot(pid: pid, container: containers[processes[slot].container].name,
                               mappedPages: pages.count, mappings: mappings, pinnedPages: pinned,
                               swapSlots: processes[slot].swapLive)
    }

    /// All processes, by pid.
    public func allProcesses() -> [ProcessSnapshot] {
        pidIndex.keys.sorted().map { try! process(pid: $0) }
    }

    public var engineSnapshot: EngineSnapshot {
        EngineSnapshot(chargedPages: chargedPages, freePages: machine.frames - chargedPages,
                       swapUsed: swapUsed, swapFree: machine.swapSlots - swapUsed,
                       processes: pidIndex.count, containers: containerIndex.count, counters: counters)
    }

    // MARK: introspection for tests and tools

    /// Owner of a page, or nil when it is not charged.
    public func owner(ofPage pfn: Int) -> String? {
        guard pfn >= 0, pfn < machine.frames, frames.owner[pfn] != 0 else { return nil }
        return containers[ownerOf(pfn)].name
    }

    /// References a page holds: process mappings, page cache, swap cache.
    public func references(ofPage pfn: Int) -> (mappings: Int, pageCache: Bool, swapCache: Bool) {
        guard pfn >= 0, pfn < machine.frames, frames.owner[pfn] != 0 else { return (0, false, false) }
        let m = frames.mapper[pfn]
        var n = 0
        if m != 0 {
            if m & FrameTable.overflowBit == 0 { n = Int(frames.mapCount[pfn]) }
            else { n = overflow[Int(m & ~FrameTable.overflowBit)].reduce(0) { $0 + $1.count } }
        }
        let fl = frames.flags[pfn]
        return (n, fl & FrameFlag.pageCache != 0, fl & FrameFlag.swapCache != 0)
    }

    /// Mappings of a page held by one process.
    public func mappings(ofPage pfn: Int, pid: Int) -> Int {
        guard let slot = pidIndex[pid], pfn >= 0, pfn < machine.frames else { return 0 }
        return mapCount(pfn, slot: slot)
    }

    /// A container's LRU lists, head first: (active, inactive, unevictable).
    public func lruLists(of name: String) throws(EngineError) -> (active: [Int], inactive: [Int], unevictable: [Int]) {
        let c = try lookupContainer(name)
        return (containers[c].active.pages(frames), containers[c].inactive.pages(frames), containers[c].unevictable.pages(frames))
    }

    /// Is the page's `referenced` bit set?
    public func isReferenced(_ pfn: Int) -> Bool {
        pfn >= 0 && pfn < machine.frames && frames.flags[pfn] & FrameFlag.referenced != 0
    }
}
