/// Swap slots: where evicted anonymous and shmem pages live (the swap map
/// plus what memcg's swap accounting needs: each slot's owner). A slot
/// remembers the page number the page had and the processes that mapped
/// it; it is released when each of them has exited, read it back in
/// (`swapin`/`swapoff` with `old_page`) or given it up (`swap_free`).
///
/// Flat tables, so that a swap-out allocates nothing once the tables have
/// grown (the kernel's `swap_map` is a flat array too):
/// - `slots`: one record per slot id, reused through a free list, in a
///   region mapped once for every slot the machine has (`MappedArray`); each
///   slot carries its first process's pid inline, and the others (a page
///   several processes mapped) in a pooled list.
/// - `head`: per frame, the oldest slot remembering that page number; the
///   slots of one page number form a circular doubly-linked chain in
///   creation order (so the newest is `head.prev`).
/// - `claims`: per process slot, the slot references (id and generation)
///   it has claimed, possibly stale, and how many are live. A freed slot's
///   generation moves on, which makes every old reference to it stale.
final class SwapTable {
    /// Slots the machine has.
    let capacity: Int
    /// Frames of the machine (page numbers are below it).
    let frames: Int
    @exclusivity(unchecked) var used = 0
    /// By slot id, up to the most ever used; mapped for `capacity` slots.
    let slots: MappedArray<Slot>
    @exclusivity(unchecked) var freeSlots: [UInt32] = []
    /// Per frame: 0, or the oldest slot of that page number plus one.
    let head: UnsafeMutablePointer<UInt32>
    /// The pids after the first of shared slots, in mapping order; pooled.
    @exclusivity(unchecked) var shared: [[Int32]] = []
    @exclusivity(unchecked) var freeShared: [UInt32] = []
    /// By process slot.
    @exclusivity(unchecked) var claims: [Claims] = []

    struct Slot {
        var page: UInt32
        /// The owner's container id; -1 in a free slot.
        var owner: Int32
        var prev: UInt32
        var next: UInt32
        var generation: UInt32
        /// The first process that remembers the slot (0 while it is being filled).
        var pid: Int32
        /// 0, or the index in `shared` plus one.
        var more: UInt32

        static let free = Slot(page: 0, owner: -1, prev: 0, next: 0, generation: 0, pid: 0, more: 0)
        var isUsed: Bool { owner >= 0 }
    }

    /// A process's claims. `list` is owned by the table, which frees it
    /// when the process's claims are dropped and when the table goes.
    struct Claims {
        /// Slot id in the high 32 bits, its generation at the claim in the low.
        var list = ReallocBuffer<UInt64>()
        var live = 0
        var refs: UnsafeBufferPointer<UInt64> { list.elements }
    }

    /// Nil when the host refuses the per-frame index.
    init?(capacity: Int, frames: Int) {
        guard let h = mapZeroed(frames * 4) else { return nil }
        guard let s = MappedArray<Slot>(maxCount: capacity) else {
            unmapZeroed(h, frames * 4)
            return nil
        }
        slots = s
        self.capacity = capacity
        self.frames = frames
        head = h.bindMemory(to: UInt32.self, capacity: frames)
    }

    deinit {
        unmapZeroed(UnsafeMutableRawPointer(head), frames * 4)
        dropClaims()
    }

    /// Frees every process's claim list.
    func dropClaims() {
        for i in claims.indices { claims[i].list.deallocate() }
        claims = []
    }

    static let bytesPerFrame = 4

    @inline(__always) var hasFreeSlot: Bool { used < capacity }

    // MARK: Swap-out

    /// Takes a free slot for an evicted page; the caller then adds a claim
    /// for each process that mapped it (at least one). Needs a free slot.
    @inline(__always) func open(page: PFN, owner: ContainerID) -> UInt32 {
        precondition(hasFreeSlot, "swap-out without a free slot")
        let id: UInt32
        if let f = freeSlots.popLast() {
            id = f
        } else {
            id = UInt32(truncatingIfNeeded: slots.count)
            slots.append(.free)
        }
        slots[Int(id)].page = UInt32(truncatingIfNeeded: page.raw)
        slots[Int(id)].owner = Int32(truncatingIfNeeded: owner.raw)
        link(id)
        used += 1
        return id
    }

    /// The slot remembers process `pid` (in process slot `s`).
    @inline(__always) func claim(_ id: UInt32, process s: ProcessSlot, pid: Int) {
        let i = Int(id)
        if slots[i].pid == 0 {
            slots[i].pid = Int32(truncatingIfNeeded: pid)
        } else if slots[i].more == 0 {
            slots[i].more = newShared(Int32(truncatingIfNeeded: pid)) &+ 1
        } else {
            shared[Int(slots[i].more &- 1)].append(Int32(truncatingIfNeeded: pid))
        }
        if s.raw >= claims.count { claims.append(contentsOf: repeatElement(Claims(), count: s.raw + 1 - claims.count)) }
        claims[s.raw].list.append(UInt64(id) << 32 | UInt64(slots[i].generation))
        claims[s.raw].live += 1
        if claims[s.raw].refs.count > 2 * claims[s.raw].live + 64 { compact(s, pid: pid) }
    }

    private func newShared(_ pid: Int32) -> UInt32 {
        if let f = freeShared.popLast() {
            shared[Int(f)].append(pid)
            return f
        }
        shared.append([pid])
        return UInt32(truncatingIfNeeded: shared.count - 1)
    }

    /// Drops the stale references of a process (they outnumber the live ones).
    private func compact(_ s: ProcessSlot, pid: Int) {
        claims[s.raw].list.removeAll { !isCurrent($0) || !holds(UInt32(truncatingIfNeeded: $0 >> 32), pid: pid) }
    }

