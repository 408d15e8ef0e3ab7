/// model.md section 7, checked in debug and test builds.
extension MemcgEngine {
    /// Whether `apply` checks invariants after each command in builds with
    /// MEMCG_INTERNAL_CHECKS (the check walks every frame).
    public var checksAfterEachCommand: Bool { machine.frames <= 1 << 16 }

    /// Verifies every invariant; a violation is a bug in the engine and traps.
    public func checkInvariants() {
        #if MEMCG_INTERNAL_CHECKS
        var owned = [Int](repeating: 0, count: containers.count)
        var local = [StatValues](repeating: StatValues(), count: containers.count)
        var distinct = [Int](repeating: 0, count: processes.count)
        var charged = 0
        for pfn in 0..<machine.frames {
            let o = frames.owner[pfn]
            let fl = frames.flags[pfn]
            if o == 0 {
                precondition(fl == 0 && frames.mapper[pfn] == 0 && frames.lruPrev[pfn] == 0 && frames.lruNext[pfn] == 0,
                             "free frame \(pfn) has state")
                continue
            }
            charged += 1
            let c = Int(o) - 1
            precondition(containerAlive[c], "page \(pfn) owned by a dead container")
            owned[c] += 1
            precondition(frames.mapper[pfn] != 0 || fl & (FrameFlag.pageCache | FrameFlag.swapCache) != 0,
                         "page \(pfn) is charged without a reference")
            precondition(fl & FrameFlag.visited == 0, "visited bit left on \(pfn)")
            let m = frames.mapper[pfn]
            if m != 0 {
                if m & FrameTable.overflowBit == 0 {
                    precondition(frames.mapCount[pfn] > 0 && processes[Int(m) - 1].pid != 0, "bad single mapper on \(pfn)")
                    distinct[Int(m) - 1] += 1
                } else {
                    let list = overflow[Int(m & ~FrameTable.overflowBit)]
                    precondition(!list.isEmpty && fl & FrameFlag.pinned == 0, "bad overflow on \(pfn)")
                    for e in list {
                        precondition(e.count > 0 && processes[Int(e.slot)].pid != 0, "bad overflow entry on \(pfn)")
                        distinct[Int(e.slot)] += 1
                    }
                }
            }
            let anon = fl & FrameFlag.anon != 0
            if anon { local[c].rss += 1 } else { local[c].cache += 1 }
            if fl & FrameFlag.shmem != 0 { local[c].shmem += 1 }
            let mappedFile = !anon && m != 0
            precondition(mappedFile == (fl & FrameFlag.mappedFile != 0), "mapped_file flag wrong on \(pfn)")
            if mappedFile { local[c].mappedFile += 1 }
            let shouldPin = fl & FrameFlag.driver != 0 || pinCount(pfn) > 0
            precondition(shouldPin == (fl & FrameFlag.unevictable != 0), "evictability wrong on \(pfn)")
        }
        precondition(charged == chargedPages, "charged pages \(charged) != \(chargedPages)")
        for slot in processes.indices where processes[slot].pid != 0 {
            precondition(distinct[slot] == processes[slot].distinct, "process \(processes[slot].pid) distinct count")
            precondition(pidIndex[processes[slot].pid] == slot, "pid index")
        }
        var swapOwned = [Int](repeating: 0, count: containers.count)
        for (id, slot) in swapSlots {
            precondition(!slot.pids.isEmpty && containerAlive[slot.owner], "swap slot \(id)")
            for pid in slot.pids { precondition(pidIndex[pid] != nil, "swap slot \(id) remembers dead pid") }
            swapOwned[slot.owner] += 1
        }
        precondition(swapUsed == swapSlots.count && swapUsed <= machine.swapSlots, "swap use")
        var processCount = [Int](repeating: 0, count: containers.count)
        for i in processes.indices where processes[i].pid != 0 { processCount[processes[i].container] += 1 }
        for c in containers.indices where containerAlive[c] {
            let k = containers[c]
            var usage = owned[c]
            for ch in k.children { usage += containers[ch].counter.usage }
            precondition(k.counter.usage == usage, "usage of \(k.name): \(k.counter.usage) != \(usage)")
            precondition(k.counter.usage <= k.counter.limit, "usage above limit in \(k.name)")
            precondition(k.counter.watermark >= k.counter.usage, "watermark below usage in \(k.name)")
            precondition(k.stat.rss == local[c].rss && k.stat.cache == local[c].cache && k.stat.shmem == local[c].shmem
                         && k.stat.mappedFile == local[c].mappedFile, "content stats of \(k.name)")
            precondition(k.stat.swap == swapOwned[c], "swap stat of \(k.name)")
            precondition(k.processCount == processCount[c], "process count of \(k.name)")
            var onLists = 0
            for (list, kind) in [(k.active, 1), (k.inactive, 0), (k.unevictable, 2)] {
                var n = 0, anonCount = 0
                var prev: UInt32 = 0
                var node = list.head
                while node != 0 {
                    let pfn = Int(node) - 1
                    precondition(frames.owner[pfn] == UInt16(c + 1), "page \(pfn) on a list of \(k.name) it is not owned by")
                    precondition(frames.lruPrev[pfn] == prev, "broken back link at \(pfn)")
                    let fl = frames.flags[pfn]
                    let where_ = fl & FrameFlag.unevictable != 0 ? 2 : (fl & FrameFlag.active != 0 ? 1 : 0)
                    precondition(where_ == kind, "page \(pfn) on the wrong list")
                    if fl & (FrameFlag.anon | FrameFlag.shmem) != 0 { anonCount += 1 }
                    n += 1
                    prev = node
                    node = frames.lruNext[pfn]
                }
                precondition(list.tail == prev && list.count == n && list.anon == anonCount, "list counts of \(k.name)")
                onLists += n
            }
            precondition(onLists == owned[c], "lists of \(k.name) hold \(onLists) pages, it owns \(owned[c])")
            let s = k.stat
            precondition(s.pgpgin >= 0 && s.pgpgout >= 0 && s.pgfault >= 0 && s.pgsteal >= 0 && k.counter.failcnt >= 0,
                         "negative counter in \(k.name)")
        }
        #endif
    }
}
