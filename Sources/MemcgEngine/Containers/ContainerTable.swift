/// A memory container (a memory cgroup): its place in the tree, its LRU
/// lists and its local statistics, in pages. Its counter is in
/// `PageCounterTree` under the same id.
struct ContainerRecord {
    var name: String
    var parent: ContainerID?
    /// Children in creation order.
    var children: [ContainerID] = []
    /// The root is 0.
    var depth: Int
    /// `/a/b` from the root (the root is `/`), kept so listings never rebuild it.
    var path: String
    var chargeType: ChargeType
    /// Labels given at creation, reported as they are.
    var labels: [String: String] = [:]
    /// memory.oom.group (v2).
    var oomGroup = false
    /// A v2 `max` write left usage above the new max (no OOM candidate left).
    var leftAboveMax = false
    var lru: ContainerLRU
    /// Local counters, kept as the statistics report them; the LRU sizes
    /// in it stay 0 (they are read off `lru`).
    var stat = StatValues()
    var processCount = 0
}

/// The container tree: records with private storage, the name index and
/// the free list. Ids of deleted containers are reused.
final class ContainerTable {
    private let store = SlotStore<ContainerRecord>()
    @exclusivity(unchecked) private var alive: [Bool] = []
    @exclusivity(unchecked) private var byName: [String: ContainerID] = [:]

    static let rootName = "root"

    /// Every container's lists are split (`lru: split`) or not.
    let splitLRU: Bool

    init(splitLRU: Bool) {
        self.splitLRU = splitLRU
        _ = store.reuseOrAppend(ContainerRecord(name: Self.rootName, parent: nil, depth: 0, path: "/", chargeType: .all,
                                                lru: ContainerLRU(split: splitLRU)))
        alive = [true]
        byName = [Self.rootName: .root]
    }

    /// Containers alive now, the root included.
    var count: Int { byName.count }
    /// One past the highest id ever handed out (for per-id scratch arrays).
    var idBound: Int { store.count }

    @inline(__always) subscript(_ c: ContainerID) -> ContainerRecord {
        unsafeAddress { UnsafePointer(store.address(c.raw)) }
        unsafeMutableAddress { store.address(c.raw) }
    }

    func lookup(_ name: String) -> ContainerID? { byName[name] }

    func isAlive(_ c: ContainerID) -> Bool { c.raw >= 0 && c.raw < alive.count && alive[c.raw] }

    /// Container names are `[A-Za-z0-9._-]{1,64}`, neither `.` nor containing "..".
    static func isValidName(_ name: String) -> Bool {
        let u = name.utf8
        guard !u.isEmpty, u.count <= 64, name != "." else { return false }
        var previous: UInt8 = 0
        for b in u {
            let ok = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
            if !ok || (b == 0x2E && previous == 0x2E) { return false }
            previous = b
        }
        return true
    }

    /// Adds a container under `parent` (cgroup_mkdir): checks the name, its
    /// uniqueness, the number of containers and the depth.
    func create(name: String, parent p: ContainerID, chargeType: ChargeType) throws(EngineError) -> ContainerID {
        guard Self.isValidName(name) else {
            throw EngineError(.EINVAL, "invalid container name \"\(name.prefix(80))\": use 1 to 64 of [A-Za-z0-9._-], not \".\" or \"..\"")
        }
        guard byName[name] == nil else { throw EngineError(.EEXIST, "container \"\(name)\" exists") }
        guard byName.count < EngineLimits.maxContainers else {
            throw EngineError(.EBUSY, "too many containers (at most \(EngineLimits.maxContainers))")
        }
        let depth = self[p].depth + 1
        guard depth <= EngineLimits.maxDepth else {
            throw EngineError(.EINVAL, "container \"\(name)\" would be at depth \(depth); the deepest allowed is \(EngineLimits.maxDepth)")
        }
        let path = (p == .root ? "" : self[p].path) + "/" + name
        let c = ContainerID(store.reuseOrAppend(ContainerRecord(name: name, parent: p, depth: depth, path: path, chargeType: chargeType,
                                                                            lru: ContainerLRU(split: splitLRU))))
        if c.raw < alive.count { alive[c.raw] = true } else { alive.append(true) }
        self[p].children.append(c)
        byName[name] = c
        return c
    }

    /// Takes a leaf container out of the tree (its pages and charges must
    /// have been moved by the caller).
    func remove(_ c: ContainerID) {
        precondition(c != .root && self[c].children.isEmpty, "only a leaf other than the root can be removed")
        if let p = self[c].parent { self[p].children.removeAll { $0 == c } }
        byName[self[c].name] = nil
        alive[c.raw] = false
        store.release(c.raw, leaving: ContainerRecord(name: "", parent: nil, depth: 0, path: "", chargeType: .all,
                                                    lru: ContainerLRU(split: splitLRU)))
    }

