import MemcgEngine

/// What recovery loaded, for the log.
public struct RecoveryReport: Sendable {
    /// The snapshot used (file name), nil when the journal was replayed from the start.
    public var snapshot: String?
    public var snapshotSeq: UInt64 = 0
    /// Snapshots that did not load, with why (the newest first).
    public var damagedSnapshots: [String] = []
    public var segments = 0
    public var recordsReplayed = 0
    /// Page events in the replayed records (a range or list counts its pages).
    public var pageEvents = 0
    /// A torn final record dropped: the file, the offset it was cut at and the bytes dropped.
    public var tornTail: (file: String, offset: Int, bytes: Int)?
    /// `--recover-truncate` cut the journal here (file, offset, why).
    public var truncated: (file: String, offset: Int, why: String)?
    /// The last sequence number recovered (0: nothing).
    public var lastSeq: UInt64 = 0
    public var seconds = 0.0
    /// Whether the data directory held any state.
    public var hadState = false
}

/// Recovery (durability.md): the newest snapshot whose checksum holds,
/// then every journal record after it, in order.
enum Recovery {
    static let snapshotMagic: [UInt8] = Array("MEMCGSNF".utf8)

    struct Files {
        var snapshots: [(seq: UInt64, name: String)] = []
        var segments: [(first: UInt64, name: String)] = []
    }

    static func list(_ dir: String) throws(StoreError) -> Files {
        var f = Files()
        for name in try FileIO.listDirectory(dir) {
            if name.hasSuffix(".tmp") { FileIO.remove("\(dir)/\(name)"); continue }
            if let s = RecordFormat.number(in: name, prefix: "snapshot-", suffix: ".snap") { f.snapshots.append((s, name)) }
            if let s = RecordFormat.number(in: name, prefix: "journal-", suffix: ".log") { f.segments.append((s, name)) }
        }
        f.snapshots.sort { $0.seq > $1.seq }
        f.segments.sort { $0.first < $1.first }
        return f
    }

