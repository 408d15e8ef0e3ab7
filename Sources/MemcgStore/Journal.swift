import MemcgEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// When the journal reaches the disk (durability.md).
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// A reply waits for fsync; concurrent requests share one (group commit).
    case always
    /// fsync at most every 100 ms; a process crash loses nothing acknowledged.
    case batch
    /// The kernel decides.
    case off
}

/// The journal writer: appends records to the current segment, rotates
/// segments, and makes them durable by the policy. `append` is called
/// under the engine's exclusive lock (so records are in apply order);
/// `waitDurable` after that lock is released, before the reply.
///
/// Group commit under `always`: the first waiter becomes the syncer and
/// fsyncs everything written so far; waiters that arrive meanwhile wait for
/// it and then for one more round, so N concurrent requests cost a few
/// fsyncs, not N.
///
/// `@unchecked Sendable`: every field is guarded by `mutex`.
final class Journal: @unchecked Sendable {
    let dir: String
    let machine: Machine
    let policy: FsyncPolicy
    /// A segment larger than this is closed and a new one begun.
    let segmentLimit: Int

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var fd: Int32 = -1
    private var segmentBytes = 0
    /// Descriptors of closed segments a sync in flight may still use.
    private var retired: [Int32] = []
    private(set) var nextSeq: UInt64
    private var written: UInt64
    private var synced: UInt64
    private var syncing = false
    private var failure: String?
    private var scratch = BinaryWriter(capacity: 1 << 16)
    /// Journal bytes since the last snapshot began.
    private var sinceSnapshot = 0
    private var stopFlusher = false
    private var flusher: pthread_t?

    /// Starts a new segment at `nextSeq` (after recovery).
    init(dir: String, machine: Machine, policy: FsyncPolicy, nextSeq: UInt64, segmentLimit: Int = 64 << 20) throws(StoreError) {
        self.dir = dir
        self.machine = machine
        self.policy = policy
        self.segmentLimit = segmentLimit
        self.nextSeq = nextSeq
        self.written = nextSeq - 1
        self.synced = nextSeq - 1
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
        try openSegment()
        if policy == .batch { startFlusher() }
    }

    deinit {
        pthread_mutex_destroy(mutex); mutex.deallocate()
        pthread_cond_destroy(cond); cond.deallocate()
    }

    @inline(__always) private func locked<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Opens `journal-<nextSeq>.log` with its header (replacing an empty
    /// segment of that name left by an earlier start). Holds `mutex` or runs alone.
    private func openSegment() throws(StoreError) {
        let name = RecordFormat.segmentName(nextSeq)
        let newFD = open("\(dir)/\(name)", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard newFD >= 0 else { throw StoreError("cannot create \(dir)/\(name): \(FileIO.errnoText())") }
        let header = RecordFormat.header(machine: machine, firstSeq: nextSeq)
        guard header.withUnsafeBytes({ FileIO.writeAll(newFD, $0) }), policy == .off || fsync(newFD) == 0 else {
            Glibc.close(newFD)
            throw StoreError("cannot write \(dir)/\(name): \(FileIO.errnoText())")
        }
        FileIO.syncDirectory(dir)
        if fd >= 0 {
            // Whatever the old segment holds is made durable before it is left.
            if policy != .off { fdatasync(fd) }
            synced = written
            if syncing { retired.append(fd) } else { Glibc.close(fd) }
        }
        fd = newFD
        segmentBytes = header.count
    }

    /// Appends one record; returns its sequence number. A failed write
    /// marks the journal failed: every later `waitDurable` says false.
    func append(_ entry: JournalEntry) -> UInt64 {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let seq = nextSeq
        nextSeq += 1
        guard failure == nil else { return seq }
        scratch = BinaryWriter(capacity: 0)
        RecordFormat.appendRecord(seq: seq, entry, to: &scratch)
        let n = scratch.bytes.count
        guard scratch.bytes.withUnsafeBytes({ FileIO.writeAll(fd, $0) }) else {
            failure = "journal write failed: \(FileIO.errnoText())"
            pthread_cond_broadcast(cond)
            return seq
        }
        written = seq
        segmentBytes += n
        sinceSnapshot += n
        if segmentBytes >= segmentLimit {
            do { try openSegment() } catch { failure = error.message }
        }
        return seq
    }

    /// Waits until record `seq` is as durable as the policy asks: written
    /// (batch, off) or fsynced (always). False when the journal failed.
    func waitDurable(_ seq: UInt64) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if policy != .always { return failure == nil }
        while synced < seq && failure == nil {
            if syncing {
                pthread_cond_wait(cond, mutex)
            } else {
                syncOnce()
            }
        }
        return failure == nil
    }

    /// One fsync of everything written so far, with `mutex` released
    /// meanwhile. Called with `mutex` held.
    private func syncOnce() {
        syncing = true
        let target = written, syncFD = fd
        pthread_mutex_unlock(mutex)
        let ok = fdatasync(syncFD) == 0
        let err = ok ? "" : FileIO.errnoText()
        pthread_mutex_lock(mutex)
        syncing = false
        if ok { synced = max(synced, target) } else { failure = "journal fsync failed: \(err)" }
        for r in retired { Glibc.close(r) }
        retired = []
        pthread_cond_broadcast(cond)
    }

    /// The last sequence number handed out.
    var lastSeq: UInt64 { (try? locked { nextSeq - 1 }) ?? 0 }

    var failed: String? { try? locked { failure } }

    var bytesSinceSnapshot: Int { (try? locked { sinceSnapshot }) ?? 0 }

    /// Starts a new segment so the records after `lastSeq` (now) are in
    /// segments of their own; called when a snapshot is taken, under the
    /// engine lock. Returns the sequence number the snapshot covers.
    func cut() throws(StoreError) -> UInt64 {
        try locked { () throws(StoreError) -> UInt64 in
            sinceSnapshot = 0
            if segmentBytes > RecordFormat.headerSize { try openSegment() }
            return nextSeq - 1
        }
    }

    /// Makes everything durable and closes the segment (graceful stop).
    func close() {
        if policy == .batch {
            try? locked { stopFlusher = true; pthread_cond_broadcast(cond) }
            if let t = flusher { pthread_join(t, nil) }
        }
        try? locked {
            while syncing { pthread_cond_wait(cond, mutex) }
            if fd >= 0 {
                if policy != .off { fdatasync(fd) }
                synced = written
                Glibc.close(fd)
                fd = -1
            }
            if failure == nil { failure = "journal closed" }
        }
    }

    // MARK: batch flusher

    private func startFlusher() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let j = Unmanaged<Journal>.fromOpaque(arg!).takeRetainedValue()
            j.flushLoop()
            return nil
        }, box)
        if rc == 0 { flusher = t } else { Unmanaged<Journal>.fromOpaque(box).release() }
    }

    /// Every 100 ms, fsyncs what was written since the last round.
    private func flushLoop() {
        pthread_mutex_lock(mutex)
        while !stopFlusher {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            ts.tv_nsec += 100_000_000
            if ts.tv_nsec >= 1_000_000_000 { ts.tv_sec += 1; ts.tv_nsec -= 1_000_000_000 }
            pthread_cond_timedwait(cond, mutex, &ts)
            if !stopFlusher && !syncing && synced < written && failure == nil && fd >= 0 { syncOnce() }
        }
        pthread_mutex_unlock(mutex)
    }
}