    // MARK: Chains of one page number

    /// Appends the slot at the end (newest) of its page number's chain.
    @inline(__always) private func link(_ id: UInt32) {
        let page = Int(slots[Int(id)].page)
        let h = head[page]
        if h == 0 {
            head[page] = id &+ 1
            slots[Int(id)].prev = id
            slots[Int(id)].next = id
            return
        }
        let first = h &- 1, last = slots[Int(first)].prev
        slots[Int(id)].prev = last
        slots[Int(id)].next = first
        slots[Int(last)].next = id
        slots[Int(first)].prev = id
    }

    private func unlink(_ id: UInt32) {
        let page = Int(slots[Int(id)].page)
        let next = slots[Int(id)].next, prev = slots[Int(id)].prev
        if next == id {
            head[page] = 0
            return
        }
        slots[Int(prev)].next = next
        slots[Int(next)].prev = prev
        if head[page] == id &+ 1 { head[page] = next &+ 1 }
    }

    // MARK: Claims given up

    /// Is the reference to a slot that is still the one claimed?
    @inline(__always) func isCurrent(_ ref: UInt64) -> Bool {
        let id = Int(ref >> 32)
        return id < slots.count && slots[id].isUsed && slots[id].generation == UInt32(truncatingIfNeeded: ref)
    }

    /// Does the (used) slot remember `pid`?
    @inline(__always) func holds(_ id: UInt32, pid: Int) -> Bool {
        let s = slots[Int(id)]
        if Int(s.pid) == pid { return true }
        return s.more != 0 && shared[Int(s.more &- 1)].contains(Int32(truncatingIfNeeded: pid))
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

    /// The oldest slot for `page` that remembers `pid` (in process slot
    /// `s`) forgets it (swapin/swapoff with `old_page`, swap_free).
    func release(process s: ProcessSlot, pid: Int, page: Int) -> Release {
        guard page >= 0 && page < frames, head[page] != 0 else { return .none }
        let first = head[page] &- 1
        var id = first
        repeat {
            if holds(id, pid: pid) {
                if s.raw < claims.count { claims[s.raw].live -= 1 }
                return forget(pid: pid, id: id)
            }
            id = slots[Int(id)].next
        } while id != first
        return .none
    }

    /// Every slot forgets the process in slot `s` (exit); `freed` is called
    /// with the owner of each slot that was freed.
    func releaseAll(process s: ProcessSlot, pid: Int, freed: (ContainerID) -> Void) {
        guard s.raw < claims.count else { return }
        var gone = claims[s.raw]
        claims[s.raw] = Claims()
        for ref in gone.refs where isCurrent(ref) {
            if case .freed(let owner) = forget(pid: pid, id: UInt32(truncatingIfNeeded: ref >> 32)) { freed(owner) }
        }
        gone.list.deallocate()
    }

    private func forget(pid: Int, id: UInt32) -> Release {
        let i = Int(id)
        let more = Int(slots[i].more) - 1
        if Int(slots[i].pid) == pid {
            guard more >= 0 else { return free(id) }
            slots[i].pid = shared[more].removeFirst()
        } else {
            guard more >= 0, let at = shared[more].firstIndex(of: Int32(truncatingIfNeeded: pid)) else { return .none }
            shared[more].remove(at: at)
        }
        if shared[more].isEmpty {
            freeShared.append(UInt32(more))
            slots[i].more = 0
        }
        return .dropped
    }

    private func free(_ id: UInt32) -> Release {
        let owner = ContainerID(Int(slots[Int(id)].owner))
        unlink(id)
        let generation = slots[Int(id)].generation &+ 1
        slots[Int(id)] = .free
        slots[Int(id)].generation = generation
        freeSlots.append(id)
        used -= 1
        return .freed(owner)
    }

    // MARK: Queries and ownership

    /// Slots that remember the process in slot `s` now.
    func liveClaims(of s: ProcessSlot) -> Int { s.raw < claims.count ? claims[s.raw].live : 0 }

    /// move_charge: the slots owned by `from` that remember only `pid` go
    /// to `to`; returns how many.
    func reassign(process s: ProcessSlot, pid: Int, from: ContainerID, to: ContainerID) -> Int {
        guard s.raw < claims.count else { return 0 }
        var moved = 0
        for ref in claims[s.raw].refs where isCurrent(ref) {
            let i = Int(ref >> 32)
            if Int(slots[i].owner) == from.raw && Int(slots[i].pid) == pid && slots[i].more == 0 {
                slots[i].owner = Int32(truncatingIfNeeded: to.raw)
                moved += 1
            }
        }
        return moved
    }

    /// A deleted container's slots go to its parent (mem_cgroup_move_parent).
    func reparent(from c: ContainerID, to p: ContainerID) {
        for i in slots.indices where Int(slots[i].owner) == c.raw { slots[i].owner = Int32(truncatingIfNeeded: p.raw) }
    }

    /// Slots owned by each container id (for invariant checks).
    func ownedCounts(idBound: Int) -> [Int] {
        var n = [Int](repeating: 0, count: idBound)
        for s in slots where s.isUsed && Int(s.owner) < idBound { n[Int(s.owner)] += 1 }
        return n
    }

    /// Every pid of a used slot, in mapping order.
    func pids(_ id: Int) -> [Int] {
        let s = slots[id]
        var out = s.pid == 0 ? [] : [Int(s.pid)]
        if s.more != 0 && Int(s.more) <= shared.count { out += shared[Int(s.more) - 1].map(Int.init) }
        return out
    }
}
