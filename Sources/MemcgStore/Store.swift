import MemcgEngine

/// Settings of a data directory.
public struct StoreConfig: Sendable {
    public var dataDir: String
    public var fsync: FsyncPolicy
    /// A snapshot is due when the journal since the last one passes this many bytes.
    public var snapshotEvery: Int
    /// Cut a corrupt journal at the damage instead of refusing to start.
    public var recoverTruncate: Bool
    public var machine: Machine
    public var segmentLimit: Int

    public init(dataDir: String, fsync: FsyncPolicy = .always, snapshotEvery: Int = 256 << 20, recoverTruncate: Bool = false,
                machine: Machine, segmentLimit: Int = 64 << 20) {
        self.dataDir = dataDir
        self.fsync = fsync
        self.snapshotEvery = snapshotEvery
        self.recoverTruncate = recoverTruncate
        self.machine = machine
        self.segmentLimit = segmentLimit
    }
}

/// A snapshot's bytes, taken under the engine lock, to be written outside it.
public struct PendingSnapshot: Sendable {
    public let seq: UInt64
    let bytes: [UInt8]
}

/// What a snapshot did (for the reply of POST /snapshot and the log).
public struct SnapshotResult: Sendable {
    public var file: String
    public var seq: UInt64
    public var bytes: Int
    /// Time to copy the state (under the lock) and to write it (outside).
    public var encodeSeconds: Double
    public var writeSeconds: Double
    public var removed: [String]
}

/// The durable state of a memcgd: the journal, snapshots and recovery
/// (durability.md). Uses the engine only: the engine offers its snapshot
/// and restore, and the store journals the commands given to it.
///
/// `@unchecked Sendable`: the journal guards itself; snapshot writing is
/// serialised by `snapshotLock`.
public final class Store: @unchecked Sendable {
    public let config: StoreConfig
    private let journal: Journal
    private let snapshotLock = StoreMutex()
    /// Set while a snapshot is being written (a due snapshot is not started twice).
    private let snapshotBusy = StoreFlag()

    /// Recovers the data directory (creating it when missing) and opens the
    /// journal for writing. Returns the recovered engine and what was loaded.
    public static func open(_ config: StoreConfig) throws(StoreError) -> (Store, MemcgEngine, RecoveryReport) {
        try FileIO.makeDirectory(config.dataDir)
        let (engine, report) = try Recovery.recover(dir: config.dataDir, machine: config.machine, truncateCorruption: config.recoverTruncate)
        let journal = try Journal(dir: config.dataDir, machine: config.machine, policy: config.fsync,
                                  nextSeq: report.lastSeq + 1, segmentLimit: config.segmentLimit)
        return (Store(config, journal), engine, report)
    }

    private init(_ config: StoreConfig, _ journal: Journal) {
        self.config = config
        self.journal = journal
    }

    /// Journals a command the engine is applying; call under the engine's
    /// exclusive lock, in apply order. Returns its sequence number.
    @discardableResult
    public func append(_ command: Command) -> UInt64 { journal.append(.command(command)) }

    /// Journals a machine reset.
    @discardableResult
    public func appendReset() -> UInt64 { journal.append(.reset) }

    /// Waits until record `seq` is as durable as `--fsync` asks; false when
    /// the journal can no longer be written (the reply must not say success).
    public func waitDurable(_ seq: UInt64) -> Bool { journal.waitDurable(seq) }

    /// Why the journal stopped accepting records, when it did.
    public var failure: String? { journal.failed }

    /// The last sequence number handed out.
    public var lastSeq: UInt64 { journal.lastSeq }

    /// Whether the journal has grown past `--snapshot-every` since the last snapshot.
    public var snapshotDue: Bool { journal.bytesSinceSnapshot >= config.snapshotEvery && !snapshotBusy.value }

    /// Copies the state for a snapshot and starts a new journal segment.
    /// Call with the engine locked (the shared side is enough: no command
    /// may be applied meanwhile).
    public func takeSnapshot(of engine: MemcgEngine) throws(StoreError) -> PendingSnapshot {
        let seq = try journal.cut()
        return PendingSnapshot(seq: seq, bytes: engine.snapshot())
    }