    /// Containers of the subtree of `c`, depth-first in creation order, `c` first.
    func subtree(_ c: ContainerID) -> [ContainerID] {
        var out: [ContainerID] = []
        var stack = [c]
        while let top = stack.popLast() {
            out.append(top)
            stack.append(contentsOf: self[top].children.reversed())
        }
        return out
    }

    /// Is `c` in the subtree of `top`?
    func isInSubtree(_ c: ContainerID, of top: ContainerID) -> Bool {
        var x: ContainerID? = c
        while let level = x {
            if level == top { return true }
            x = self[level].parent
        }
        return false
    }

    /// The tree's own consistency: names, parent and child links, depth and path.
    func checkInvariants() -> [String] {
        var out: [String] = []
        var seen = 0
        for i in store.indices where alive[i] {
            let c = ContainerID(i)
            let k = self[c]
            seen += 1
            if byName[k.name] != c { out.append("container \(i) (\(k.name)) is not in the name index") }
            if k.processCount < 0 { out.append("container \(k.name) has \(k.processCount) processes") }
            if let p = k.parent {
                if !isAlive(p) { out.append("container \(k.name) has a dead parent") }
                else {
                    if self[p].children.filter({ $0 == c }).count != 1 { out.append("container \(k.name) is not once among its parent's children") }
                    if k.depth != self[p].depth + 1 { out.append("container \(k.name) has depth \(k.depth)") }
                    if k.path != (p == .root ? "" : self[p].path) + "/" + k.name { out.append("container \(k.name) has path \(k.path)") }
                }
            } else if c != .root {
                out.append("container \(k.name) has no parent")
            }
            for ch in k.children where !isAlive(ch) || self[ch].parent != c { out.append("container \(k.name) lists a stray child") }
        }
        if seen != byName.count { out.append("\(seen) live containers, \(byName.count) names") }
        return out
    }
}

extension ContainerTable {
    /// Writes every slot (dead ones too, so ids stay where they are), the
    /// free list and the records without their LRU lists (the engine's
    /// snapshot writes those with the frames).
    func encode(into w: inout BinaryWriter) {
        let all = store.all
        w.int(all.count)
        for (i, k) in all.enumerated() {
            w.bool(alive[i])
            guard alive[i] else { continue }
            w.string(k.name)
            w.int(k.parent?.raw ?? -1)
            w.ints(k.children.map(\.raw))
            w.int(k.depth)
            w.string(k.path)
            w.u8(k.chargeType == .all ? 0 : 1)
            w.int(k.labels.count)
            for key in k.labels.keys.sorted() {
                w.string(key)
                w.string(k.labels[key]!)
            }
            w.bool(k.oomGroup)
            w.bool(k.leftAboveMax)
            k.stat.encode(into: &w)
            w.int(k.processCount)
        }
        w.ints(store.freeSlots)
    }

    /// Reads what `encode` wrote; ids are checked against the table's size
    /// (the tree's shape is checked by `checkInvariants` afterwards).
    func decode(from r: inout BinaryReader) throws(EngineError) {
        let n = try r.int(in: 1...EngineLimits.maxContainers + 1, "container slots")
        var records: [ContainerRecord] = []
        var live: [Bool] = []
        var names: [String: ContainerID] = [:]
        let vacant = ContainerRecord(name: "", parent: nil, depth: 0, path: "", chargeType: .all, lru: ContainerLRU(split: splitLRU))
        for i in 0..<n {
            guard try r.bool() else {
                records.append(vacant)
                live.append(false)
                continue
            }
            let name = try r.string(max: 64)
            let p = try r.int(in: -1...(n - 1), "parent")
            let children = try r.ints(max: n).map { v throws(EngineError) -> ContainerID in
                guard v >= 0 && v < n else { throw EngineError(.EINVAL, "child id \(v) out of range") }
                return ContainerID(v)
            }
            var k = ContainerRecord(name: name, parent: p < 0 ? nil : ContainerID(p), depth: try r.int(in: 0...EngineLimits.maxDepth, "depth"),
                                    path: try r.string(max: 65 * (EngineLimits.maxDepth + 1)), chargeType: try r.u8() == 0 ? .all : .mapped,
                                    lru: ContainerLRU(split: splitLRU))
            k.children = children
            let labels = try r.int(in: 0...(1 << 16), "labels")
            for _ in 0..<labels {
                let key = try r.string()
                k.labels[key] = try r.string()
            }
            k.oomGroup = try r.bool()
            k.leftAboveMax = try r.bool()
            k.stat = try StatValues(decoding: &r)
            k.processCount = try r.int()
            guard names.updateValue(ContainerID(i), forKey: name) == nil else { throw EngineError(.EINVAL, "container name \(name) twice") }
            records.append(k)
            live.append(true)
        }
        let freed = try r.ints(max: n)
        guard live[0], records[0].name == Self.rootName,
              freed.allSatisfy({ $0 > 0 && $0 < n && !live[$0] }) else { throw EngineError(.EINVAL, "container table without root or with a bad free list") }
        store.replaceAll(records, free: freed)
        alive = live
        byName = names
    }
}
