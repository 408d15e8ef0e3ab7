/// Read-only queries of the engine. All values in pages; bytes are the
/// HTTP layer's job. Nothing here changes engine state, so readers may
/// share a lock.
public struct EngineView {
    let engine: MemcgEngine

    private var containers: ContainerTable { engine.containers }
    private var counters: PageCounterTree { engine.pageCounters }

    /// Local statistics of one container, read off its counters and lists
    /// (memory.stat without the total_ lines).
    func localStat(_ c: ContainerID) -> StatValues {
        let k = containers[c]
        var v = k.stat
        v.activeAnon = k.lru.activeAnon
        v.activeFile = k.lru.activeCount - k.lru.activeAnon
        v.inactiveAnon = k.lru.inactiveAnon
        v.inactiveFile = k.lru.inactiveCount - k.lru.inactiveAnon
        v.unevictable = k.lru.unevictable.count
        return v
    }

    func controls(_ c: ContainerID) -> ControlSnapshot {
        let m = counters[c], sw = engine.swapCounters[c]
        func v(_ x: Int) -> Int? { x == Int.max ? nil : x }
        return ControlSnapshot(max: v(m.max), high: v(m.high), low: v(m.low), min: v(m.min), swapMax: v(sw.max),
                               swapUsage: sw.usage, swapPeak: sw.watermark)
    }

    /// Local statistics summed over the subtree of `c`.
    func totalStat(_ c: ContainerID) -> StatValues {
        if containers[c].children.isEmpty { return localStat(c) }
        var total = StatValues()
        for x in containers.subtree(c) { total.add(localStat(x)) }
        return total
    }

    private func snapshot(_ c: ContainerID, total: StatValues, hierarchicalLimit: Int?) -> ContainerSnapshot {
        let k = containers[c]
        let counter = counters[c]
        return ContainerSnapshot(
            name: k.name, parent: k.parent.map { containers[$0].name },
            children: k.children.map { containers[$0].name }, chargeType: k.chargeType, labels: k.labels,
            limit: counter.max == Int.max ? nil : counter.max,
            usage: counter.usage, maxUsage: counter.watermark, failcnt: counter.failcnt,
            processes: k.processCount, hierarchicalLimit: hierarchicalLimit,
            local: localStat(c), total: total, path: k.path, controls: controls(c), oomGroup: k.oomGroup, depth: k.depth)
    }

    /// One container, with hierarchical totals over its subtree.
    public func container(named name: String) throws(EngineError) -> ContainerSnapshot {
        let c = try engine.lookupContainer(name)
        return snapshot(c, total: totalStat(c), hierarchicalLimit: counters.hierarchicalMax(c))
    }

    /// Counters and statistics of one container, with totals over its subtree.
    public func stats(named name: String) throws(EngineError) -> StatsSnapshot {
        let c = try engine.lookupContainer(name)
        let k = counters[c]
        return StatsSnapshot(limit: k.max == Int.max ? nil : k.max, usage: k.usage, maxUsage: k.watermark,
                             failcnt: k.failcnt, hierarchicalLimit: counters.hierarchicalMax(c),
                             local: localStat(c), total: totalStat(c), controls: controls(c))
    }

    /// Every container, depth-first in creation order (root first), with
    /// totals and limits computed in one pass over the tree: linear in the
    /// number of containers at any depth.
    public func allContainers() -> [ContainerSnapshot] {
        let order = containers.subtree(.root)
        var totals = [StatValues](repeating: StatValues(), count: containers.idBound)
        for c in order.reversed() {
            totals[c.raw].add(localStat(c))
            if let p = containers[c].parent { totals[p.raw].add(totals[c.raw]) }
        }
        var hlimit = [Int?](repeating: nil, count: containers.idBound)
        var out: [ContainerSnapshot] = []
        out.reserveCapacity(order.count)
        for c in order {
            let own = counters[c].max
            let up = containers[c].parent.flatMap { hlimit[$0.raw] }
            hlimit[c.raw] = own == Int.max ? up : Swift.min(up ?? Int.max, own)
            out.append(snapshot(c, total: totals[c.raw], hierarchicalLimit: hlimit[c.raw]))
        }
        return out
    }

