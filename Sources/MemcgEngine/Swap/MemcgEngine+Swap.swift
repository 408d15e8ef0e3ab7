/// Swap slots: where evicted anonymous and shmem pages live. A slot
/// remembers the page number and the processes that mapped the page; it is
/// released when each has exited or swapped it back in.
extension MemcgEngine {
    @inline(__always) var hasFreeSwapSlot: Bool { swapUsed < machine.swapSlots }

    /// Stores an evicted page. With no process to remember, the slot is
    /// released at once and never counts.
    func swapOut(page: Int, owner: Int, pids: [Int]) {
        guard !pids.isEmpty else { return }
        let id = nextSwapID
        nextSwapID += 1
        swapSlots[id] = SwapSlot(page: page, owner: owner, pids: pids)
        swapByPage[page, default: []].append(id)
        swapUsed += 1
        containers[owner].stat.swap += 1
        for pid in pids {
            let slot = pidIndex[pid]!
            processes[slot].swapSlots.append(id)
            processes[slot].swapLive += 1
            if processes[slot].swapSlots.count > 2 * processes[slot].swapLive + 64 {
                processes[slot].swapSlots.removeAll { swapSlots[$0]?.pids.contains(pid) != true }
            }
        }
    }

    /// swapin / swapoff with `old_page`: the oldest slot for that page number
    /// that remembers the process forgets it.
    /// Also `swap_free` (free_swap_and_cache): the process gives up its
    /// claim on the slot. Returns false when no slot remembers the process.
    @discardableResult
    func swapIn(pid: Int, oldPage: Int) -> Bool {
        guard let ids = swapByPage[oldPage] else { return false }
        for id in ids where swapSlots[id]!.pids.contains(pid) {
            forget(pid: pid, slotID: id)
            return true
        }
        return false
    }

    /// The slot forgets the process; the last one to go releases it.
    func forget(pid: Int, slotID id: Int) {
        guard var slot = swapSlots[id], let i = slot.pids.firstIndex(of: pid) else { return }
        slot.pids.remove(at: i)
        if let p = pidIndex[pid] { processes[p].swapLive -= 1 }
        if slot.pids.isEmpty {
            swapSlots[id] = nil
            swapByPage[slot.page]!.removeAll { $0 == id }
            if swapByPage[slot.page]!.isEmpty { swapByPage[slot.page] = nil }
            swapUsed -= 1
            containers[slot.owner].stat.swap -= 1
        } else {
            swapSlots[id] = slot
        }
    }
}
