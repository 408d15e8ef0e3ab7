/// The container OOM killer (seed patch 7/8, mem_container_out_of_memory;
/// mem_cgroup_out_of_memory and memory.oom.group in later kernels).
extension MemcgEngine {
    /// Kills the process of `level`'s subtree that maps the most distinct
    /// pages owned in that subtree (ties: lowest pid); with `oom_group` on
    /// the victim's container or an ancestor up to `level`, the whole group
    /// dies with it. `oom` counts on the level (also with no candidate when
    /// `countWithoutVictim`), `oom_kill` on each victim's container.
    /// Returns whether anybody was killed.
    @discardableResult
    func outOfMemory(_ level: ContainerID, out: inout Outcome, countWithoutVictim: Bool) -> Bool {
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
        guard let victim else {
            if countWithoutVictim { containers[level].stat.eventsOOM += 1 }
            return false
        }
        containers[level].stat.eventsOOM += 1
        let group = oomGroup(of: processes[victim.slot].container, upTo: level)
        kill(victim.slot, score: victim.score, out: &out)
        if let group {
            containers[group].stat.eventsOOMGroupKill += 1
            var inGroup = [Bool](repeating: false, count: containers.idBound)
            for c in containers.subtree(group) { inGroup[c.raw] = true }
            let rest = processes.liveSlots.filter { inGroup[processes[$0].container.raw] }
                .sorted { processes[$0].pid < processes[$1].pid }
            for slot in rest { kill(slot, score: oomScore(slot, member: member), out: &out) }
        }
        return true
    }

    /// mem_cgroup_get_oom_group: the highest container with `oom_group`
    /// from the victim's container up to and including `level`.
    func oomGroup(of c: ContainerID, upTo level: ContainerID) -> ContainerID? {
        var group: ContainerID? = nil
        var x: ContainerID? = c
        while let k = x {
            if containers[k].oomGroup { group = k }
            if k == level { break }
            x = containers[k].parent
        }
        return group
    }

    private func kill(_ slot: ProcessSlot, score: Int, out: inout Outcome) {
        let c = processes[slot].container
        containers[c].stat.eventsOOMKill += 1
        counters.oomKills += 1
        out.oomKills.append(OOMKill(pid: processes[slot].pid, container: containers[c].name, pages: score))
        exitProcess(slot)
    }

    /// oom_badness, memcg's way: distinct pages the process maps that are
    /// owned inside the subtree.
    func oomScore(_ slot: ProcessSlot, member: [Bool]) -> Int {
        var score = 0
        for pfn in livePages(of: slot) where member[frames.owner(pfn)!.raw] { score += 1 }
        return score
    }
}
