/// A process (a thread-group leader and its mm).
struct ProcessRecord {
    /// 0 in a free slot.
    var pid: Int
    var container: ContainerID
    /// Pages this process has mapped, possibly stale or repeated (entries are
    /// checked against the reverse map when used, and the vector is
    /// compacted when it grows to twice the live count).
    var pages: [UInt32] = []
    /// Distinct pages it maps now.
    var distinct = 0

    static let vacant = ProcessRecord(pid: 0, container: .root)
}

/// The processes: records with private storage, the pid index and the
/// free list. Slots of exited processes are reused.
final class ProcessTable {
    private let store = SlotStore<ProcessRecord>()
    @exclusivity(unchecked) private var byPid: [Int: ProcessSlot] = [:]

    var count: Int { byPid.count }
    /// One past the highest slot ever used.
    var slotBound: Int { store.count }

    @inline(__always) subscript(_ s: ProcessSlot) -> ProcessRecord {
        unsafeAddress { UnsafePointer(store.address(s.raw)) }
        unsafeMutableAddress { store.address(s.raw) }
    }

    @inline(__always) func lookup(_ pid: Int) -> ProcessSlot? { byPid[pid] }

    /// Is the slot in use by `pid` (a cached slot can have been reused)?
    @inline(__always) func holds(_ s: ProcessSlot, pid: Int) -> Bool { store[s.raw].pid == pid }

    func isLive(_ s: ProcessSlot) -> Bool { s.raw >= 0 && s.raw < store.count && store[s.raw].pid != 0 }

    func create(pid: Int, container: ContainerID) -> ProcessSlot {
        precondition(pid > 0 && byPid[pid] == nil, "pid checked by the caller")
        let s = ProcessSlot(store.reuseOrAppend(ProcessRecord(pid: pid, container: container)))
        byPid[pid] = s
        return s
    }

    func remove(_ s: ProcessSlot) {
        byPid[store[s.raw].pid] = nil
        store.release(s.raw, leaving: .vacant)
    }

    /// Live slots in slot order (the OOM killer's scan order; ties are
    /// broken by pid, so the order does not show).
    var liveSlots: [ProcessSlot] { store.indices.lazy.filter { self.store[$0].pid != 0 }.map(ProcessSlot.init) }

    /// Pids in ascending order.
    var sortedPids: [Int] { byPid.keys.sorted() }

    /// Notes a page the process maps for the first time.
    @inline(__always) func recordFirstMapping(_ s: ProcessSlot, _ pfn: PFN) {
        store[s.raw].distinct += 1
        store[s.raw].pages.append(UInt32(truncatingIfNeeded: pfn.raw))
    }

    /// The page vector when it holds exactly the mapped pages, each once
    /// (as many entries as distinct pages: every mapped page is recorded,
    /// so no entry can be stale or repeated); nil otherwise.
    @inline(__always) func exactPages(_ s: ProcessSlot) -> [PFN]? {
        let r = store.address(s.raw)
        guard r.pointee.pages.count == r.pointee.distinct else { return nil }
        return r.pointee.pages.map { PFN(unchecked: Int($0)) }
    }

    /// Notes a page recorded again (a migrated page's new frame).
    @inline(__always) func recordPage(_ s: ProcessSlot, _ pfn: PFN) {
        store[s.raw].pages.append(UInt32(truncatingIfNeeded: pfn.raw))
    }

    /// Whether the page vector has grown past twice the live count.
    @inline(__always) func needsCompaction(_ s: ProcessSlot) -> Bool {
        store[s.raw].pages.count > 2 * store[s.raw].distinct + 64
    }

    /// The distinct pages among the recorded ones that `isMapped` confirms,
    /// in ascending order. Reads only.
    func distinctPages(_ s: ProcessSlot, isMapped: (PFN) -> Bool) -> [PFN] {
        var raw = store[s.raw].pages
        raw.sort()
        var out: [PFN] = []
        out.reserveCapacity(store[s.raw].distinct)
        var last: UInt32? = nil
        for p in raw where p != last {
            last = p
            let pfn = PFN(unchecked: Int(p))
            if isMapped(pfn) { out.append(pfn) }
        }
        return out
    }

    /// Calls `body` for every recorded page, stale and repeated ones included.
    @inline(__always) func forEachRecordedPage(_ s: ProcessSlot, _ body: (PFN) -> Void) {
        store[s.raw].pages.withUnsafeBufferPointer { buf in
            for p in buf { body(PFN(unchecked: Int(p))) }
        }
    }

    /// Replaces the page vector with the live pages (compaction).
    func setPages(_ s: ProcessSlot, _ pages: [PFN]) {
        store[s.raw].pages = pages.map { UInt32(truncatingIfNeeded: $0.raw) }
    }

    func checkInvariants() -> [String] {
        var out: [String] = []
        var live = 0
        for i in store.indices where store[i].pid != 0 {
            live += 1
            if byPid[store[i].pid] != ProcessSlot(i) { out.append("pid \(store[i].pid) is not indexed at its slot") }
            if store[i].distinct < 0 { out.append("pid \(store[i].pid) maps \(store[i].distinct) pages") }
        }
        for i in store.freeSlots where store[i].pid != 0 { out.append("free process slot \(i) is in use") }
        if live != byPid.count { out.append("\(live) live process slots, \(byPid.count) pids") }
        return out
    }
}

extension ProcessTable {
    /// Every slot (free ones as pid 0), page vectors as they are (stale
    /// entries included, so compaction happens when it would have), and the
    /// free list.
    func encode(into w: inout BinaryWriter) {
        w.int(store.count)
        for i in store.indices {
            let p = store[i]
            w.int(p.pid)
            guard p.pid != 0 else { continue }
            w.int(p.container.raw)
            w.int(p.distinct)
            w.int(p.pages.count)
            for v in p.pages { w.u32(v) }
        }
        w.ints(store.freeSlots)
    }

    func decode(from r: inout BinaryReader, frames: Int, containers: Int) throws(EngineError) {
        let n = try r.int(in: 0...Int(Int32.max), "process slots")
        var all: [ProcessRecord] = []
        var pids: [Int: ProcessSlot] = [:]
        for i in 0..<n {
            let pid = try r.int(in: 0...EngineLimits.maxPid, "pid")
            guard pid != 0 else { all.append(.vacant); continue }
            var p = ProcessRecord(pid: pid, container: ContainerID(try r.int(in: 0...(containers - 1), "process container")))
            p.distinct = try r.int(in: 0...frames, "distinct pages")
            let count = try r.int(in: 0...(r.remaining / 4), "page vector")
            p.pages.reserveCapacity(count)
            for _ in 0..<count {
                let v = try r.u32()
                guard Int(v) < frames else { throw EngineError(.EINVAL, "page \(v) of pid \(pid) outside the machine") }
                p.pages.append(v)
            }
            guard pids.updateValue(ProcessSlot(i), forKey: pid) == nil else { throw EngineError(.EINVAL, "pid \(pid) twice") }
            all.append(p)
        }
        let freed = try r.ints(max: n)
        guard freed.allSatisfy({ $0 >= 0 && $0 < n && all[$0].pid == 0 }) else { throw EngineError(.EINVAL, "bad process free list") }
        store.replaceAll(all, free: freed)
        byPid = pids
    }
}
