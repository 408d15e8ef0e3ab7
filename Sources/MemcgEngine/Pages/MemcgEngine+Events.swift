/// Page events: the charge and uncharge hooks of model.md section 4.
extension MemcgEngine {
    /// Applies a validated batch, event by event and page by page.
    func applyEvents(_ events: [PageEvent], listEvicted: Bool, out: inout Outcome) {
        counters.commands += 1
        if listEvicted { out.evicted.reserveCapacity(64) }
        var cached: (pid: Int, slot: ProcessSlot)? = nil
        events.withUnsafeBufferPointer { buf in
            for index in 0..<buf.count {
                let n = buf[index].pageCount
                if n == 0 { continue }
                var slot: ProcessSlot? = nil
                if let pid = buf[index].pid {
                    if let c = cached, c.pid == pid, processes.holds(c.slot, pid: pid) {
                        slot = c.slot
                    } else if let s = processes.lookup(pid) {
                        slot = s
                        cached = (pid, s)
                    } else {
                        failRest(index, buf[index], from: 0, .ESRCH, out: &out)
                        continue
                    }
                }
                applyPages(buf, index, slot: slot, listEvicted: listEvicted, out: &out)
            }
        }
    }

    /// The single-page events of one event, in order. A process killed
    /// midway (by the OOM killer) makes the rest of its pages ESRCH.
    /// Reads the event in place (a copy of a `PageEvent` costs a value
    /// witness call per event, a third of the time of one-page events).
    @inline(__always)
    private func applyPages(_ buf: UnsafeBufferPointer<PageEvent>, _ index: Int, slot: ProcessSlot?, listEvicted: Bool, out: inout Outcome) {
        let n = buf[index].pageCount
        var tally = Tally()
        let pid = buf[index].pid ?? 0
        let op = buf[index].op, shmem = buf[index].shmem
        // Scattered page numbers: each page's records are a cache miss, so
        // ask for those of pages further on while this one is applied.
        var ahead: [Int] = []
        if case .list(let list) = buf[index].pages, n > Self.lookAhead,
           list[1] &- list[0] != 1 || list[n - 1] &- list[0] != n - 1 {
            ahead = list  // not one ascending run (the hardware prefetcher takes those)
        }
        for i in 0..<n {
            if !ahead.isEmpty { prefetch(ahead, at: i) }
            if let slot, !processes.holds(slot, pid: pid) {
                failRest(index, buf[index], from: i, .ESRCH, out: &out)
                break
            }
            let page = buf[index].page(at: i)
            let r = applyOne(op, slot: slot, page: page, oldPage: buf[index].oldPage(at: i), shmem: shmem,
                             listEvicted: listEvicted, out: &out)
            tally.add(r.result)
            if r.result.rawValue >= EventResult.ENOMEM.rawValue {
                out.noteFailure(index: index, position: i, page: page, r.result,
                                container: r.level.map { containers[$0].name })
            }
        }
        tally.flush(into: &counters, op: op, out: &out)
    }

    /// Pages ahead of the current one whose records are prefetched; the
    /// LRU neighbours are fetched half as far ahead (their links are read
    /// from the record fetched earlier).
    static let lookAhead = 16

    @inline(__always) private func prefetch(_ list: [Int], at i: Int) {
        let far = i &+ Self.lookAhead, near = i &+ Self.lookAhead / 2
        if far < list.count, let pfn = machine.pfn(list[far]) {
            frames.prefetch(pfn)
            rmap.prefetch(pfn)
        }
        if near < list.count, let pfn = machine.pfn(list[near]) { frames.prefetchNeighbours(pfn) }
    }

    /// Reports the pages of an event from position `from` on as failed:
    /// one run per stretch of consecutive page numbers.
    private func failRest(_ index: Int, _ e: PageEvent, from: Int, _ r: EventResult, out: inout Outcome) {
        let n = e.pageCount - from
        counters.eventCounts[e.op.rawValue * EventResult.allCases.count + r.rawValue] += n
        switch e.pages {
        case .range(let first, _):
            out.noteFailure(index: index, position: from, page: first + from, count: n, r, container: nil)
        case .list(let list):
            for i in from..<list.count { out.noteFailure(index: index, position: i, page: list[i], r, container: nil) }
        }
    }

