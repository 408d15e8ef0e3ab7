extension MemcgEngine {
    func createContainer(name: String, parent: String, limit: Int?, chargeType: ChargeType) throws(EngineError) {
        guard Self.isValidName(name) else {
            throw EngineError(.EINVAL, "invalid container name \"\(name.prefix(80))\": use 1 to 64 of [A-Za-z0-9._-], neither \".\" nor holding \"..\"")
        }
        let p = try lookupContainer(parent)
        guard containerIndex[name] == nil else { throw EngineError(.EEXIST, "container \"\(name)\" exists") }
        guard containerIndex.count < Self.maxContainers else {
            throw EngineError(.EBUSY, "too many containers (at most \(Self.maxContainers))")
        }
        if let limit, limit < 0 { throw EngineError(.EINVAL, "negative limit") }
        // cgroup.max.depth: a bound on the nesting, so paths stay short.
        guard containers[p].depth < Self.maxDepth else {
            throw EngineError(.EINVAL, "container \"\(name)\" would be \(containers[p].depth + 1) levels deep; at most \(Self.maxDepth) are allowed")
        }
        var entry = Container(name: name, parent: p, chargeType: chargeType, serial: nextSerial)
        entry.depth = containers[p].depth + 1
        entry.path = (p == 0 ? "" : containers[p].path) + "/" + name
        entry.counter.limit = limit ?? Int.max
        nextSerial += 1
        let c: Int
        if let reused = freeContainerSlots.popLast() {
            c = reused
            containers[c] = entry
            containerAlive[c] = true
        } else {
            c = containers.count
            containers.append(entry)
            containerAlive.append(true)
        }
        containers[p].children.append(c)
        containerIndex[name] = c
    }

    /// Deletes a container: refused while it has processes or children; its
    /// pages move, in their order, to the head of the parent's lists, its
    /// swap slots to the parent (mem_cgroup_move_parent, 2.6.28).
    func deleteContainer(name: String) throws(EngineError) {
        let c = try lookupContainer(name)
        guard c != 0 else { throw EngineError(.EINVAL, "the root container cannot be deleted") }
        guard containers[c].processCount == 0 else {
            throw EngineError(.EBUSY, "container \"\(name)\" has \(containers[c].processCount) processes")
        }
        guard containers[c].children.isEmpty else {
            throw EngineError(.EBUSY, "container \"\(name)\" has \(containers[c].children.count) children")
        }
        let p = containers[c].parent
        let child = containers[c]
        let newOwner = UInt16(p + 1)
        for list in [child.inactive, child.active, child.unevictable] {
            var node = list.head
            while node != 0 {
                frames.owner[Int(node) - 1] = newOwner
                node = frames.lruNext[Int(node) - 1]
            }
        }
        containers[p].inactive.prepend(child.inactive, frames)
        containers[p].active.prepend(child.active, frames)
        containers[p].unevictable.prepend(child.unevictable, frames)
        containers[p].stat.rss += child.stat.rss
        containers[p].stat.cache += child.stat.cache
        containers[p].stat.shmem += child.stat.shmem
        containers[p].stat.mappedFile += child.stat.mappedFile
        containers[p].stat.swap += child.stat.swap
        if child.stat.swap > 0 {
            for id in swapSlots.keys where swapSlots[id]!.owner == c { swapSlots[id]!.owner = p }
        }
        containers[p].children.removeAll { $0 == c }
        containerIndex[name] = nil
        containerAlive[c] = false
        containers[c] = Container(name: "", parent: -1, chargeType: .all, serial: -1)
        freeContainerSlots.append(c)
    }

    /// Sets `max`. Lowering it below usage reclaims from the subtree until
    /// usage fits; when reclaim stops making progress the write fails with
    /// EBUSY and the old limit stays (mem_cgroup_resize_limit, cgroup v1).
    func setLimit(name: String, limit: Int?, out: inout Outcome) throws(EngineError) {
        let c = try lookupContainer(name)
        guard c != 0 else { throw EngineError(.EINVAL, "the root container has no limit") }
        let pages = limit ?? Int.max
        guard pages >= 0 else { throw EngineError(.EINVAL, "negative limit") }
        var idle = 0
        while !containers[c].counter.setLimit(pages) {
            let got = reclaimRound(c, listEvicted: true, out: &out)
            if got == 0 {
                idle += 1
                if idle >= Self.maxIdleRounds {
                    let usage = containers[c].counter.usage * machine.pageSize
                    throw EngineError(.EBUSY, "limit \(pages * machine.pageSize) is below usage \(usage) and reclaim made no progress",
                                      evicted: out.evicted)
                }
            } else {
                idle = 0
            }
        }
    }

    /// Reclaims everything reclaimable in the subtree (memory.force_empty).
    func forceEmpty(name: String, out: inout Outcome) throws(EngineError) {
        let c = try lookupContainer(name)
        guard c != 0 else { throw EngineError(.EINVAL, "force_empty is refused on the root container") }
        var idle = 0
        while containers[c].counter.usage > 0 && idle < Self.maxIdleRounds {
            if reclaimRound(c, listEvicted: true, out: &out) == 0 { idle += 1 } else { idle = 0 }
        }
    }

    /// Containers of the subtree of `c`, depth-first in creation order, `c` first.
    func subtree(_ c: Int) -> [Int] {
        var out: [Int] = []
        var stack = [c]
        while let top = stack.popLast() {
            out.append(top)
            stack.append(contentsOf: containers[top].children.reversed())
        }
        return out
    }

    /// Is `c` in the subtree of `root`?
    @inline(__always) func isInSubtree(_ c: Int, of root: Int) -> Bool {
        var x = c
        while x >= 0 {
            if x == root { return true }
            x = containers[x].parent
        }
        return false
    }
}
