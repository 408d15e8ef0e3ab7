/// Control writes (model.md section 2): validated as a whole, then applied
/// in the order swap_max, min, low, high, max.
extension MemcgEngine {
    /// Checks a set of control values before any is applied.
    func checkControls(_ values: ControlValues, forRoot: Bool) throws(EngineError) {
        for (control, pages) in values.given {
            if !control.exists(in: machine.cgroup) {
                throw EngineError(.EOPNOTSUPP, "the control \(control.name) (\(control.kernelFile)) exists in cgroup v2; this memcgd models cgroup v1")
            }
            guard pages >= 0 else { throw EngineError(.EINVAL, "\(control.name) must not be negative") }
        }
        if forRoot && !values.isEmpty { throw EngineError(.EINVAL, "the root container has no controls") }
    }

    /// A write of some controls; a write with none changes nothing.
    func setLimits(_ c: ContainerID, _ values: ControlValues, out: inout Outcome) throws(EngineError) {
        try checkControls(values, forRoot: c == .root)
        for (control, pages) in values.given {
            if control == .max && machine.cgroup == .v1 {
                try setMaxV1(c, pages, out: &out)
            } else {
                store(control, pages, on: c, out: &out)
            }
        }
    }

    /// Stores one control and does what the write does at once: `high`
    /// reclaims while usage is above it; a v2 `max` reclaims, then kills.
    func store(_ control: Control, _ pages: Int, on c: ContainerID, out: inout Outcome) {
        switch control {
        case .swapMax:
            swapCounters.forceMax(c, pages)
            if pages != Int.max { swapMaxInUse = true }
        case .min:
            pageCounters.setMin(c, pages)
            if pages > 0 { protectionInUse = true }
        case .low:
            pageCounters.setLow(c, pages)
            if pages > 0 { protectionInUse = true }
        case .high:
            // memory_high_write: store, then reclaim while above; no OOM, no event.
            pageCounters.setHigh(c, pages)
            if pages != Int.max { highInUse = true }
            if pageCounters[c].usage > pages {
                _ = reclaim(from: c, listEvicted: true, out: &out) { _ in pageCounters[c].usage > pages ? c : nil }
            }
        case .max:
            setMaxV2(c, pages, out: &out)
        }
    }

    /// memory_max_write (v2; commit b6e6edcfa405): the limit is stored
    /// first; reclaim while usage is above it; then OOM kills in the subtree
    /// while it is still above and there is a candidate. Always succeeds.
    private func setMaxV2(_ c: ContainerID, _ pages: Int, out: inout Outcome) {
        pageCounters.forceMax(c, pages)
        containers[c].leftAboveMax = false
        guard pageCounters[c].usage > pages else { return }
        _ = reclaim(from: c, listEvicted: true, out: &out) { _ in pageCounters[c].usage > pages ? c : nil }
        while pageCounters[c].usage > pages {
            if !outOfMemory(c, out: &out, countWithoutVictim: false) { break }
        }
        containers[c].leftAboveMax = pageCounters[c].usage > pages
    }

    /// mem_cgroup_resize_max (v1): lowering below usage reclaims until usage
    /// fits; when reclaim stops making progress the write fails with EBUSY,
    /// the old limit stays, and the error still lists the evictions.
    private func setMaxV1(_ c: ContainerID, _ pages: Int, out: inout Outcome) throws(EngineError) {
        if pageCounters.setMax(c, pages) { return }
        let gaveUp = reclaim(from: c, listEvicted: true, out: &out) { _ in pageCounters.setMax(c, pages) ? nil : c }
        if gaveUp != nil {
            let usage = pageCounters[c].usage * machine.pageSize
            throw EngineError(.EBUSY, "limit \(pages * machine.pageSize) is below usage \(usage) and reclaim made no progress",
                              evicted: out.evicted)
        }
    }
}