    /// Applies one single-page event. `level` is the refusing container for ENOMEM.
    @inline(__always)
    func applyOne(_ op: PageOp, slot: ProcessSlot?, page: Int, oldPage: Int?, shmem: Bool,
                  listEvicted: Bool, out: inout Outcome) -> (result: EventResult, level: ContainerID?) {
        guard let pfn = machine.pfn(page) else { return (.EINVAL, nil) }
        var old: PFN? = nil
        if let oldPage {
            guard let o = machine.pfn(oldPage) else { return (.EINVAL, nil) }
            old = o
        }
        switch op {
        case .anonFault, .cow, .fileFault, .swapin, .swapoff, .insertPage:
            return mapPage(op, pfn, old: old, slot: slot!, listEvicted: listEvicted, out: &out)

        case .pagecacheAdd, .swapcacheAdd:
            return addToCache(op == .pagecacheAdd ? FrameFlag.pageCache : FrameFlag.swapCache, pfn,
                              shmem: shmem, slot: slot, listEvicted: listEvicted, out: &out)

        case .pagecacheRemove, .swapcacheRemove:
            let flag = op == .pagecacheRemove ? FrameFlag.pageCache : FrameFlag.swapCache
            guard frames.has(pfn, flag) else {
                counters.unbalancedUncharges += 1
                return (.noop, nil)
            }
            frames.remove(pfn, flag)
            uncharge(ifUnreferenced: pfn)
            return (.ok, nil)

        case .swapFree:
            return releaseSwapClaim(slot!, page: page) ? (.ok, nil) : (.noop, nil)

        case .unmap:
            guard removeMappings(pfn, slot: slot!, count: 1) else {
                counters.unbalancedUncharges += 1
                return (.noop, nil)
            }
            uncharge(ifUnreferenced: pfn)
            return (.ok, nil)

        case .migrate:
            let from = old!
            if from == pfn || frames.isCharged(pfn) { return (.EBUSY, nil) }
            if !frames.isCharged(from) { return (.noop, nil) }
            migrate(from: from, to: pfn)
            return (.ok, nil)

        case .free:
            guard frames.isCharged(pfn) else { return (.noop, nil) }
            counters.anomalies += 1
            removeEveryMapping(pfn)
            frames.remove(pfn, FrameFlag.pageCache | FrameFlag.swapCache)
            uncharge(pfn)
            return (.ok, nil)

        case .access:
            guard frames.isCharged(pfn) else { return (.noop, nil) }
            markAccessed(pfn)
            return (.ok, nil)

        case .mlock:
            guard rmap.mapCount(pfn, slot: slot!) > 0, !rmap.isPinned(pfn, slot: slot!) else { return (.noop, nil) }
            rmap.setPinned(pfn, slot: slot!, true)
            updateEvictability(pfn)
            return (.ok, nil)

        case .munlock:
            guard rmap.isPinned(pfn, slot: slot!) else { return (.noop, nil) }
            rmap.setPinned(pfn, slot: slot!, false)
            updateEvictability(pfn)
            return (.ok, nil)
        }
    }

