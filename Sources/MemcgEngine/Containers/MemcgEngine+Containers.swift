/// Container commands: create, delete, update, force_empty.
extension MemcgEngine {
    func createContainer(name: String, parent: String, limits: ControlValues, chargeType: ChargeType, oomGroup: Bool,
                         labels: [String: String]) throws(EngineError) {
        let p = try lookupContainer(parent)
        try checkControls(limits, forRoot: false)
        if oomGroup { try requireV2("oom_group", "memory.oom.group") }
        let c = try containers.create(name: name, parent: p, chargeType: chargeType)
        pageCounters.install(c, parent: p)
        swapCounters.install(c, parent: p)
        containers[c].oomGroup = oomGroup
        containers[c].labels = labels
        // A new container is empty: storing the controls needs no reclaim.
        var none = Outcome()
        for (control, pages) in limits.given { store(control, pages, on: c, out: &none) }
        if emin.count < containers.idBound {
            emin.append(contentsOf: repeatElement(0, count: containers.idBound - emin.count))
            elow.append(contentsOf: repeatElement(0, count: containers.idBound - elow.count))
        }
    }

    /// Deletes a container: refused while it has processes or children; its
    /// pages move, in their order, to the head of the parent's lists, its
    /// swap slots to the parent (mem_cgroup_move_parent, 2.6.28).
    func deleteContainer(_ c: ContainerID) throws(EngineError) {
        let k = containers[c]
        guard let p = k.parent else { throw EngineError(.EINVAL, "the root container cannot be deleted") }
        guard k.processCount == 0 else {
            throw EngineError(.EBUSY, "container \"\(k.name)\" has \(plural(k.processCount, "process", "processes"))")
        }
        guard k.children.isEmpty else {
            throw EngineError(.EBUSY, "container \"\(k.name)\" has \(plural(k.children.count, "child", "children"))")
        }
        k.lru.forEachPage(frames) { frames.setOwner($0, p) }
        containers[p].lru.prepend(k.lru, frames)
        containers[p].stat.rss += k.stat.rss
        containers[p].stat.cache += k.stat.cache
        containers[p].stat.shmem += k.stat.shmem
        containers[p].stat.mappedFile += k.stat.mappedFile
        containers[p].stat.swap += k.stat.swap
        if k.stat.swap > 0 { swap.reparent(from: c, to: p) }
        containers.remove(c)
    }

    /// PATCH of a container: charge type for future charges, oom_group for
    /// future OOMs (v2).
    func updateContainer(_ c: ContainerID, chargeType: ChargeType?, oomGroup: Bool?) throws(EngineError) {
        if oomGroup != nil { try requireV2("oom_group", "memory.oom.group") }
        if (chargeType != nil || oomGroup != nil) && c == .root { throw EngineError(.EINVAL, "the root container cannot be changed") }
        if let chargeType { containers[c].chargeType = chargeType }
        if let oomGroup { containers[c].oomGroup = oomGroup }
    }

    /// Reclaims everything reclaimable in the subtree (memory.force_empty,
    /// mem_cgroup_force_empty): rounds until usage is 0 or five in a row
    /// make no progress.
    func forceEmpty(_ c: ContainerID, out: inout Outcome) throws(EngineError) {
        guard c != .root else { throw EngineError(.EINVAL, "force_empty is refused on the root container") }
        guard pageCounters[c].usage > 0 else { return }
        _ = reclaim(from: c, listEvicted: true, out: &out) { _ in pageCounters[c].usage == 0 ? nil : c }
    }

    /// memory.reclaim (v2, memory_reclaim): rounds of min(32, pages still
    /// wanted) until `pages` are evicted or five rounds in a row make no
    /// progress. Asking for more than can be had is not an error.
    func proactiveReclaim(_ c: ContainerID, pages: Int, out: inout Outcome) throws(EngineError) {
        try requireV2("proactive reclaim", "memory.reclaim")
        guard pages >= 0 else { throw EngineError(.EINVAL, "reclaim wants a non-negative amount") }
        out.requested = pages
        guard pages > 0 else { return }
        var got = 0
        _ = reclaim(from: c, want: { Swift.min(Self.reclaimBatch, pages - got) }, listEvicted: true, out: &out) { n in
            got += n
            return got >= pages ? nil : c
        }
    }

    /// EOPNOTSUPP unless the interface is cgroup v2.
    func requireV2(_ what: String, _ file: String) throws(EngineError) {
        guard machine.cgroup == .v2 else {
            throw EngineError(.EOPNOTSUPP, "\(what) (\(file)) exists in cgroup v2; this memcgd models cgroup v1")
        }
    }
}

/// "1 process", "2 processes".
func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