    public func process(pid: Int) throws(EngineError) -> ProcessSnapshot {
        let slot = try engine.lookupProcess(pid)
        let pages = engine.processes.distinctPages(slot) { engine.rmap.mapCount($0, slot: slot) > 0 }
        var mappings = 0, pinned = 0
        for pfn in pages {
            mappings += engine.rmap.mapCount(pfn, slot: slot)
            if engine.rmap.isPinned(pfn, slot: slot) { pinned += 1 }
        }
        return ProcessSnapshot(pid: pid, container: containers[engine.processes[slot].container].name,
                               mappedPages: pages.count, mappings: mappings, pinnedPages: pinned,
                               swapSlots: engine.swap.liveClaims(of: pid))
    }

    /// All processes, by pid.
    public func allProcesses() -> [ProcessSnapshot] {
        engine.processes.sortedPids.compactMap { try? process(pid: $0) }
    }

    public var engineSnapshot: EngineSnapshot {
        EngineSnapshot(chargedPages: engine.chargedPages, freePages: engine.machine.frames - engine.chargedPages,
                       swapUsed: engine.swap.used, swapFree: engine.machine.swapSlots - engine.swap.used,
                       processes: engine.processes.count, containers: containers.count, counters: engine.counters)
    }

    // MARK: introspection for tests and tools

    /// Owner of a page, or nil when it is not charged.
    public func owner(ofPage page: Int) -> String? {
        guard let pfn = engine.machine.pfn(page), let c = engine.frames.owner(pfn) else { return nil }
        return containers[c].name
    }

    /// References a page holds: process mappings, page cache, swap cache.
    public func references(ofPage page: Int) -> (mappings: Int, pageCache: Bool, swapCache: Bool) {
        guard let pfn = engine.machine.pfn(page), engine.frames.isCharged(pfn) else { return (0, false, false) }
        return (engine.rmap.totalMappings(pfn), engine.frames.has(pfn, FrameFlag.pageCache), engine.frames.has(pfn, FrameFlag.swapCache))
    }

    /// Mappings of a page held by one process.
    public func mappings(ofPage page: Int, pid: Int) -> Int {
        guard let slot = engine.processes.lookup(pid), let pfn = engine.machine.pfn(page) else { return 0 }
        return engine.rmap.mapCount(pfn, slot: slot)
    }

    /// Does the process pin the page?
    public func isPinned(page: Int, pid: Int) -> Bool {
        guard let slot = engine.processes.lookup(pid), let pfn = engine.machine.pfn(page) else { return false }
        return engine.rmap.isPinned(pfn, slot: slot)
    }

    /// A container's LRU lists, head first: (active, inactive, unevictable).
    /// With `lru: split` the active and inactive lists are the anon LRU's
    /// followed by the file LRU's (see `splitLRULists`).
    public func lruLists(of name: String) throws(EngineError) -> (active: [Int], inactive: [Int], unevictable: [Int]) {
        let lru = containers[try engine.lookupContainer(name)].lru
        let f = engine.frames
        return (lru.main.active.pages(f) + lru.file.active.pages(f), lru.main.inactive.pages(f) + lru.file.inactive.pages(f),
                lru.unevictable.pages(f))
    }

    /// With `lru: split`, a container's two LRUs apart, head first; with
    /// `seed`, every evictable page is in `anon` and `file` is empty.
    public func splitLRULists(of name: String) throws(EngineError)
        -> (anon: (active: [Int], inactive: [Int]), file: (active: [Int], inactive: [Int])) {
        let lru = containers[try engine.lookupContainer(name)].lru
        let f = engine.frames
        return ((lru.main.active.pages(f), lru.main.inactive.pages(f)), (lru.file.active.pages(f), lru.file.inactive.pages(f)))
    }

    /// Is the page's `referenced` bit set?
    public func isReferenced(_ page: Int) -> Bool {
        guard let pfn = engine.machine.pfn(page) else { return false }
        return engine.frames.has(pfn, FrameFlag.referenced)
    }
}
