import MemcgEngine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A mutex: the exclusive side of a pthread reader-writer lock, for the
/// same reason as `PosixRWLock` (`@unchecked Sendable` likewise).
final class PosixLock: @unchecked Sendable {
    private let lock = PosixRWLock()

    @inline(__always) func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try lock.write(body)
    }
}

/// A pthread reader-writer lock. Used instead of `Synchronization.Mutex`,
/// whose Linux implementation waits on raw futexes that ThreadSanitizer
/// cannot see (every engine access was reported as a race under
/// `--sanitize=thread`). `@unchecked Sendable`: the lock serialises access.
final class PosixRWLock: @unchecked Sendable {
    private let l: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        l = .allocate(capacity: 1)
        l.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(l, nil)
    }

    deinit {
        pthread_rwlock_destroy(l)
        l.deinitialize(count: 1)
        l.deallocate()
    }

    @inline(__always) func write<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_rwlock_wrlock(l)
        defer { pthread_rwlock_unlock(l) }
        return try body()
    }

    @inline(__always) func read<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_rwlock_rdlock(l)
        defer { pthread_rwlock_unlock(l) }
        return try body()
    }
}

/// The engine and the lock that guards it, in one box (the shape of NIO's
/// `NIOLockedValueBox`). The engine is not thread-safe: every mutation goes
/// through `withLock` (exclusive); queries get the read-only `EngineView`
/// under the shared side, so readers run side by side.
///
/// `@unchecked Sendable`: the engine is reached only under `lock`.
final class LockedEngine: @unchecked Sendable {
    private let lock = PosixRWLock()
    private var engine: MemcgEngine
    /// When the current writer took the lock (monotonic ns), 0 when no one writes.
    private let writerSince = Atomic<UInt64>(0)

    init(_ engine: MemcgEngine) { self.engine = engine }

    func withLock<T, E: Error>(_ body: (MemcgEngine) throws(E) -> T) throws(E) -> T {
        try lock.write { () throws(E) -> T in
            writerSince.store(max(1, monotonicNanos()), ordering: .relaxed)
            defer { writerSince.store(0, ordering: .relaxed) }
            return try body(engine)
        }
    }

    /// Nanoseconds the current writer has held the lock (0 when none);
    /// read without taking the lock, for /healthz.
    var writerHeldNanos: UInt64 {
        let since = writerSince.load(ordering: .relaxed)
        return since == 0 ? 0 : monotonicNanos() &- since
    }

    /// Replaces the engine (a machine reset); waits for every reader and
    /// writer. `journal` runs under the lock (it records the reset) and its
    /// result is returned.
    @discardableResult
    func replace<T>(with fresh: MemcgEngine, journal: () -> T) -> T {
        lock.write {
            engine = fresh
            return journal()
        }
    }

    /// The engine itself under the shared lock (a snapshot's copy: it
    /// reads only, and no command is applied meanwhile).
    func readEngine<T, E: Error>(_ body: (MemcgEngine) throws(E) -> T) throws(E) -> T {
        try lock.read { () throws(E) -> T in try body(engine) }
    }

    func read<T, E: Error>(_ body: (EngineView) throws(E) -> T) throws(E) -> T {
        try lock.read { () throws(E) -> T in try body(engine.view) }
    }
}
