/// The resource counter of one container, in pages: the kernel's
/// `struct page_counter` (mm/page_counter.c), with its parent link.
struct PageCounter {
    var usage = 0
    /// `max`; `Int.max` means unlimited.
    var max = Int.max
    /// High watermark (`max_usage_in_bytes`, `memory.peak`).
    var watermark = 0
    /// Charges this level refused.
    var failcnt = 0
    /// memory.high (throttle), memory.low and memory.min (protection);
    /// `Int.max` is unlimited / protect everything.
    var high = Int.max
    var low = 0
    var min = 0
    /// The parent's counter; nil for the root.
    var parent: ContainerID?
}

/// The page counters of all containers, indexed by `ContainerID` (the
/// container table hands out the ids). Mechanism only: charging, limits and
/// watermarks, with no reclaim or OOM policy.
final class PageCounterTree {
    private let store = SlotStore<PageCounter>()

    init() { _ = store.reuseOrAppend(PageCounter()) }

    /// Counters stored (one per container id ever handed out).
    var slotCount: Int { store.count }

    /// Installs a fresh counter for a new container.
    func install(_ c: ContainerID, parent: ContainerID) {
        let fresh = PageCounter(parent: parent)
        if c.raw < store.count { store[c.raw] = fresh } else {
            let i = store.reuseOrAppend(fresh)
            precondition(i == c.raw, "counter ids out of step with container ids")
        }
    }

    @inline(__always) subscript(_ c: ContainerID) -> PageCounter { store[c.raw] }

    /// page_counter_try_charge: charges one page to `c` and every ancestor,
    /// or, when some level has no room (`usage + 1 > max`), charges nothing
    /// and returns the lowest such level.
    @inline(__always) func tryCharge(_ c: ContainerID) -> ContainerID? {
        if let level = levelWithoutRoom(c) { return level }
        charge(c)
        return nil
    }

    /// page_counter_uncharge: one page off `c` and every ancestor.
    @inline(__always) func uncharge(_ c: ContainerID) { uncharge(c, below: nil) }

    /// A charge found `level` full: the kernel bumps `failcnt` in
    /// page_counter_try_charge; the model counts it once per page charge.
    func recordFailure(_ level: ContainerID) { store[level.raw].failcnt += 1 }

    /// page_counter_set_max: refuses (false) while usage is above the new limit.
    func setMax(_ c: ContainerID, _ pages: Int) -> Bool {
        guard store[c.raw].usage <= pages else { return false }
        store[c.raw].max = pages
        return true
    }

    /// Stores `max` whatever the usage (cgroup v2's memory.max write:
    /// xchg(&memcg->memory.max, max) before reclaiming).
    func forceMax(_ c: ContainerID, _ pages: Int) { store[c.raw].max = pages }

    /// page_counter_set_high / set_low / set_min.
    func setHigh(_ c: ContainerID, _ pages: Int) { store[c.raw].high = pages }
    func setLow(_ c: ContainerID, _ pages: Int) { store[c.raw].low = pages }
    func setMin(_ c: ContainerID, _ pages: Int) { store[c.raw].min = pages }

    /// page_counter_charge without the limit check (a swap-out whose room
    /// was checked, a move_charge's old-side bookkeeping): `c` and every
    /// ancestor below `stop` (all of them when nil).
    @inline(__always) func charge(_ c: ContainerID, below stop: ContainerID? = nil) {
        var x: ContainerID? = c
        while let level = x, level != stop {
            store[level.raw].usage &+= 1
            if store[level.raw].usage > store[level.raw].watermark { store[level.raw].watermark = store[level.raw].usage }
            x = store[level.raw].parent
        }
    }

    /// Would one more page fit at `c` and every ancestor below `stop`?
    /// Returns the lowest level without room, or nil.
    @inline(__always) func levelWithoutRoom(_ c: ContainerID, below stop: ContainerID? = nil) -> ContainerID? {
        var x: ContainerID? = c
        while let level = x, level != stop, level != .root {
            if store[level.raw].usage >= store[level.raw].max { return level }
            x = store[level.raw].parent
        }
        return nil
    }

    /// page_counter_try_charge of `c` up to, not including, `stop`.
    func tryCharge(_ c: ContainerID, below stop: ContainerID) -> ContainerID? {
        if let level = levelWithoutRoom(c, below: stop) { return level }
        charge(c, below: stop)
        return nil
    }

    /// page_counter_uncharge of `c` and every ancestor below `stop`.
    @inline(__always) func uncharge(_ c: ContainerID, below stop: ContainerID?) {
        var x: ContainerID? = c
        while let level = x, level != stop {
            precondition(store[level.raw].usage > 0, "page counter underflow")
            store[level.raw].usage &-= 1
            x = store[level.raw].parent
        }
    }

    /// page_counter_reset_watermark: to the current usage, not 0.
    func resetWatermark(_ c: ContainerID) { store[c.raw].watermark = store[c.raw].usage }

    func resetFailcnt(_ c: ContainerID) { store[c.raw].failcnt = 0 }

    /// Smallest `max` on the path from `c` to the root; nil when none.
    func hierarchicalMax(_ c: ContainerID) -> Int? {
        var limit: Int? = nil
        var x: ContainerID? = c
        while let level = x {
            let m = store[level.raw].max
            if m != Int.max { limit = Swift.min(limit ?? Int.max, m) }
            x = store[level.raw].parent
        }
        return limit
    }
}

extension PageCounterTree {
    /// Every counter, in id order (dead containers' too).
    func encode(into w: inout BinaryWriter) {
        let all = store.all
        w.int(all.count)
        for c in all {
            for v in [c.usage, c.max, c.watermark, c.failcnt, c.high, c.low, c.min, c.parent?.raw ?? -1] { w.int(v) }
        }
    }

    func decode(from r: inout BinaryReader) throws(EngineError) {
        let n = try r.int(in: 1...EngineLimits.maxContainers + 1, "counters")
        var all: [PageCounter] = []
        for _ in 0..<n {
            var c = PageCounter()
            c.usage = try r.int(in: 0...Int.max, "usage")
            c.max = try r.int(in: 0...Int.max, "max")
            c.watermark = try r.int(in: 0...Int.max, "watermark")
            c.failcnt = try r.int()
            c.high = try r.int(in: 0...Int.max, "high")
            c.low = try r.int(in: 0...Int.max, "low")
            c.min = try r.int(in: 0...Int.max, "min")
            let p = try r.int(in: -1...(n - 1), "counter parent")
            c.parent = p < 0 ? nil : ContainerID(p)
            all.append(c)
        }
        store.replaceAll(all, free: [])
    }
}
