/// v1 task migration with charges (mem_cgroup_move_charge,
/// memory.move_charge_at_immigrate; model.md section 3).
extension MemcgEngine {
    /// Moves to `to` the pages of the process's old container itself that
    /// the mask selects (1: anonymous pages nobody else maps, and the swap
    /// slots that remember only this process; 2: page-cache pages), all or
    /// nothing: they are charged one at a time, in ascending page order, to
    /// `to` and its ancestors below the common ancestor, with reclaim but
    /// no OOM. When they do not fit: ENOMEM, nothing moved, the evictions
    /// reported.
    func moveCharges(of slot: ProcessSlot, to dest: ContainerID, mask: Int, out: inout Outcome) throws(EngineError) {
        let from = processes[slot].container
        guard from != dest else { return }
        let lca = commonAncestor(from, dest)
        let pid = processes[slot].pid
        var moving: [PFN] = []
        for pfn in livePages(of: slot).sorted() where frames.owner(pfn) == from {
            let fl = frames.flags(pfn)
            if fl & FrameFlag.anon != 0 {
                if mask & 1 != 0 && rmap.mapCount(pfn, slot: slot) == rmap.totalMappings(pfn) { moving.append(pfn) }
            } else if mask & 2 != 0 {
                moving.append(pfn)
            }
        }
        // Charge the new side first, page by page, with the charge path's reclaim.
        var charged = 0
        for _ in moving {
            guard let refused = pageCounters.tryCharge(dest, below: lca) else { charged += 1; continue }
            let gaveUp = chargeRetrying(firstRefusal: refused, listEvicted: true, out: &out) {
                pageCounters.tryCharge(dest, below: lca)
            }
            if gaveUp != nil {
                for _ in 0..<charged { pageCounters.uncharge(dest, below: lca) }
                throw EngineError(.ENOMEM, "the pages of pid \(pid) do not fit in \"\(containers[dest].name)\"", evicted: out.evicted)
            }
            charged += 1
        }
        // Then hand each page over: old side uncharged below the common
        // ancestor; kind, list and referenced bit kept; to the new head.
        for pfn in moving {
            pageCounters.uncharge(from, below: lca)
            let kind = LRUKind(flags: frames.flags(pfn))
            containers[from].lru.remove(pfn, frames)
            frames.setOwner(pfn, dest)
            containers[dest].lru.pushHead(pfn, on: kind, clearReferenced: false, frames)
            moveKindCounts(pfn, from: from, to: dest)
            out.moved.append(pfn.raw)
        }
        if mask & 1 != 0 {
            for _ in swap.reassign(pid: pid, from: from, to: dest) {
                containers[from].stat.swap -= 1
                containers[dest].stat.swap += 1
                swapCounters.uncharge(from, below: lca)
                swapCounters.charge(dest, below: lca)
            }
        }
    }

    /// The lowest container that has both in its subtree.
    func commonAncestor(_ a: ContainerID, _ b: ContainerID) -> ContainerID {
        var x: ContainerID? = a
        while let k = x {
            if containers.isInSubtree(b, of: k) { return k }
            x = containers[k].parent
        }
        return .root
    }

    /// The page's kind counts go with it (rss, cache, shmem, mapped_file).
    private func moveKindCounts(_ pfn: PFN, from: ContainerID, to: ContainerID) {
        let fl = frames.flags(pfn)
        if fl & FrameFlag.anon != 0 {
            containers[from].stat.rss -= 1
            containers[to].stat.rss += 1
            return
        }
        containers[from].stat.cache -= 1
        containers[to].stat.cache += 1
        if fl & FrameFlag.shmem != 0 {
            containers[from].stat.shmem -= 1
            containers[to].stat.shmem += 1
        }
        if fl & FrameFlag.mappedFile != 0 {
            containers[from].stat.mappedFile -= 1
            containers[to].stat.mappedFile += 1
        }
    }
}
