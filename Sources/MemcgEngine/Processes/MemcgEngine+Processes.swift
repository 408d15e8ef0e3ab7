/// Process commands: create, fork, move, exit.
extension MemcgEngine {
    func createProcess(pid: Int, container c: ContainerID) throws(EngineError) {
        _ = try newProcess(pid: pid, in: c)
    }

    private func newProcess(pid: Int, in c: ContainerID) throws(EngineError) -> ProcessSlot {
        guard pid >= 1, pid <= EngineLimits.maxPid else { throw EngineError(.EINVAL, "pid \(pid) is out of range 1...\(EngineLimits.maxPid)") }
        guard processes.lookup(pid) == nil else { throw EngineError(.EEXIST, "pid \(pid) exists") }
        containers[c].processCount += 1
        return processes.create(pid: pid, container: c)
    }

    /// fork (dup_mmap): the child joins the parent's container and maps
    /// every page the parent maps, once each; pins and swap slots are not
    /// inherited.
    func fork(pid: Int, parentPid: Int) throws(EngineError) {
        let parent = try lookupProcess(parentPid)
        let child = try newProcess(pid: pid, in: processes[parent].container)
        let pages = livePages(of: parent)
        processes[child].pages.reserveCapacity(pages.count)
        for pfn in pages { addMapping(pfn, slot: child) }
    }

    /// Future charges go to the new container; existing ones stay, unless
    /// a v1 `move_charge` mask asks for some to move with the process.
    func moveProcess(_ slot: ProcessSlot, to c: ContainerID, moveCharge: Int, out: inout Outcome) throws(EngineError) {
        guard moveCharge >= 0 && moveCharge <= 3 else { throw EngineError(.EINVAL, "move_charge is a mask of 1 (anonymous) and 2 (file)") }
        if moveCharge != 0 {
            guard machine.cgroup == .v1 else {
                throw EngineError(.EOPNOTSUPP, "move_charge (memory.move_charge_at_immigrate) exists in cgroup v1; this memcgd models cgroup v2")
            }
            try moveCharges(of: slot, to: c, mask: moveCharge, out: &out)
        }
        containers[processes[slot].container].processCount -= 1
        containers[c].processCount += 1
        processes[slot].container = c
    }

    /// Exit (or OOM kill; exit_mmap): every mapping goes, in ascending page
    /// order; pages whose last reference goes are uncharged; swap slots
    /// forget the process. One reverse-map look-up per recorded page: a
    /// stale entry of the page vector is one the process holds no mapping
    /// of, which `removeMappings` reports.
    func exitProcess(_ slot: ProcessSlot) {
        for pfn in processes.distinctPages(slot, isMapped: { _ in true }) where removeMappings(pfn, slot: slot, count: nil) {
            uncharge(ifUnreferenced: pfn)
        }
        releaseSwapClaims(slot)
        containers[processes[slot].container].processCount -= 1
        processes.remove(slot)
    }
}
