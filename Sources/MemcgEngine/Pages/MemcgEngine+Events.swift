/// Page events: the charge and uncharge hooks of model.md section 4.
extension MemcgEngine {
    /// Checks a batch as a whole before any of it is applied: a structural
    /// fault anywhere rejects it (EINVAL) and changes nothing.
    func validate(_ events: [PageEvent]) throws(EngineError) {
        for index in events.indices {
            if case .range(let first, let count) = events[index].pages, events[index].oldPages == nil, !events[index].shmem,
               first >= 0, count >= 0, count <= machine.frames, (events[index].pid ?? 0) >= 0,
               !events[index].op.needsPid || events[index].pid != nil, !events[index].op.needsOldPage {
                continue  // the common case, checked without copying the event
            }
            let e = events[index]
            func bad(_ why: String) -> EngineError { EngineError(.EINVAL, "event \(index) (\(e.op.name)): \(why)") }
            if e.op.needsPid && e.pid == nil { throw bad("pid is required") }
            if let pid = e.pid, pid < 0 { throw bad("pid must not be negative") }
            if e.op.needsOldPage && e.oldPages == nil { throw bad("old_page is required") }
            if e.oldPages != nil && !e.op.allowsOldPage { throw bad("old_page is not allowed") }
            if e.shmem && e.op != .pagecacheAdd { throw bad("shmem goes with pagecache_add only") }
            switch e.pages {
            case .range(let first, let count):
                if first < 0 { throw bad("page must not be negative") }
                if count < 0 || count > machine.frames { throw bad("count must be 0...\(machine.frames)") }
                switch e.oldPages {
                case nil: break
                case .range(let old, _)?: if old < 0 { throw bad("old_page must not be negative") }
                case .list?: throw bad("old_pages goes with pages")
                }
            case .list(let list):
                if list.contains(where: { $0 < 0 }) { throw bad("pages must not be negative") }
                switch e.oldPages {
                case nil: break
                case .range?: throw bad("old_page goes with page")
                case .list(let old)?:
                    if old.count != list.count { throw bad("old_pages must be as long as pages") }
                    if old.contains(where: { $0 < 0 }) { throw bad("old_pages must not be negative") }
                }
            }
        }
    }

    func applyEvents(_ events: [PageEvent], listEvicted: Bool, out: inout Outcome) {
        counters.commands += 1
        var lastPid = -1, lastSlot = -1
        events.withUnsafeBufferPointer { buf in
            for index in 0..<buf.count {
                let op = buf[index].op
                let n = buf[index].pageCount
                if n == 0 { continue }
                var slot = -1
                let pid = buf[index].pid ?? 0
                if buf[index].pid != nil {
                    if pid == lastPid && processes[lastSlot].pid == pid {
                        slot = lastSlot
                    } else if let s = pidIndex[pid] {
                        slot = s
                        lastPid = pid
                        lastSlot = s
                    } else {
                        fail(index: index, buf[index], from: 0, count: n, .ESRCH, out: &out)
                        continue
                    }
                }
                let shmem = buf[index].shmem
                var tally = Tally()
                switch (buf[index].pages, buf[index].oldPages) {
                case (.range(let first, _), nil):
                    for i in 0..<n {
                        if slot >= 0 && processes[slot].pid != pid {
                            fail(index: index, buf[index], from: i, count: n - i, .ESRCH, out: &out)
                            break
                        }
                        let r = applyOne(op, slot: slot, page: first &+ i, oldPage: nil, shmem: shmem, listEvicted: listEvicted, out: &out)
                        tally.add(r.result)
                        if r.result.rawValue >= EventResult.ENOMEM.rawValue { noteFailure(index, first &+ i, r, &out) }
                    }
                default:
                    let e = buf[index]
                    for i in 0..<n {
                        if slot >= 0 && processes[slot].pid != pid {
                            fail(index: index, e, from: i, count: n - i, .ESRCH, out: &out)
                            break
                        }
                        let page = e.page(at: i)
                        let r = applyOne(op, slot: slot, page: page, oldPage: e.oldPage(at: i), shmem: shmem,
                                         listEvicted: listEvicted, out: &out)
                        tally.add(r.result)
                        if r.result.rawValue >= EventResult.ENOMEM.rawValue { noteFailure(index, page, r, &out) }
                    }
                }
                tally.flush(into: &counters, op: op, out: &out)
            }
        }
    }