    /// Writes a snapshot taken by `takeSnapshot` (outside the engine lock):
    /// temporary file, fsync, rename, fsync of the directory; then removes
    /// the snapshots and segments no longer needed. The newest two snapshots
    /// are kept, with the journal from the older one on, so a damaged newest
    /// snapshot can fall back to the one before it.
    public func write(_ pending: PendingSnapshot, encodeSeconds: Double = 0) throws(StoreError) -> SnapshotResult {
        snapshotBusy.value = true
        defer { snapshotBusy.value = false }
        return try snapshotLock.locked { () throws(StoreError) -> SnapshotResult in
            let t0 = FileIO.monotonicNanos()
            let dir = config.dataDir
            let name = RecordFormat.snapshotName(pending.seq)
            let file = Recovery.snapshotFile(seq: pending.seq, engine: pending.bytes)
            try FileIO.writeAtomically(file, dir: dir, name: name)
            var removed: [String] = []
            let files = try Recovery.list(dir)
            let kept = files.snapshots.prefix(2)
            for s in files.snapshots.dropFirst(2) { FileIO.remove("\(dir)/\(s.name)"); removed.append(s.name) }
            // Segments whose records all lie at or before the older kept snapshot.
            let floor = kept.last?.seq ?? 0
            let segs = files.segments
            for (i, s) in segs.enumerated() where i + 1 < segs.count && segs[i + 1].first <= floor + 1 {
                FileIO.remove("\(dir)/\(s.name)")
                removed.append(s.name)
            }
            if !removed.isEmpty { FileIO.syncDirectory(dir) }
            return SnapshotResult(file: name, seq: pending.seq, bytes: file.count, encodeSeconds: encodeSeconds,
                                  writeSeconds: Double(FileIO.monotonicNanos() - t0) / 1e9, removed: removed)
        }
    }

    /// Records after sequence number `after`, in order, read from the
    /// segments on disk (at most `limit`). Nil when the journal no longer
    /// holds record `after + 1` (a snapshot removed it).
    public func records(after: UInt64, limit: Int) throws(StoreError) -> [(seq: UInt64, entry: JournalEntry)]? {
        try JournalReader.records(dir: config.dataDir, after: after, limit: limit, upTo: journal.lastSeq)
    }

    /// Makes the journal durable and closes it (graceful stop).
    public func close() { journal.close() }
}

/// Reads journal records back (GET /journal, `memcgd replay DIR`).
public enum JournalReader {
    /// Records with sequence numbers in `after+1 ... upTo`, at most `limit`;
    /// nil when the first of them is no longer in the journal.
    public static func records(dir: String, after: UInt64, limit: Int, upTo: UInt64 = .max) throws(StoreError) -> [(seq: UInt64, entry: JournalEntry)]? {
        let files = try Recovery.list(dir)
        guard let first = files.segments.first, first.first <= after + 1 else { return files.segments.isEmpty && after >= upTo ? [] : nil }
        var out: [(seq: UInt64, entry: JournalEntry)] = []
        for (i, seg) in files.segments.enumerated() {
            if i + 1 < files.segments.count && files.segments[i + 1].first <= after + 1 { continue }
            let bytes = try FileIO.readAll("\(dir)/\(seg.name)")
            guard bytes.count >= RecordFormat.headerSize else { break }
            var full = false
            _ = try RecordFormat.scan(bytes) { (seq, r) throws(StoreError) in
                guard !full, seq > after, seq <= upTo else { return }
                do throws(EngineError) { out.append((seq, try CommandCodec.decode(&r))) } catch { throw StoreError("\(seg.name): \(error.detail)") }
                if out.count >= limit { full = true }
            }
            if full { break }
        }
        return out
    }

    /// Every entry of a data directory's journal, or of one segment file,
    /// in order, with the machine the segment was written for (offline
    /// replay). Stops at a torn tail; throws at corruption.
    public static func forEachEntry(path: String, _ body: (UInt64, JournalEntry, Machine) throws(StoreError) -> Void) throws(StoreError) -> (machine: Machine, segments: Int) {
        var names: [String]
        var dir = path
        if path.hasSuffix(".log") {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            dir = parts.count > 1 ? parts.dropLast().joined(separator: "/") : "."
            names = [String(parts.last!)]
        } else {
            names = try FileIO.listDirectory(path).filter { RecordFormat.number(in: $0, prefix: "journal-", suffix: ".log") != nil }
        }
        var machine: Machine? = nil
        for name in names {
            let bytes = try FileIO.readAll("\(dir)/\(name)")
            guard let h = RecordFormat.readHeader(bytes) else { throw StoreError("\(dir)/\(name): not a journal segment (damaged header)") }
            let m: Machine
            do { m = try h.machine() }
            catch { throw StoreError("\(dir)/\(name): \(error.detail)") }
            if let machine, machine != m { throw StoreError("\(dir)/\(name): another machine than the segments before it") }
            machine = m
            let scan = try RecordFormat.scan(bytes) { (seq, r) throws(StoreError) in
                let entry: JournalEntry
                do throws(EngineError) { entry = try CommandCodec.decode(&r) } catch { throw StoreError("\(name): \(error.detail)") }
                try body(seq, entry, m)
            }
            if case .corrupt(let offset, let why) = scan { throw StoreError("\(dir)/\(name): \(why) at offset \(offset)") }
        }
        guard let machine else { throw StoreError("\(path): no journal segment") }
        return (machine, names.count)
    }
}
