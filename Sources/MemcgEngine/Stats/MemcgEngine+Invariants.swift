/// model.md section 7, checked after every command in builds with
/// MEMCG_INTERNAL_CHECKS (debug and test builds), at every machine size:
/// the walk covers the charged pages through the LRU lists, not every frame.
extension MemcgEngine {
    /// Whether this build checks invariants after every command.
    public static var internalChecksCompiledIn: Bool {
        #if MEMCG_INTERNAL_CHECKS
        true
        #else
        false
        #endif
    }

    /// Every broken invariant, described; empty when the state is sound.
    public func invariantViolations() -> [String] {
        var out = containers.checkInvariants() + processes.checkInvariants()
        let bound = containers.idBound
        var owned = [Int](repeating: 0, count: bound)
        var recount = [StatValues](repeating: StatValues(), count: bound)
        var distinct = [Int: Int]()
        var charged: [PFN] = []
        charged.reserveCapacity(chargedPages)
        for i in 0..<bound where containers.isAlive(ContainerID(i)) {
            let c = ContainerID(i)
            for (kind, pair) in ContainerLRU.allLists {
                let list = containers[c].lru[kind, pair]
                var n = 0, anon = 0
                var prev: PFN? = nil
                var node = list.head
                while let pfn = node, n <= chargedPages {
                    if frames.owner(pfn) != c { out.append("page \(pfn.raw) on the lists of \(containers[c].name) is owned by another") }
                    let fl = frames.flags(pfn)
                    if LRUKind(flags: fl) != kind { out.append("page \(pfn.raw) is on the \(kind) list with flags \(fl)") }
                    if kind != .unevictable && containers[c].lru.pairID(flags: fl) != pair {
                        out.append("page \(pfn.raw) is on the \(pair) LRU with flags \(fl)")
                    }
                    if frames.prev(pfn) != prev { out.append("page \(pfn.raw) has a broken back link") }
                    if fl & FrameFlag.swapBacked != 0 { anon += 1 }
                    checkPage(pfn, fl, owner: c, &recount[i], &distinct, &out)
                    charged.append(pfn)
                    n += 1
                    prev = pfn
                    node = frames.next(pfn)
                }
                if list.tail != prev || list.count != n || list.anon != anon {
                    out.append("\(kind) list (\(pair)) of \(containers[c].name): count \(list.count)/\(n), anon \(list.anon)/\(anon)")
                }
                owned[i] += n
            }
        }
        if charged.count != chargedPages { out.append("\(charged.count) pages on lists, \(chargedPages) charged") }
        if machine.frames <= 1 << 18 {
            var free = 0
            for raw in 0..<machine.frames where !frames.isCharged(PFN(unchecked: raw)) {
                free += 1
                let pfn = PFN(unchecked: raw)
                if !frames.isClear(pfn) || rmap.isMapped(pfn) { out.append("free frame \(raw) has state") }
            }
            if free != machine.frames - chargedPages { out.append("\(free) free frames, \(machine.frames - chargedPages) expected") }
        }
        out += rmap.checkInvariants(charged: charged, isLive: processes.isLive)
        for slot in processes.liveSlots where processes[slot].distinct != distinct[slot.raw, default: 0] {
            out.append("pid \(processes[slot].pid) counts \(processes[slot].distinct) pages, maps \(distinct[slot.raw, default: 0])")
        }
        // Every page a process maps is in its page vector (which
        // `ProcessTable.exactPages` relies on).
        for slot in processes.liveSlots {
            let recorded = processes.distinctPages(slot) { rmap.mapCount($0, slot: slot) > 0 }.count
            if recorded != processes[slot].distinct {
                out.append("pid \(processes[slot].pid) maps \(processes[slot].distinct) pages, \(recorded) of them recorded")
            }
        }
        out += swap.checkInvariants(pidOf: { processes.isLive($0) ? processes[$0].pid : nil }, slotOf: processes.lookup,
                                    isLiveContainer: containers.isAlive)
        checkCounters(owned: owned, recount: recount, &out)
        return out
    }

