/// Container commands: create, delete, limit writes, force_empty.
extension MemcgEngine {
    func createContainer(name: String, parent: String, limit: Int?, chargeType: ChargeType) throws(EngineError) {
        let p = try lookupContainer(parent)
        if let limit, limit < 0 { throw EngineError(.EINVAL, "negative limit") }
        let c = try containers.create(name: name, parent: p, chargeType: chargeType)
        pageCounters.install(c, parent: p)
        if let limit { _ = pageCounters.setMax(c, limit) }
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
        for kind in LRUKind.allCases { k.lru[kind].forEach(frames) { frames.setOwner($0, p) } }
        containers[p].lru.prepend(k.lru, frames)
        containers[p].stat.rss += k.stat.rss
        containers[p].stat.cache += k.stat.cache
        containers[p].stat.shmem += k.stat.shmem
        containers[p].stat.mappedFile += k.stat.mappedFile
        containers[p].stat.swap += k.stat.swap
        if k.stat.swap > 0 { swap.reparent(from: c, to: p) }
        containers.remove(c)
    }

    /// Sets `max` (mem_cgroup_resize_max, cgroup v1). Lowering it below usage
    /// reclaims from the subtree until usage fits; when reclaim stops making
    /// progress the write fails with EBUSY and the old limit stays.
    func setLimit(_ c: ContainerID, limit: Int?, out: inout Outcome) throws(EngineError) {
        guard c != .root else { throw EngineError(.EINVAL, "the root container has no limit") }
        let pages = limit ?? Int.max
        guard pages >= 0 else { throw EngineError(.EINVAL, "negative limit") }
        if pageCounters.setMax(c, pages) { return }
        let gaveUp = reclaim(from: c, listEvicted: true, out: &out) { pageCounters.setMax(c, pages) ? nil : c }
        if gaveUp != nil {
            let usage = pageCounters[c].usage * machine.pageSize
            throw EngineError(.EBUSY, "limit \(pages * machine.pageSize) is below usage \(usage) and reclaim made no progress",
                              evicted: out.evicted)
        }
    }

    /// Reclaims everything reclaimable in the subtree (memory.force_empty,
    /// mem_cgroup_force_empty).
    func forceEmpty(_ c: ContainerID, out: inout Outcome) throws(EngineError) {
        guard c != .root else { throw EngineError(.EINVAL, "force_empty is refused on the root container") }
        guard pageCounters[c].usage > 0 else { return }
        _ = reclaim(from: c, listEvicted: true, out: &out) { pageCounters[c].usage == 0 ? nil : c }
    }
}

/// "1 process", "2 processes".
func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
