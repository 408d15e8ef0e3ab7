/// The resource counter of one container, in pages: the model of the
/// kernel's `struct page_counter` (mm/page_counter.c). The hierarchical
/// walk (try-charge up the tree) lives in `MemcgEngine+Charge.swift`.
struct PageCounter {
    var usage = 0
    /// `Int.max` means unlimited.
    var limit = Int.max
    /// High watermark (`max_usage_in_bytes`, `memory.peak`).
    var watermark = 0
    var failcnt = 0

    /// page_counter_try_charge for one level: room for one more page?
    @inline(__always) func hasRoom() -> Bool { usage < limit }

    /// page_counter_charge for one level.
    @inline(__always) mutating func charge() {
        usage += 1
        if usage > watermark { watermark = usage }
    }

    /// page_counter_uncharge for one level.
    @inline(__always) mutating func uncharge() {
        precondition(usage > 0, "page counter underflow")
        usage -= 1
    }

    /// page_counter_set_max: refuses (false) while usage is above the new limit.
    mutating func setLimit(_ pages: Int) -> Bool {
        guard usage <= pages else { return false }
        limit = pages
        return true
    }

    /// page_counter_reset_watermark: to the current usage, not 0.
    mutating func resetWatermark() { watermark = usage }
}
