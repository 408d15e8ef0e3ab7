/// The container OOM killer (seed patch 7/8, mem_container_out_of_memory).
extension MemcgEngine {
    /// Kills the process of `level`'s subtree that maps the most distinct
    /// pages owned in that subtree (ties: lowest pid). `oom` counts on the
    /// level, `oom_kill` on the victim's container.
    func outOfMemory(_ level: Int, out: inout Outcome) {
        containers[level].stat.eventsOOM += 1
        var member = [Bool](repeating: false, count: containers.count)
        for c in subtree(level) { member[c] = true }
        var victim = -1, bestScore = -1, bestPid = Int.max
        for slot in processes.indices where processes[slot].pid != 0 && member[processes[slot].container] {
            let score = oomScore(slot, member: member)
            let pid = processes[slot].pid
            if score > bestScore || (score == bestScore && pid < bestPid) {
                victim = slot
                bestScore = score
                bestPid = pid
            }
        }
        guard victim >= 0 else { return }
        let c = processes[victim].container
        containers[c].stat.eventsOOMKill += 1
        counters.oomKills += 1
        out.oomKills.append(OOMKill(pid: bestPid, container: containers[c].name, pages: bestScore))
        exitProcess(slot: victim)
    }

    /// Distinct pages the process maps that are owned inside the subtree.
    func oomScore(_ slot: Int, member: [Bool]) -> Int {
        var score = 0
        for pfn in livePages(of: slot) where member[ownerOf(pfn)] { score += 1 }
        return score
    }
}