    func noteFailure(_ index: Int, _ page: Int, _ r: (result: EventResult, level: Int), _ out: inout Outcome) {
        out.failures.append(EventFailure(index: index, page: page, result: r.result,
                                         container: r.level >= 0 ? containers[r.level].name : nil))
    }

    /// Reports `count` pages of an event from page index `from` as failed.
    func fail(index: Int, _ e: PageEvent, from: Int, count: Int, _ r: EventResult, out: inout Outcome) {
        out.failed += count
        counters.eventCounts[e.op.rawValue * EventResult.allCases.count + r.rawValue] += count
        for i in from..<(from + count) {
            out.failures.append(EventFailure(index: index, page: e.page(at: i), result: r, container: nil))
        }
    }

    /// Applies one single-page event. `level` is the refusing container for ENOMEM.
    @inline(__always)
    func applyOne(_ op: PageOp, slot: Int, page: Int, oldPage: Int?, shmem: Bool,
                  listEvicted: Bool, out: inout Outcome) -> (result: EventResult, level: Int) {
        guard page < machine.frames else { return (.EINVAL, -1) }
        if let oldPage, oldPage >= machine.frames { return (.EINVAL, -1) }
        let pfn = page
        switch op {
        case .anonFault, .cow, .fileFault, .swapin, .swapoff, .insertPage:
            let c = processes[slot].container
            if op.isFault { containers[c].stat.pgfault += 1 }
            if frames.owner[pfn] == 0 {
                let kind: UInt16 = switch op {
                case .fileFault: 0
                case .insertPage: FrameFlag.anon | FrameFlag.driver
                default: FrameFlag.anon
                }
                let level = chargeNewPage(pfn, to: c, kind: kind, listEvicted: listEvicted, out: &out)
                if level >= 0 { return (.ENOMEM, level) }
            } else if op == .insertPage && frames.flags[pfn] & FrameFlag.driver == 0 {
                frames.flags[pfn] |= FrameFlag.driver
                updateEvictability(pfn)
            }
            addMapping(pfn, slot: slot)
            if let oldPage {
                if op == .cow {
                    if removeMappings(oldPage, slot: slot, count: 1) {
                        uncharge(ifUnreferenced: oldPage)
                    } else {
                        counters.unbalancedUncharges += 1
                    }
                } else {
                    swapIn(pid: processes[slot].pid, oldPage: oldPage)
                }
            }
            return (.ok, -1)

        case .pagecacheAdd, .swapcacheAdd:
            let flag = op == .pagecacheAdd ? FrameFlag.pageCache : FrameFlag.swapCache
            if frames.owner[pfn] != 0 {
                if frames.flags[pfn] & flag != 0 { return (.noop, -1) }
                frames.flags[pfn] |= flag
                return (.ok, -1)
            }
            let c = slot >= 0 ? processes[slot].container : 0
            // Seed 8/8: a `mapped` container is not charged for cache pages.
            if containers[c].chargeType == .mapped { return (.noop, -1) }
            let kind: UInt16 = op == .swapcacheAdd ? FrameFlag.anon : (shmem ? FrameFlag.shmem : 0)
            let level = chargeNewPage(pfn, to: c, kind: kind, listEvicted: listEvicted, out: &out)
            if level >= 0 { return (.ENOMEM, level) }
            frames.flags[pfn] |= flag
            return (.ok, -1)

        case .pagecacheRemove, .swapcacheRemove:
            let flag = op == .pagecacheRemove ? FrameFlag.pageCache : FrameFlag.swapCache
            guard frames.flags[pfn] & flag != 0 else {
                counters.unbalancedUncharges += 1
                return (.noop, -1)
            }
            frames.flags[pfn] &= ~flag
            uncharge(ifUnreferenced: pfn)
            return (.ok, -1)

        case .swapFree:
            return swapIn(pid: processes[slot].pid, oldPage: pfn) ? (.ok, -1) : (.noop, -1)

        case .unmap:
            guard removeMappings(pfn, slot: slot, count: 1) else {
                counters.unbalancedUncharges += 1
                return (.noop, -1)
            }
            uncharge(ifUnreferenced: pfn)
            return (.ok, -1)

        case .migrate:
            let old = oldPage!
            if old == pfn || frames.owner[pfn] != 0 { return (.EBUSY, -1) }
            if frames.owner[old] == 0 { return (.noop, -1) }
            migrate(from: old, to: pfn)
            return (.ok, -1)

        case .free:
            guard frames.owner[pfn] != 0 else { return (.noop, -1) }
            counters.anomalies += 1
            _ = removeEveryMapping(pfn)
            frames.flags[pfn] &= ~(FrameFlag.pageCache | FrameFlag.swapCache)
            uncharge(pfn)
            return (.ok, -1)

        case .access:
            guard frames.owner[pfn] != 0 else { return (.noop, -1) }
            markAccessed(pfn)
            return (.ok, -1)

        case .mlock:
            guard mapCount(pfn, slot: slot) > 0, !isPinned(pfn, slot: slot) else { return (.noop, -1) }
            setPinned(pfn, slot: slot, true)
            return (.ok, -1)

        case .munlock:
            guard isPinned(pfn, slot: slot) else { return (.noop, -1) }
            setPinned(pfn, slot: slot, false)
            return (.ok, -1)
        }
    }

