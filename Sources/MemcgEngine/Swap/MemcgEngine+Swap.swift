/// Swap accounting on top of the swap table: each slot counts in its
/// owner's `swap` while some process still has a claim on it.
extension MemcgEngine {
    /// swapin/swapoff with `old_page`, and swap_free (free_swap_and_cache):
    /// the process gives up its claim on the oldest slot that remembers it
    /// under that page number. Returns false when there was none.
    @discardableResult
    func releaseSwapClaim(pid: Int, page: Int) -> Bool {
        switch swap.release(pid: pid, page: page) {
        case .none: return false
        case .dropped: return true
        case .freed(let owner):
            containers[owner].stat.swap -= 1
            swapCounters.uncharge(owner)
            return true
        }
    }

    /// Every slot forgets an exiting process.
    func releaseSwapClaims(pid: Int) {
        for owner in swap.releaseAll(pid: pid) {
            containers[owner].stat.swap -= 1
            swapCounters.uncharge(owner)
        }
    }
}
