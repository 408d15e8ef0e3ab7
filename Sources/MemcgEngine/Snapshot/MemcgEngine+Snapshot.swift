/// The engine's whole state as bytes and back (durability.md, Snapshots).
///
/// Format, version 1, all integers little-endian:
///
///     "MEMCGENG"  magic, 8 bytes
///     u32         format version (1)
///     machine     page size, frames, swap slots (8 bytes each), cgroup (1 byte: 1 v1, 2 v2),
///                 lru (1 byte: 1 seed, 2 split), swappiness (1 byte, 0...200)
///     scalars     charged pages, engine counters, the in-use flags, reclaim scratch
///     tables      containers, page counters, swap counters, processes, swap slots
///     LRU         per live container and list: the frames in order, with flags and mappers
///     u32         CRC-32C of every byte before it
///
/// Restoring gives an engine that is indistinguishable from the one saved:
/// same statistics, LRU order, free lists (so ids are reused alike) and
/// swap slot ids, hence the same replies to every later command.
extension MemcgEngine {
    static let snapshotMagic: [UInt8] = Array("MEMCGENG".utf8)
    /// The snapshot format this build writes and reads.
    public static let snapshotVersion: UInt32 = 1

    /// The state as bytes. Reads only (callers may hold a shared lock).
    public func snapshot() -> [UInt8] {
        var w = BinaryWriter(capacity: 64 + chargedPages * 16)
        w.raw(Self.snapshotMagic)
        w.u32(Self.snapshotVersion)
        Self.encode(machine, into: &w)
        w.int(chargedPages)
        counters.encode(into: &w)
        w.bool(highInUse)
        w.bool(protectionInUse)
        w.bool(swapMaxInUse)
        w.ints(emin)
        w.ints(elow)
        containers.encode(into: &w)
        pageCounters.encode(into: &w)
        swapCounters.encode(into: &w)
        processes.encode(into: &w)
        swap.encode(into: &w)
        encodeLRU(into: &w)
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    /// The machine a snapshot was taken of (checks magic, version and
    /// checksum first).
    public static func snapshotMachine(_ bytes: [UInt8]) throws(EngineError) -> Machine {
        var r = try checkedReader(bytes)
        return try decodeMachine(&r)
    }

    /// An engine in the state `snapshot()` wrote. Throws EINVAL naming what
    /// is wrong: another format, a checksum that does not hold, values out
    /// of range, or a state whose invariants do not hold.
    public static func restore(_ bytes: [UInt8]) throws(EngineError) -> MemcgEngine {
        var r = try checkedReader(bytes)
        let machine = try decodeMachine(&r)
        let e = try MemcgEngine(machine: machine)
        try e.decodeState(&r)
        guard r.remaining == 4 else { throw EngineError(.EINVAL, "snapshot: \(r.remaining - 4) bytes left over") }
        let broken = e.invariantViolations()
        guard broken.isEmpty else { throw EngineError(.EINVAL, "snapshot: restored state is inconsistent: \(broken.prefix(3).joined(separator: "; "))") }
        return e
    }

    private static func checkedReader(_ bytes: [UInt8]) throws(EngineError) -> BinaryReader {
        guard bytes.count >= 16, Array(bytes[0..<8]) == snapshotMagic else { throw EngineError(.EINVAL, "not an engine snapshot") }
        var r = BinaryReader(bytes, from: 8, to: bytes.count)
        let version = try r.u32()
        guard version == snapshotVersion else {
            throw EngineError(.EINVAL, "snapshot format \(version); this build reads format \(snapshotVersion)")
        }
        var tail = BinaryReader(bytes, from: bytes.count - 4)
        let stored = try tail.u32()
        let crc = CRC32C.checksum(bytes[0..<(bytes.count - 4)])
        guard stored == crc else { throw EngineError(.EINVAL, "snapshot checksum does not hold") }
        return r
    }

    static func encode(_ m: Machine, into w: inout BinaryWriter) {
        w.int(m.pageSize)
        w.int(m.frames)
        w.int(m.swapSlots)
        w.u8(m.cgroup == .v1 ? 1 : 2)
        w.u8(m.lru == .seed ? 1 : 2)
        w.u8(UInt8(m.swappiness))
    }

    static func decodeMachine(_ r: inout BinaryReader) throws(EngineError) -> Machine {
        let pageSize = try r.int(in: 4096...65536, "page size")
        let frames = try r.int(in: 1...EngineLimits.maxFrames, "frames")
        let swapSlots = try r.int(in: 0...EngineLimits.maxFrames, "swap slots")
        let cgroup: CgroupVersion
        switch try r.u8() {
        case 1: cgroup = .v1
        case 2: cgroup = .v2
        default: throw EngineError(.EINVAL, "snapshot: bad cgroup version")
        }
        let lru: LRUMode
        switch try r.u8() {
        case 1: lru = .seed
        case 2: lru = .split
        default: throw EngineError(.EINVAL, "snapshot: bad lru setting")
        }
        let swappiness = Int(try r.u8())
        guard swappiness <= 200 else { throw EngineError(.EINVAL, "snapshot: swappiness \(swappiness) is not in 0...200") }
        return try Machine(pageSize: pageSize, memoryBytes: frames * pageSize, swapBytes: swapSlots * pageSize, cgroup: cgroup,
                           lru: lru, swappiness: swappiness)
    }

    private func decodeState(_ r: inout BinaryReader) throws(EngineError) {
        chargedPages = try r.int(in: 0...machine.frames, "charged pages")
        counters = try EngineCounters(decoding: &r)
        highInUse = try r.bool()
        protectionInUse = try r.bool()
        swapMaxInUse = try r.bool()
        emin = try r.ints(max: EngineLimits.maxContainers + 1)
        elow = try r.ints(max: EngineLimits.maxContainers + 1)
        try containers.decode(from: &r)
        let bound = containers.idBound
        try pageCounters.decode(from: &r)
        try swapCounters.decode(from: &r)
        guard pageCounters.slotCount == bound, swapCounters.slotCount == bound, emin.count >= bound, elow.count >= bound else {
            throw EngineError(.EINVAL, "snapshot: tables of different sizes")
        }
        try processes.decode(from: &r, frames: machine.frames, containers: bound)
        try swap.decode(from: &r, containers: bound)
        try decodeLRU(from: &r)
    }
}

extension StatValues {
    /// Every field, in declaration order.
    func encode(into w: inout BinaryWriter) {
        for v in [cache, rss, shmem, mappedFile, swap, activeAnon, inactiveAnon, activeFile, inactiveFile, unevictable, pgpgin, pgpgout, pgfault, pgsteal, eventsMax, eventsOOM, eventsOOMKill, pgscan, eventsLow, eventsHigh, eventsOOMGroupKill] { w.int(v) }
    }