    /// mark_page_accessed.
    func markAccessed(_ pfn: Int) {
        let fl = frames.flags[pfn]
        if fl & (FrameFlag.unevictable | FrameFlag.active) != 0 || fl & FrameFlag.referenced == 0 {
            frames.flags[pfn] = fl | FrameFlag.referenced
            return
        }
        let c = ownerOf(pfn)
        let anon = fl & (FrameFlag.anon | FrameFlag.shmem) != 0
        containers[c].inactive.remove(pfn, anon: anon, frames)
        frames.flags[pfn] = (fl & ~FrameFlag.referenced) | FrameFlag.active
        containers[c].active.pushHead(pfn, anon: anon, frames)
    }

    /// remove_migration_pte: the charge, LRU position, pins and references
    /// move from `old` to the free frame `new`; usage does not change.
    func migrate(from old: Int, to new: Int) {
        let c = ownerOf(old)
        let fl = frames.flags[old]
        // Take over the list position: link `new` where `old` was.
        let prev = frames.lruPrev[old], next = frames.lruNext[old]
        let node = UInt32(truncatingIfNeeded: new + 1)
        frames.lruPrev[new] = prev
        frames.lruNext[new] = next
        func fix(_ list: inout LRUList) {
            if prev != 0 { frames.lruNext[Int(prev) - 1] = node } else { list.head = node }
            if next != 0 { frames.lruPrev[Int(next) - 1] = node } else { list.tail = node }
        }
        if fl & FrameFlag.unevictable != 0 { fix(&containers[c].unevictable) }
        else if fl & FrameFlag.active != 0 { fix(&containers[c].active) }
        else { fix(&containers[c].inactive) }
        frames.owner[new] = frames.owner[old]
        frames.flags[new] = fl
        frames.mapper[new] = frames.mapper[old]
        frames.mapCount[new] = frames.mapCount[old]
        frames.owner[old] = 0
        frames.flags[old] = 0
        frames.mapper[old] = 0
        frames.mapCount[old] = 0
        frames.lruPrev[old] = 0
        frames.lruNext[old] = 0
        // The mappers now map `new`: record it in their page vectors.
        let m = frames.mapper[new]
        if m != 0 {
            if m & FrameTable.overflowBit == 0 {
                appendPage(new, slot: Int(m) - 1)
            } else {
                for e in overflow[Int(m & ~FrameTable.overflowBit)] { appendPage(new, slot: Int(e.slot)) }
            }
        }
    }

    func appendPage(_ pfn: Int, slot: Int) {
        processes[slot].pages.append(UInt32(truncatingIfNeeded: pfn))
        if processes[slot].pages.count > 2 * processes[slot].distinct + 64 { compactIfNeeded(slot) }
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
        out.failed += counts.2 + counts.3 + counts.4 + counts.5
    }
}