    /// A snapshot file: "MEMCGSNF", u32 version, u64 sequence number
    /// covered, the engine's snapshot, u32 CRC-32C of all before it.
    static func snapshotFile(seq: UInt64, engine bytes: [UInt8]) -> [UInt8] {
        var w = BinaryWriter(capacity: bytes.count + 32)
        w.raw(snapshotMagic)
        w.u32(1)
        w.u64(seq)
        w.raw(bytes)
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    static func loadSnapshot(_ path: String, seq expected: UInt64, machine: Machine) throws(StoreError) -> MemcgEngine {
        let bytes = try FileIO.readAll(path)
        guard bytes.count > 24, Array(bytes[0..<8]) == snapshotMagic else { throw StoreError("\(path): not a memcgd snapshot") }
        var tail = BinaryReader(bytes, from: bytes.count - 4)
        guard (try? tail.u32()) == CRC32C.checksum(bytes[0..<(bytes.count - 4)]) else { throw StoreError("\(path): checksum does not hold") }
        var r = BinaryReader(bytes, from: 8)
        guard (try? r.u32()) == 1 else { throw StoreError("\(path): unknown snapshot version") }
        guard (try? r.u64()) == expected else { throw StoreError("\(path): sequence number differs from its name") }
        let engineBytes = Array(bytes[20..<(bytes.count - 4)])
        let m: Machine
        do { m = try MemcgEngine.snapshotMachine(engineBytes) } catch { throw StoreError("\(path): \(error.detail)") }
        guard m == machine else { throw mismatch(path, m) }
        do { return try MemcgEngine.restore(engineBytes) } catch { throw StoreError("\(path): \(error.detail)") }
    }

    static func mismatch(_ path: String, _ m: Machine) -> StoreError {
        StoreError("\(path) was written by another machine setting (\(RecordFormat.describe(m))); start with the flags it holds or another --data-dir")
    }

    struct MismatchError: Error { var error: StoreError }

    /// Recovers the state in `dir`. Calls `onEntry` for each record replayed.
    static func recover(dir: String, machine: Machine, truncateCorruption: Bool) throws(StoreError) -> (MemcgEngine, RecoveryReport) {
        let start = FileIO.monotonicNanos()
        var report = RecoveryReport()
        let files = try list(dir)
        report.hadState = !files.snapshots.isEmpty || !files.segments.isEmpty
        var engine: MemcgEngine? = nil
        for s in files.snapshots {
            do {
                engine = try loadSnapshot("\(dir)/\(s.name)", seq: s.seq, machine: machine)
                report.snapshot = s.name
                report.snapshotSeq = s.seq
                break
            } catch {
                if error.message.contains("another machine setting") { throw error }
                report.damagedSnapshots.append(error.message)
            }
        }
        let base = report.snapshotSeq
        if engine == nil {
            if !files.snapshots.isEmpty && (files.segments.first?.first ?? 0) != 1 {
                throw StoreError("no snapshot in \(dir) loads (\(report.damagedSnapshots.joined(separator: "; "))) and the journal does not reach back to the start; refusing to start empty over it")
            }
            do { engine = try MemcgEngine(machine: machine) } catch { throw StoreError(error.detail) }
        }
        var e = engine!
        var expected = base + 1
        // Segments wholly before the snapshot are skipped; the rest are read in order.
        let segs = files.segments
        var firstUsed = 0
        while firstUsed + 1 < segs.count && segs[firstUsed + 1].first <= base + 1 { firstUsed += 1 }
        if let first = segs.first, first.first > base + 1 {
            throw StoreError("the journal in \(dir) starts at record \(first.first) but the state needs it from \(base + 1); refusing to start")
        }
        var index = firstUsed
        while index < segs.count {
            let seg = segs[index]
            let path = "\(dir)/\(seg.name)"
            let isLast = index == segs.count - 1
            let bytes = try FileIO.readAll(path)
            guard let h = RecordFormat.readHeader(bytes) else {
                if isLast && bytes.count < RecordFormat.headerSize {
                    // A segment begun as the process died: nothing in it was acknowledged.
                    report.tornTail = (seg.name, 0, bytes.count)
                    FileIO.remove(path)
                    break
                }
                throw StoreError("\(path): damaged segment header at offset 0; the journal is corrupt (start with --recover-truncate to drop it and what follows)")
            }
            guard h.version == RecordFormat.version else { throw StoreError("\(path): journal format \(h.version), this build reads \(RecordFormat.version)") }
            guard h.matches(machine) else {
                throw StoreError("\(path) was written by another machine setting (\(h.described)); start with the flags it holds or another --data-dir")
            }
            guard h.firstSeq == seg.first else { throw StoreError("\(path): header says record \(h.firstSeq); the name says \(seg.first)") }
            if seg.first > expected { throw StoreError("\(path): records \(expected)...\(seg.first - 1) are missing from the journal") }
            report.segments += 1
            var seq = seg.first
            let scan = try RecordFormat.scan(bytes) { (s, r) throws(StoreError) in
                guard s == seq else { throw StoreError("\(path): record \(s) where \(seq) was expected") }
                seq += 1
                guard s >= expected else { return }
                let entry: JournalEntry
                do throws(EngineError) { entry = try CommandCodec.decode(&r) } catch { throw StoreError("\(path): \(error.detail)") }
                switch entry {
                case .reset:
                    do throws(EngineError) { e = try MemcgEngine(machine: machine) } catch { throw StoreError(error.detail) }
                case .command(let c):
                    if case .events(let evs, _) = c { for ev in evs { report.pageEvents += ev.pageCount } }
                    _ = try? e.apply(c)
                }
                report.recordsReplayed += 1
                expected = s + 1
            }
            switch scan {
            case .clean: break
            case .tornTail(let offset):
                guard isLast else {
                    if truncateCorruption { try cutAt(dir, segs, index, offset, "a damaged record before the last segment", &report); index = segs.count; continue }
                    throw StoreError("\(path): damaged record at offset \(offset) before the last segment; the journal is corrupt (start with --recover-truncate to cut it there)")
                }
                report.tornTail = (seg.name, offset, bytes.count - offset)
                try FileIO.truncate(path, at: offset)
            case .corrupt(let offset, let why):
                if truncateCorruption { try cutAt(dir, segs, index, offset, why, &report); index = segs.count; continue }
                throw StoreError("\(path): \(why) at offset \(offset), with records after it; the journal is corrupt (start with --recover-truncate to cut it there, dropping what follows)")
            }
            index += 1
        }
        if e.brokenInvariants.isEmpty {
            let broken = e.invariantViolations()
            if !broken.isEmpty { throw StoreError("the recovered state breaks invariants: \(broken.prefix(3).joined(separator: "; "))") }
        } else {
            throw StoreError("the recovered state breaks invariants: \(e.brokenInvariants.prefix(3).joined(separator: "; "))")
        }
        report.lastSeq = expected - 1
        report.seconds = Double(FileIO.monotonicNanos() - start) / 1e9
        return (e, report)
    }

    /// `--recover-truncate`: cuts segment `index` at `offset` and removes the later ones.
    private static func cutAt(_ dir: String, _ segs: [(first: UInt64, name: String)], _ index: Int, _ offset: Int, _ why: String,
                              _ report: inout RecoveryReport) throws(StoreError) {
        try FileIO.truncate("\(dir)/\(segs[index].name)", at: offset)
        for later in segs[(index + 1)...] { FileIO.remove("\(dir)/\(later.name)") }
        FileIO.syncDirectory(dir)
        report.truncated = (segs[index].name, offset, why)
    }
}