    init(decoding r: inout BinaryReader) throws(EngineError) {
        self.init()
        cache = try r.int()
        rss = try r.int()
        shmem = try r.int()
        mappedFile = try r.int()
        swap = try r.int()
        activeAnon = try r.int()
        inactiveAnon = try r.int()
        activeFile = try r.int()
        inactiveFile = try r.int()
        unevictable = try r.int()
        pgpgin = try r.int()
        pgpgout = try r.int()
        pgfault = try r.int()
        pgsteal = try r.int()
        eventsMax = try r.int()
        eventsOOM = try r.int()
        eventsOOMKill = try r.int()
        pgscan = try r.int()
        eventsLow = try r.int()
        eventsHigh = try r.int()
        eventsOOMGroupKill = try r.int()
    }
}

extension EngineCounters {
    func encode(into w: inout BinaryWriter) {
        w.ints(eventCounts)
        for v in [charges, uncharges, anomalies, unbalancedUncharges, evictions, oomKills, commands] { w.int(v) }
    }

    init(decoding r: inout BinaryReader) throws(EngineError) {
        self.init()
        let counts = try r.ints(max: 1 << 12)
        guard counts.count == eventCounts.count else { throw EngineError(.EINVAL, "snapshot: \(counts.count) event counters") }
        eventCounts = counts
        charges = try r.int()
        uncharges = try r.int()
        anomalies = try r.int()
        unbalancedUncharges = try r.int()
        evictions = try r.int()
        oomKills = try r.int()
        commands = try r.int()
    }
}
