/// Swap slots: where evicted anonymous and shmem pages live (the swap map
/// plus what memcg's swap accounting needs: each slot's owner). A slot
/// remembers the page number the page had and the processes that mapped
/// it; it is released when each of them has exited, read it back in
/// (`swapin`/`swapoff` with `old_page`) or given it up (`swap_free`).
final class SwapTable {
    /// Slots the machine has.
    let capacity: Int
    @exclusivity(unchecked) private(set) var used = 0
    @exclusivity(unchecked) private var slots: [Int: Slot] = [:]
    /// Slot ids by page number, oldest first.
    @exclusivity(unchecked) private var byPage: [Int: [Int]] = [:]
    /// Slot ids that remember each pid (possibly stale), and how many do now.
    @exclusivity(unchecked) private var byPid: [Int: Claims] = [:]
    @exclusivity(unchecked) private var nextID = 1

    private struct Slot {
        var page: Int
        var owner: ContainerID
        var pids: [Int]
    }

    private struct Claims {
        var ids: [Int] = []
        var live = 0
    }

    init(capacity: Int) { self.capacity = capacity }

    @inline(__always) var hasFreeSlot: Bool { used < capacity }

    /// Stores an evicted page for the processes that mapped it. With no
    /// process to remember, no slot is taken (false).
    func store(page: PFN, owner: ContainerID, pids: [Int]) -> Bool {
        guard !pids.isEmpty else { return false }
        precondition(hasFreeSlot, "swap-out without a free slot")
        let id = nextID
        nextID += 1
        slots[id] = Slot(page: page.raw, owner: owner, pids: pids)
        byPage[page.raw, default: []].append(id)
        used += 1
        for pid in pids { claim(&byPid[pid, default: Claims()], id: id, pid: pid) }
        return true
    }

    /// Records a new claim, dropping stale ids once they outnumber the live ones.
    private func claim(_ c: inout Claims, id: Int, pid: Int) {
        c.ids.append(id)
        c.live += 1
        if c.ids.count > 2 * c.live + 64 { c.ids.removeAll { slots[$0]?.pids.contains(pid) != true } }
    }

    /// What giving up a claim did.
    enum Release: Equatable {
        /// No slot remembers the process under that page number.
        case none
        /// The claim went; other processes still hold the slot.
        case dropped
        /// The last claim went: the slot is free; it was owned by this container.
        case freed(ContainerID)
    }

    /// The oldest slot for `page` that remembers `pid` forgets it
    /// (swapin/swapoff with `old_page`, swap_free).
    func release(pid: Int, page: Int) -> Release {
        guard let ids = byPage[page] else { return .none }
        for id in ids where slots[id]!.pids.contains(pid) { return forget(pid: pid, id: id) }
        return .none
    }

    /// Every slot forgets the process (exit); returns the owners of the
    /// slots that were freed, one entry per slot.
    func releaseAll(pid: Int) -> [ContainerID] {
        var freed: [ContainerID] = []
        for id in byPid[pid]?.ids ?? [] {
            if case .freed(let owner) = forget(pid: pid, id: id) { freed.append(owner) }
        }
        byPid[pid] = nil
        return freed
    }

    private func forget(pid: Int, id: Int) -> Release {
        guard var slot = slots[id], let i = slot.pids.firstIndex(of: pid) else { return .none }
        slot.pids.remove(at: i)
        byPid[pid]?.live -= 1
        guard slot.pids.isEmpty else {
            slots[id] = slot
            return .dropped
        }
        slots[id] = nil
        byPage[slot.page]!.removeAll { $0 == id }
        if byPage[slot.page]!.isEmpty { byPage[slot.page] = nil }
        used -= 1
        return .freed(slot.owner)
    }

    /// Slots that remember the process now.
    func liveClaims(of pid: Int) -> Int { byPid[pid]?.live ?? 0 }