    /// One charged page: references, mapped_file, evictability, kind counts.
    private func checkPage(_ pfn: PFN, _ fl: UInt16, owner c: ContainerID, _ stat: inout StatValues,
                           _ distinct: inout [Int: Int], _ out: inout [String]) {
        let mapped = rmap.isMapped(pfn)
        if fl & FrameFlag.visited != 0 { out.append("page \(pfn.raw) keeps the scratch bit between commands") }
        if !mapped && fl & (FrameFlag.pageCache | FrameFlag.swapCache) == 0 { out.append("page \(pfn.raw) is charged without a reference") }
        rmap.forEachMapper(pfn) { distinct[$0.raw, default: 0] += 1 }
        let shouldPin = fl & FrameFlag.driver != 0 || rmap.pinCount(pfn) > 0
        if shouldPin != (fl & FrameFlag.unevictable != 0) { out.append("page \(pfn.raw): unevictable flag out of step with its pins") }
        if fl & FrameFlag.anon != 0 {
            stat.rss += 1
            if fl & FrameFlag.mappedFile != 0 { out.append("anonymous page \(pfn.raw) counted in mapped_file") }
        } else {
            stat.cache += 1
            if fl & FrameFlag.shmem != 0 { stat.shmem += 1 }
            if (fl & FrameFlag.mappedFile != 0) != mapped { out.append("page \(pfn.raw): mapped_file out of step with its mappings") }
            if mapped { stat.mappedFile += 1 }
        }
    }

    /// Counters against the recount: usage, watermarks, kinds, swap, processes.
    private func checkCounters(owned: [Int], recount: [StatValues], _ out: inout [String]) {
        let bound = containers.idBound
        var childUsage = [Int](repeating: 0, count: bound)
        var procs = [Int](repeating: 0, count: bound)
        for slot in processes.liveSlots { procs[processes[slot].container.raw] += 1 }
        let swapOwned = swap.ownedCounts(idBound: bound)
        var swapSubtree = [Int](repeating: 0, count: bound)
        for i in 0..<bound where containers.isAlive(ContainerID(i)) {
            var x: ContainerID? = ContainerID(i)
            while let k = x { swapSubtree[k.raw] += swapOwned[i]; x = containers[k].parent }
        }
        for i in 0..<bound where containers.isAlive(ContainerID(i)) {
            if let p = containers[ContainerID(i)].parent { childUsage[p.raw] += pageCounters[ContainerID(i)].usage }
        }
        for i in 0..<bound where containers.isAlive(ContainerID(i)) {
            let c = ContainerID(i)
            let k = containers[c], counter = pageCounters[c]
            if counter.usage != owned[i] + childUsage[i] { out.append("usage of \(k.name) is \(counter.usage), owns \(owned[i]) + children \(childUsage[i])") }
            if c != .root && counter.usage > counter.max && !k.leftAboveMax { out.append("usage of \(k.name) is above its max") }
            let sw = swapCounters[c]
            if sw.usage != swapSubtree[i] { out.append("swap counter of \(k.name) is \(sw.usage), its subtree holds \(swapSubtree[i]) slots") }
            if sw.watermark < sw.usage { out.append("swap_peak of \(k.name) is below its swap") }
            if counter.watermark < counter.usage { out.append("watermark of \(k.name) is below usage") }
            let s = k.stat, r = recount[i]
            if s.rss != r.rss || s.cache != r.cache || s.shmem != r.shmem || s.mappedFile != r.mappedFile {
                out.append("kind counts of \(k.name): rss \(s.rss)/\(r.rss) cache \(s.cache)/\(r.cache) shmem \(s.shmem)/\(r.shmem) mapped_file \(s.mappedFile)/\(r.mappedFile)")
            }
            if s.swap != swapOwned[i] { out.append("swap of \(k.name) is \(s.swap), owns \(swapOwned[i]) slots") }
            if k.processCount != procs[i] { out.append("\(k.name) counts \(k.processCount) processes, has \(procs[i])") }
            if s.pgpgin < 0 || s.pgpgout < 0 || s.pgfault < 0 || s.pgsteal < 0 || counter.failcnt < 0 { out.append("negative counter in \(k.name)") }
        }
    }
}
