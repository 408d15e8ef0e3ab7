/// The one place that serialises the LRU lists and the frames on them.
/// Every charged frame is on exactly one list of its owner (an invariant),
/// so walking the lists of every live container, head to tail, writes
/// every frame record once and keeps the LRU order. The lists are reached
/// through `lruLists(of:)` / `setLRUList(_:of:kind:)` only, so a change of
/// how a container keeps its lists needs changes here and nowhere else.
extension MemcgEngine {
    /// Per live container, per list (`ContainerLRU.allLists`): the count, then per page (head to
    /// tail) its frame number, flags and mappers.
    func encodeLRU(into w: inout BinaryWriter) {
        for i in 0..<containers.idBound where containers.isAlive(ContainerID(i)) {
            let c = ContainerID(i)
            for (kind, pair) in ContainerLRU.allLists {
                let list = containers[c].lru[kind, pair]
                w.int(list.count)
                list.forEach(frames) { pfn in
                    w.u32(UInt32(pfn.raw))
                    w.u16(frames.flags(pfn))
                    rmap.encode(pfn, into: &w)
                }
            }
        }
    }

    /// Rebuilds the frame records and lists of a fresh engine whose
    /// containers and processes are already restored.
    func decodeLRU(from r: inout BinaryReader) throws(EngineError) {
        var charged = 0
        for i in 0..<containers.idBound where containers.isAlive(ContainerID(i)) {
            let c = ContainerID(i)
            for (kind, pair) in ContainerLRU.allLists {
                let n = try r.int(in: 0...(machine.frames - charged), "LRU length")
                var pages: [PFN] = []
                pages.reserveCapacity(n)
                for _ in 0..<n {
                    let raw = Int(try r.u32())
                    guard let pfn = machine.pfn(raw), !frames.isCharged(pfn) else {
                        throw EngineError(.EINVAL, "page \(raw) outside the machine or on two lists")
                    }
                    let fl = try r.u16()
                    guard LRUKind(flags: fl) == kind, kind == .unevictable || containers[c].lru.pairID(flags: fl) == pair else {
                        throw EngineError(.EINVAL, "page \(raw) has flags of another list")
                    }
                    frames.setOwner(pfn, c)
                    frames.setFlags(pfn, fl)
                    try rmap.decode(pfn, from: &r, slots: processes.slotBound)
                    pages.append(pfn)
                }
                // Pushing at the head from the tail back gives the order written.
                var list = LRUList()
                for pfn in pages.reversed() { list.pushHead(pfn, anon: frames.flags(pfn) & FrameFlag.swapBacked != 0, frames) }
                containers[c].lru[kind, pair] = list
                charged += n
            }
        }
    }
}
