import MemcgEngine

/// Containers and processes: the records that are engine commands.
extension Driver {
    /// The engine's control values (pages; unlimited is `Int.max`) for a
    /// set of controls in bytes (nil: unlimited, or for low/min "max").
    func engineControls(_ controls: Controls) -> ControlValues {
        var v = ControlValues()
        for (c, bytes) in controls.values { v[c] = bytes.map { $0 / Int(pageSize) } ?? Int.max }
        return v
    }

    func createContainer(_ spec: ContainerSpec) throws(TraceError) {
        var controls = spec.controls
        for (c, v) in overrides[spec.name]?.values ?? [] { controls[c] = v }
        try command(.createContainer(name: spec.name, parent: spec.parent, limits: engineControls(controls),
                                     chargeType: spec.mappedOnly ? .mapped : .all, oomGroup: spec.oomGroup))
        if let c = containerIndex[spec.name] { mappedOnly[c] = spec.mappedOnly }
        summary.recordsApplied += 1
    }

    func setLimits(_ spec: LimitSpec) throws(TraceError) {
        var controls = spec.controls
        // A control set on the command line wins over the trace's writes.
        for (c, _) in overrides[spec.container]?.values ?? [] { controls[c] = nil }
        summary.recordsApplied += 1
        guard !controls.values.isEmpty else { return }
        do { try command(.setLimits(name: spec.container, engineControls(controls))) } catch {
            guard error.message.hasPrefix("EBUSY") else { throw error }
            // cgroup v1: the limit could not be lowered; the old one stays.
            summary.limitWritesRefused += 1
        }
    }

    func spawn(pid: UInt32, container c: Int) throws(TraceError) {
        if let old = pidMap[pid], !procs[old].killed { throw error("pid \(pid) exists") }
        try command(.createProcess(pid: Int(pid), container: containerNames[c]))
        let p = try newProcess(pid: pid, container: c, family: families.count)
        families.append([p])
        summary.recordsApplied += 1
        counts[c].records += 1
    }

    func newProcess(pid: UInt32, container: Int, family: Int) throws(TraceError) -> Int {
        guard procs.count < (1 << 22) - 1 else { throw error("more than 4194303 processes in one trace") }
        let p = procs.count
        procs.append(DriverProcess(pid: pid, container: container, family: family))
        ptes.ensureSpace(p)
        pidMap[pid] = p
        return p
    }

    /// fork: the child maps every page the parent maps, copy-on-write.
    func fork(pid: UInt32, parent: UInt32) throws(TraceError) {
        guard let q = try process(parent) else {
            // The parent was OOM-killed: the fork never happens, and the
            // child's records are skipped like a killed process's.
            if pidMap[pid] == nil || procs[pidMap[pid]!].killed {
                let c = try newProcess(pid: pid, container: procs[pidMap[parent]!].container, family: families.count)
                families.append([])
                procs[c].alive = false
                procs[c].killed = true
            }
            return skip(Record(op: .fork, pid: parent))
        }
        if let old = pidMap[pid], !procs[old].killed { throw error("pid \(pid) exists") }
        try command(.fork(pid: Int(pid), parentPid: Int(parent)))
        let family = procs[q].family
        let p = try newProcess(pid: pid, container: procs[q].container, family: family)
        families[family].append(p)
        for (vpn, e) in ptes.entries(q) {
            ptes.set(p, vpn, e)
            if e & PTE.out == 0 { frames.mapcount[Int(e - 1)] += 1 }
        }
        for (k, v) in procs[q].fileMaps where v != PTE.holder {
            procs[p].fileMaps[k] = v
            frames.mapcount[Int(v - 1)] += 1
        }
        procs[p].attached = procs[q].attached
        for o in procs[p].attached { attach[o].append(p) }
        summary.recordsApplied += 1
        counts[procs[p].container].records += 1
    }

    func exit(_ p: Int) throws(TraceError) {
        try command(.exitProcess(pid: Int(procs[p].pid)))
        cleanup(p)
        pidMap[procs[p].pid] = nil
        noteApplied(p, pages: 0)
    }

    func move(_ p: Int, to c: Int) throws(TraceError) {
        try command(.moveProcess(pid: Int(procs[p].pid), container: containerNames[c]))
        procs[p].container = c
        noteApplied(p, pages: 0)
    }

    /// Reads the engine's counters into the summary.
    func finish() -> RunSummary {
        flushAccesses()
        series?.sample(at: time, driver: self)
        var s = summary
        s.endTime = time
        s.containers = []
        for (c, name) in containerNames.enumerated() {
            guard let st = try? engine.view.stats(named: name) else { continue }
            let ps = Int(pageSize)
            var k = counts[c]
            k.name = name
            k.usage = st.usage * ps
            k.peakUsage = st.maxUsage * ps
            k.limit = st.limit.map { $0 * ps }
            k.failcnt = st.failcnt
            k.highEvents = st.total.eventsHigh
            k.lowEvents = st.total.eventsLow
            k.faults = st.total.pgfault
            k.evictions = st.total.pgsteal
            k.peakSwap *= ps
            k.swap = st.total.swap * ps
            s.containers.append(k)
        }
        s.peakFrames = frames.peakInUse
        return s
    }
}
