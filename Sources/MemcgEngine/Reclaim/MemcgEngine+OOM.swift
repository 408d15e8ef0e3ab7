/// The container OOM killer (seed patch 7/8, mem_container_out_of_memory;
/// mem_cgroup_out_of_memory in later kernels).
extension MemcgEngine {
    /// Kills the process of `level`'s subtree that maps the most distinct
    /// pages owned in that subtree (ties: lowest pid). `oom` counts on the
    /// level, `oom_kill` on the victim's container.
    func outOfMemory(_ level: ContainerID, out: inout Outcome) {
        containers[level].stat.eventsOOM += 1
        var member = [Bool](repeating: false, count: containers.idBound)
        for c in containers.subtree(level) { member[c.raw] = true }
        var victim: (slot: ProcessSlot, pid: Int, score: Int)? = nil
        for slot in processes.liveSlots where member[processes[slot].container.raw] {
            let score = oomScore(slot, member: member)
            let pid = processes[slot].pid
            if victim == nil || score > victim!.score || (score == victim!.score && pid < victim!.pid) {
                victim = (slot, pid, score)
            }
        }
        guard let victim else { return }
        let c = processes[victim.slot].container
        containers[c].stat.eventsOOMKill += 1
        counters.oomKills += 1
        out.oomKills.append(OOMKill(pid: victim.pid, container: containers[c].name, pages: victim.score))
        exitProcess(victim.slot)
    }

    /// oom_badness, memcg's way: distinct pages the process maps that are
    /// owned inside the subtree.
    func oomScore(_ slot: ProcessSlot, member: [Bool]) -> Int {
        var score = 0
        for pfn in livePages(of: slot) where member[frames.owner(pfn)!.raw] { score += 1 }
        return score
    }
}
