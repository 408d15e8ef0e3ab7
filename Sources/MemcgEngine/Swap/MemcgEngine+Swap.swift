/// Swap accounting on top of the swap table: each slot counts in its
/// owner's `swap` while some process still has a claim on it.
extension MemcgEngine {
    /// swapin/swapoff with `old_page`, and swap_free (free_swap_and_cache):
    /// the process gives up its claim on the oldest slot that remembers it
    /// under that page number. Returns false when there was none.
    @discardableResult
    func releaseSwapClaim(_ slot: ProcessSlot, page: Int) -> Bool {
        switch swap.release(process: slot, pid: processes[slot].pid, page: page) {
        case .none: return false
        case .dropped: return true
        case .freed(let owner):
            containers[owner].stat.swap -= 1
            swapCounters.uncharge(owner)
            return true
        }
    }

    /// Every slot forgets an exiting process.
    func releaseSwapClaims(_ slot: ProcessSlot) {
        swap.releaseAll(process: slot, pid: processes[slot].pid) { owner in
            containers[owner].stat.swap -= 1
            swapCounters.uncharge(owner)
        }
    }
}