    /// move_charge: the slots owned by `from` that remember only `pid` go
    /// to `to`; returns their ids.
    func reassign(pid: Int, from: ContainerID, to: ContainerID) -> [Int] {
        var moved: [Int] = []
        for id in byPid[pid]?.ids ?? [] where slots[id]?.owner == from && slots[id]?.pids == [pid] {
            if moved.contains(id) { continue }
            slots[id]!.owner = to
            moved.append(id)
        }
        return moved
    }

    /// A deleted container's slots go to its parent (mem_cgroup_move_parent).
    func reparent(from c: ContainerID, to p: ContainerID) {
        for id in slots.keys where slots[id]!.owner == c { slots[id]!.owner = p }
    }

    /// Slots owned by each container id (for invariant checks).
    func ownedCounts(idBound: Int) -> [Int] {
        var n = [Int](repeating: 0, count: idBound)
        for s in slots.values { n[s.owner.raw] += 1 }
        return n
    }

    func checkInvariants(isLivePid: (Int) -> Bool, isLiveContainer: (ContainerID) -> Bool) -> [String] {
        var out: [String] = []
        if slots.count != used { out.append("\(slots.count) swap slots, \(used) counted used") }
        if used > capacity { out.append("\(used) swap slots used of \(capacity)") }
        for (id, s) in slots.sorted(by: { $0.key < $1.key }) {
            if s.pids.isEmpty { out.append("swap slot \(id) remembers nobody") }
            if !isLiveContainer(s.owner) { out.append("swap slot \(id) owned by a dead container") }
            if byPage[s.page]?.contains(id) != true { out.append("swap slot \(id) is not indexed by its page") }
            for pid in s.pids {
                if !isLivePid(pid) { out.append("swap slot \(id) remembers exited pid \(pid)") }
                if byPid[pid]?.ids.contains(id) != true { out.append("swap slot \(id) is not indexed by pid \(pid)") }
            }
        }
        for (pid, claims) in byPid.sorted(by: { $0.key < $1.key }) {
            let live = Set(claims.ids).filter { slots[$0]?.pids.contains(pid) == true }.count
            if live != claims.live { out.append("pid \(pid) counts \(claims.live) swap claims, has \(live)") }
        }
        let indexed = byPage.values.reduce(0) { $0 + $1.count }
        if indexed != slots.count { out.append("\(indexed) slots indexed by page, \(slots.count) slots") }
        return out
    }
}

extension SwapTable {
    /// Slots, the page and pid indexes (stale claims included) in key
    /// order, and the next slot id.
    func encode(into w: inout BinaryWriter) {
        w.int(used)
        w.int(nextID)
        w.int(slots.count)
        for id in slots.keys.sorted() {
            let s = slots[id]!
            w.int(id)
            w.int(s.page)
            w.int(s.owner.raw)
            w.ints(s.pids)
        }
        w.int(byPage.count)
        for page in byPage.keys.sorted() {
            w.int(page)
            w.ints(byPage[page]!)
        }
        w.int(byPid.count)
        for pid in byPid.keys.sorted() {
            w.int(pid)
            w.ints(byPid[pid]!.ids)
            w.int(byPid[pid]!.live)
        }
    }

    func decode(from r: inout BinaryReader, containers: Int) throws(EngineError) {
        used = try r.int(in: 0...capacity, "swap slots used")
        nextID = try r.int(in: 1...Int.max, "next swap slot")
        let n = try r.int(in: 0...capacity, "swap slots")
        slots = [:]
        for _ in 0..<n {
            let id = try r.int(in: 1...(nextID - 1), "swap slot id")
            slots[id] = Slot(page: try r.int(), owner: ContainerID(try r.int(in: 0...(containers - 1), "swap owner")),
                             pids: try r.ints(max: r.remaining / 8))
        }
        byPage = [:]
        for _ in 0..<(try r.int(in: 0...n, "swap pages")) { byPage[try r.int()] = try r.ints(max: n) }
        byPid = [:]
        for _ in 0..<(try r.int(in: 0...(r.remaining / 8), "swap pids")) {
            let pid = try r.int()
            byPid[pid] = Claims(ids: try r.ints(max: r.remaining / 8), live: try r.int())
        }
    }
}
