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
///
/// Runs: consecutive one-page charges (or uncharges) of the same container
/// are added up the tree once, when the run ends, instead of one walk of
/// the hierarchy per page. A charge run is opened by one full check that
/// also measures the room left at every level, so each later charge of the
/// run is decided exactly as page_counter_try_charge would decide it. Any
/// other use of the tree (a read, a limit, another container, the other
/// direction) first settles the run, so nobody can observe that it was
/// deferred: within a charge run usage only rises, so the watermark after
/// settling is the one page-by-page charging gives. `MemcgEngine.apply`
/// settles before it returns, so readers never see a run.
final class PageCounterTree {
    private let store = SlotStore<PageCounter>()

    /// The container of the open run (`runPending != 0`).
    private var runContainer = ContainerID(-1)
    /// Pages the run charged (> 0) or uncharged (< 0), not yet in the counters.
    private var runPending = 0
    /// Charges the run may still take before some level would be full.
    private var runRoom = 0
    /// Pages the run could charge before some level below the root went above `high`.
    private var runHighRoom = 0

    init() { _ = store.reuseOrAppend(PageCounter()) }

    /// Counters stored (one per container id ever handed out).
    var slotCount: Int { store.count }

    /// Installs a fresh counter for a new container.
    func install(_ c: ContainerID, parent: ContainerID) {
        settle()
        let fresh = PageCounter(parent: parent)
        if c.raw < store.count { store[c.raw] = fresh } else {
            let i = store.reuseOrAppend(fresh)
            precondition(i == c.raw, "counter ids out of step with container ids")
        }
    }

    @inline(__always) subscript(_ c: ContainerID) -> PageCounter {
        settle()
        return store[c.raw]
    }

    /// page_counter_try_charge: charges one page to `c` and every ancestor,
    /// or, when some level has no room (`usage + 1 > max`), charges nothing
    /// and returns the lowest such level.
    @inline(__always) func tryCharge(_ c: ContainerID) -> ContainerID? {
        if c == runContainer && runRoom > 0 {
            runRoom &-= 1
            runPending &+= 1
            return nil
        }
        return tryChargeOpeningRun(c)
    }

    /// The check of `tryCharge` as one walk that also measures the room at
    /// every level; a charge that fits opens a run.
    private func tryChargeOpeningRun(_ c: ContainerID) -> ContainerID? {
        settle()
        var room = Int.max, highRoom = Int.max
        var x: ContainerID? = c
        while let level = x, level != .root {
            let p = store[level.raw]
            if p.usage >= p.max { return level }
            room = Swift.min(room, p.max - p.usage)
            highRoom = Swift.min(highRoom, p.high - p.usage)
            x = p.parent
        }
        runContainer = c
        runPending = 1
        runRoom = room - 1
        runHighRoom = highRoom
        return nil
    }

    /// Could a level from `c` up to (not including) the root be above its
    /// `high` now? False without looking when an open charge run of `c` is
    /// still under the room it measured; otherwise true (the caller looks).
    @inline(__always) func mayBeAboveHigh(_ c: ContainerID) -> Bool {
        !(c == runContainer && runPending > 0 && runPending <= runHighRoom)
    }

    /// page_counter_uncharge: one page off `c` and every ancestor.
    @inline(__always) func uncharge(_ c: ContainerID) {
        if c == runContainer && runPending < 0 {
            runPending &-= 1
            return
        }
        settle()
        runContainer = c
        runPending = -1
    }

    /// Adds the open run up the tree and closes it.
    @inline(__always) func settle() {
        if runPending != 0 { settleRun() }
    }

    private func settleRun() {
        let n = runPending, c = runContainer
        runPending = 0
        runRoom = 0
        runContainer = ContainerID(-1)
        if n > 0 { add(n, to: c, below: nil) } else { subtract(-n, from: c, below: nil) }
    }

    /// A charge found `level` full: the kernel bumps `failcnt` in
    /// page_counter_try_charge; the model counts it once per page charge.
    func recordFailure(_ level: ContainerID) {
        settle()
        store[level.raw].failcnt += 1
    }

    /// page_counter_set_max: refuses (false) while usage is above the new limit.
    func setMax(_ c: ContainerID, _ pages: Int) -> Bool {
        settle()
        guard store[c.raw].usage <= pages else { return false }
        store[c.raw].max = pages
        return true
    }

    /// Stores `max` whatever the usage (cgroup v2's memory.max write:
    /// xchg(&memcg->memory.max, max) before reclaiming).
    func forceMax(_ c: ContainerID, _ pages: Int) {
        settle()
        store[c.raw].max = pages
    }

    /// page_counter_set_high / set_low / set_min.
    func setHigh(_ c: ContainerID, _ pages: Int) { settle(); store[c.raw].high = pages }
    func setLow(_ c: ContainerID, _ pages: Int) { settle(); store[c.raw].low = pages }
    func setMin(_ c: ContainerID, _ pages: Int) { settle(); store[c.raw].min = pages }

    /// page_counter_charge without the limit check (a swap-out whose room
    /// was checked, a move_charge's old-side bookkeeping): `c` and every
    /// ancestor below `stop` (all of them when nil).
    @inline(__always) func charge(_ c: ContainerID, below stop: ContainerID? = nil) {
        settle()
        add(1, to: c, below: stop)
    }

    /// `n` pages onto `c` and every ancestor below `stop`, watermarks too.
    @inline(__always) private func add(_ n: Int, to c: ContainerID, below stop: ContainerID?) {
        var x: ContainerID? = c
        while let level = x, level != stop {
            store[level.raw].usage &+= n
            if store[level.raw].usage > store[level.raw].watermark { store[level.raw].watermark = store[level.raw].usage }
            x = store[level.raw].parent
        }
    }

    /// `n` pages off `c` and every ancestor below `stop`.
    @inline(__always) private func subtract(_ n: Int, from c: ContainerID, below stop: ContainerID?) {
        var x: ContainerID? = c
        while let level = x, level != stop {
            precondition(store[level.raw].usage >= n, "page counter underflow")
            store[level.raw].usage &-= n
            x = store[level.raw].parent
        }
    }

    /// Would one more page fit at `c` and every ancestor below `stop`?
    /// Returns the lowest level without room, or nil.
    @inline(__always) func levelWithoutRoom(_ c: ContainerID, below stop: ContainerID? = nil) -> ContainerID? {
        settle()
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
        add(1, to: c, below: stop)
        return nil
    }

    /// page_counter_uncharge of `c` and every ancestor below `stop`.
    @inline(__always) func uncharge(_ c: ContainerID, below stop: ContainerID?) {
        settle()
        subtract(1, from: c, below: stop)
    }

    /// page_counter_reset_watermark: to the current usage, not 0.
    func resetWatermark(_ c: ContainerID) { settle(); store[c.raw].watermark = store[c.raw].usage }

    func resetFailcnt(_ c: ContainerID) { settle(); store[c.raw].failcnt = 0 }

    /// Smallest `max` on the path from `c` to the root; nil when none.
    func hierarchicalMax(_ c: ContainerID) -> Int? {
        settle()
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
        settle()
        let all = store.all
        w.int(all.count)
        for c in all {
            for v in [c.usage, c.max, c.watermark, c.failcnt, c.high, c.low, c.min, c.parent?.raw ?? -1] { w.int(v) }
        }
    }

    func decode(from r: inout BinaryReader) throws(EngineError) {
        settle()
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
