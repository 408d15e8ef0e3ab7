extension MemcgEngine {
    static let maxPid = Int(Int32.max)

    func createProcess(pid: Int, container c: Int) throws(EngineError) {
        guard pid >= 1, pid <= Self.maxPid else { throw EngineError(.EINVAL, "pid \(pid) is out of range 1...\(Self.maxPid)") }
        guard pidIndex[pid] == nil else { throw EngineError(.EEXIST, "pid \(pid) exists") }
        let entry = ProcessEntry(pid: pid, container: c)
        let slot: Int
        if let reused = freeProcessSlots.popLast() {
            slot = reused
            processes[slot] = entry
        } else {
            slot = processes.count
            processes.append(entry)
        }
        pidIndex[pid] = slot
        containers[c].processCount += 1
    }

    /// fork: the child joins the parent's container and maps every page the
    /// parent maps, once each; pins and swap slots are not inherited.
    func fork(pid: Int, parentPid: Int) throws(EngineError) {
        let parent = try lookupProcess(parentPid)
        try createProcess(pid: pid, container: processes[parent].container)
        let child = pidIndex[pid]!
        let pages = livePages(of: parent)
        processes[child].pages.reserveCapacity(pages.count)
        for pfn in pages { addMapping(pfn, slot: child) }
    }

    /// Distinct pages a process maps now, in first-mapped order.
    func livePages(of slot: Int) -> [Int] {
        let list = processes[slot].pages
        var out: [Int] = []
        out.reserveCapacity(processes[slot].distinct)
        for raw in list {
            let pfn = Int(raw)
            if frames.flags[pfn] & FrameFlag.visited == 0 && mapCount(pfn, slot: slot) > 0 {
                frames.flags[pfn] |= FrameFlag.visited
                out.append(pfn)
            }
        }
        for pfn in out { frames.flags[pfn] &= ~FrameFlag.visited }
        return out
    }

    /// Drops stale entries once the page vector is twice the live count.
    func compactIfNeeded(_ slot: Int) {
        guard processes[slot].pages.count > 2 * processes[slot].distinct + 64 else { return }
        let live = livePages(of: slot)
        processes[slot].pages = live.map { UInt32(truncatingIfNeeded: $0) }
    }

    /// Exit (or OOM kill): every mapping goes; pages whose last reference
    /// goes are uncharged; swap slots forget the process.
    func exitProcess(slot: Int) {
        let pid = processes[slot].pid
        // In ascending page order, so pages whose last pin goes reach the
        // active head in a documented order.
        for pfn in livePages(of: slot).sorted() {
            removeAllMappings(pfn, slot: slot)
            uncharge(ifUnreferenced: pfn)
        }
        for id in processes[slot].swapSlots { forget(pid: pid, slotID: id) }
        containers[processes[slot].container].processCount -= 1
        pidIndex[pid] = nil
        processes[slot] = ProcessEntry(pid: 0, container: 0)
        freeProcessSlots.append(slot)
    }
}
