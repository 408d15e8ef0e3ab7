/// The swap table's invariant checks and its snapshot encoding.
extension SwapTable {
    /// Chains, free lists, claims and the per-frame index agree; every
    /// walk is bounded, so a restored table with bad links is reported, not
    /// looped over.
    func checkInvariants(pidOf: (ProcessSlot) -> Int?, slotOf: (Int) -> ProcessSlot?,
                         isLiveContainer: (ContainerID) -> Bool) -> [String] {
        var out: [String] = []
        let n = slots.count
        let inUse = slots.reduce(0) { $0 + ($1.isUsed ? 1 : 0) }
        if inUse != used { out.append("\(inUse) swap slots in use, \(used) counted used") }
        if used > capacity { out.append("\(used) swap slots used of \(capacity)") }
        if freeSlots.count + inUse != n { out.append("\(freeSlots.count) free swap slots and \(inUse) used of \(n)") }
        for f in freeSlots where Int(f) >= n || slots[Int(f)].isUsed { out.append("free swap slot \(f) is in use") }
        var sharedUsed = Set<Int>()
        for id in 0..<n where slots[id].isUsed {
            let s = slots[id]
            let pids = self.pids(id)
            if pids.isEmpty { out.append("swap slot \(id) remembers nobody") }
            if Set(pids).count != pids.count { out.append("swap slot \(id) remembers a pid twice") }
            if s.more != 0 {
                if Int(s.more) > shared.count || shared[Int(s.more) - 1].isEmpty { out.append("swap slot \(id): bad shared list") }
                if !sharedUsed.insert(Int(s.more)).inserted { out.append("swap slot \(id) shares a pid list") }
            }
            if !isLiveContainer(ContainerID(Int(s.owner))) { out.append("swap slot \(id) owned by a dead container") }
            guard Int(s.page) < frames, Int(s.next) < n, Int(s.prev) < n,
                  slots[Int(s.next)].prev == UInt32(id), slots[Int(s.prev)].next == UInt32(id) else {
                out.append("swap slot \(id) is badly linked")
                continue
            }
            if !chain(of: Int(s.page)).contains(id) { out.append("swap slot \(id) is not indexed by its page") }
            for pid in pids {
                guard let p = slotOf(pid) else { out.append("swap slot \(id) remembers exited pid \(pid)"); continue }
                let ref = UInt64(id) << 32 | UInt64(s.generation)
                if p.raw >= claims.count || !claims[p.raw].refs.contains(ref) { out.append("swap slot \(id) is not indexed by pid \(pid)") }
            }
        }
        for (i, c) in claims.enumerated() {
            guard let pid = pidOf(ProcessSlot(i)) else {
                if c.live != 0 || !c.refs.isEmpty { out.append("free process slot \(i) holds swap claims") }
                continue
            }
            let live = Set(c.refs.filter { isCurrent($0) && holds(UInt32(truncatingIfNeeded: $0 >> 32), pid: pid) }).count
            if live != c.live { out.append("pid \(pid) counts \(c.live) swap claims, has \(live)") }
        }
        for (i, list) in shared.enumerated() where !list.isEmpty && !sharedUsed.contains(i + 1) {
            out.append("shared pid list \(i) belongs to no slot")
        }
        for f in freeShared where Int(f) >= shared.count || !shared[Int(f)].isEmpty { out.append("free shared pid list \(f) is in use") }
        return out
    }

    /// The slot ids of a page number's chain, oldest first (at most every slot).
    func chain(of page: Int) -> [Int] {
        guard page >= 0 && page < frames, head[page] != 0, Int(head[page]) <= slots.count else { return [] }
        var out: [Int] = []
        var id = Int(head[page]) - 1
        repeat {
            out.append(id)
            id = Int(slots[id].next)
        } while id != Int(head[page]) - 1 && out.count <= slots.count && id < slots.count
        return out
    }

    /// Every slot record (free ones by their generation) with its pids, the
    /// free list, each chain's head and every process's claims as they are
    /// (stale references included, so compaction happens when it would have).
    func encode(into w: inout BinaryWriter) {
        w.int(used)
        w.int(slots.count)
        for id in slots.indices {
            let s = slots[id]
            w.u32(s.generation)
            w.bool(s.isUsed)
            guard s.isUsed else { continue }
            w.u32(s.page)
            w.u32(UInt32(s.owner))
            w.u32(s.prev)
            w.u32(s.next)
            w.ints(pids(id))
        }
        w.ints(freeSlots.map(Int.init))
        let heads = slots.indices.filter { slots[$0].isUsed && head[Int(slots[$0].page)] == UInt32($0 + 1) }
        w.int(heads.count)
        for id in heads { w.u32(UInt32(id)) }
        w.int(claims.count)
        for c in claims {
            w.int(c.live)
            w.int(c.refs.count)
            for r in c.refs { w.u64(r) }
        }
    }

    /// Reads what `encode` wrote into a fresh table, checking every index
    /// (the links' consistency is left to `checkInvariants`).
    func decode(from r: inout BinaryReader, containers: Int, processSlots: Int) throws(EngineError) {
        used = try r.int(in: 0...capacity, "swap slots used")
        let n = try r.int(in: 0...min(capacity, r.remaining / 5), "swap slots")
        slots.removeAll()
        shared = []
        freeShared = []
        for _ in 0..<n {
            var s = Slot.free
            s.generation = try r.u32()
            if try r.bool() {
                s.page = try r.u32()
                let owner = Int(try r.u32())
                guard owner < containers else { throw EngineError(.EINVAL, "swap slot owned by container \(owner) of \(containers)") }
                s.owner = Int32(owner)
                guard Int(s.page) < frames else { throw EngineError(.EINVAL, "swap slot of page \(s.page) outside the machine") }
                s.prev = try r.u32()
                s.next = try r.u32()
                guard Int(s.prev) < n, Int(s.next) < n else { throw EngineError(.EINVAL, "swap slot linked out of range") }
                let pids = try r.ints(max: r.remaining / 8)
                guard !pids.isEmpty, pids.allSatisfy({ $0 >= 1 && $0 <= EngineLimits.maxPid }) else {
                    throw EngineError(.EINVAL, "swap slot with bad pids")
                }
                s.pid = Int32(pids[0])
                if pids.count > 1 {
                    shared.append(pids.dropFirst().map { Int32($0) })
                    s.more = UInt32(shared.count)
                }
            }
            slots.append(s)
        }
        let free = try r.ints(max: n)
        guard free.allSatisfy({ $0 >= 0 && $0 < n }) else { throw EngineError(.EINVAL, "bad swap free list") }
        freeSlots = free.map { UInt32($0) }
        for _ in 0..<(try r.int(in: 0...n, "swap chains")) {
            let id = Int(try r.u32())
            guard id < n, slots[id].isUsed, head[Int(slots[id].page)] == 0 else { throw EngineError(.EINVAL, "bad swap chain head") }
            head[Int(slots[id].page)] = UInt32(id + 1)
        }
        let p = try r.int(in: 0...processSlots, "swap claim lists")
        dropClaims()
        for _ in 0..<p {
            var c = Claims()
            c.live = try r.int(in: 0...n, "live swap claims")
            let k = try r.int(in: 0...(r.remaining / 8), "swap claims")
            claims.append(c)
            claims[claims.count - 1].list.reserveCapacity(k)
            for _ in 0..<k { claims[claims.count - 1].list.append(try r.u64()) }
        }
    }
}