    /// The fault hooks (do_anonymous_page, do_wp_page, __do_fault,
    /// do_swap_page, unuse_pte, insert_page): charge if the page is new,
    /// then map it; `cow` drops the mapping of the old page, `swapin` and
    /// `swapoff` release the process's claim on the slot of `old_page`.
    @inline(__always)
    private func mapPage(_ op: PageOp, _ pfn: PFN, old: PFN?, slot: ProcessSlot,
                         listEvicted: Bool, out: inout Outcome) -> (result: EventResult, level: ContainerID?) {
        let c = processes[slot].container
        if op.isFault { containers[c].stat.pgfault += 1 }
        let committed = !frames.isCharged(pfn)
        if committed {
            let kind: UInt16 = switch op {
            case .fileFault: 0
            case .insertPage: FrameFlag.anon | FrameFlag.driver
            default: FrameFlag.anon
            }
            if let level = chargeNewPage(pfn, to: c, kind: kind, listEvicted: listEvicted, out: &out) { return (.ENOMEM, level) }
        } else if op == .insertPage && !frames.has(pfn, FrameFlag.driver) {
            frames.insert(pfn, FrameFlag.driver)
            updateEvictability(pfn)
        }
        addMapping(pfn, slot: slot)
        if let old {
            if op == .cow {
                if removeMappings(old, slot: slot, count: 1) {
                    uncharge(ifUnreferenced: old)
                } else {
                    counters.unbalancedUncharges += 1
                }
            } else {
                releaseSwapClaim(slot, page: old.raw)
            }
        }
        if committed { checkHigh(c, listEvicted: listEvicted, out: &out) }
        return (.ok, nil)
    }

    /// add_to_page_cache / __add_to_swap_cache: a cache reference, charged
    /// when the page is new (to the process's container, or the root from
    /// kernel context); a `mapped` container is not charged (seed 8/8).
    @inline(__always)
    private func addToCache(_ flag: UInt16, _ pfn: PFN, shmem: Bool, slot: ProcessSlot?,
                            listEvicted: Bool, out: inout Outcome) -> (result: EventResult, level: ContainerID?) {
        if frames.isCharged(pfn) {
            if frames.has(pfn, flag) { return (.noop, nil) }
            frames.insert(pfn, flag)
            return (.ok, nil)
        }
        let c = slot.map { processes[$0].container } ?? .root
        if containers[c].chargeType == .mapped { return (.noop, nil) }
        let kind: UInt16 = flag == FrameFlag.swapCache ? FrameFlag.anon : (shmem ? FrameFlag.shmem : 0)
        if let level = chargeNewPage(pfn, to: c, kind: kind, listEvicted: listEvicted, out: &out) { return (.ENOMEM, level) }
        frames.insert(pfn, flag)
        checkHigh(c, listEvicted: listEvicted, out: &out)
        return (.ok, nil)
    }

    /// mark_page_accessed.
    func markAccessed(_ pfn: PFN) {
        let fl = frames.flags(pfn)
        if fl & (FrameFlag.unevictable | FrameFlag.active) != 0 || fl & FrameFlag.referenced == 0 {
            frames.setFlags(pfn, fl | FrameFlag.referenced)
            return
        }
        containers[frames.owner(pfn)!].lru.move(pfn, to: .active, clearReferenced: true, frames)
    }

    /// remove_migration_pte: the charge, LRU position, pins and references
    /// move from `old` to the free frame `new`; usage does not change.
    func migrate(from old: PFN, to new: PFN) {
        let c = frames.owner(old)!
        frames.move(from: old, to: new)
        containers[c].lru.relink(new, frames)
        rmap.move(from: old, to: new)
        // The mappers now map `new`: record it in their page vectors.
        rmap.forEachMapper(new) { s in
            processes.recordPage(s, new)
            if processes.needsCompaction(s) { compactPages(s) }
        }
    }
}

/// Per-event result counts, flushed once per event into the engine counters.
struct Tally {
    var counts: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)

    @inline(__always) mutating func add(_ r: EventResult) {
        switch r {
        case .ok: counts.0 += 1
        case .noop: counts.1 += 1
        case .ENOMEM: counts.2 += 1
        case .ESRCH: counts.3 += 1
        case .EINVAL: counts.4 += 1
        case .EBUSY: counts.5 += 1
        }
    }

    func flush(into counters: inout EngineCounters, op: PageOp, out: inout Outcome) {
        counters.eventCounts.withUnsafeMutableBufferPointer { c in
            let o = op.rawValue * 6
            c[o] += counts.0
            c[o + 1] += counts.1
            c[o + 2] += counts.2
            c[o + 3] += counts.3
            c[o + 4] += counts.4
            c[o + 5] += counts.5
        }
        out.applied += counts.0 + counts.1
    }
}
