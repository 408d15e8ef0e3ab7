import MemcgEngine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex. Used instead of `Synchronization.Mutex`, whose Linux
/// implementation waits on raw futexes that ThreadSanitizer cannot see (so
/// every engine access was reported as a race under `--sanitize=thread`).
final class PosixLock: @unchecked Sendable {
    private let m: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        m = .allocate(capacity: 1)
        m.initialize(to: pthread_mutex_t())
        pthread_mutex_init(m, nil)
    }

    deinit {
        pthread_mutex_destroy(m)
        m.deinitialize(count: 1)
        m.deallocate()
    }

    @inline(__always) func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return try body()
    }
}

/// A pthread reader-writer lock, for the same reason as `PosixLock`.
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

/// The engine behind one lock. The engine is not thread-safe: every mutation
/// goes through `withLock` (exclusive); queries that only read engine state
/// (`container(named:)`, `stats(named:)`, `allContainers()`,
/// `engineSnapshot`) may use `read`, which lets readers run side by side.
final class LockedEngine: @unchecked Sendable {
    private let lock = PosixRWLock()
    private let engine: MemcgEngine
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

    func read<T, E: Error>(_ body: (MemcgEngine) throws(E) -> T) throws(E) -> T {
        try lock.read { () throws(E) -> T in try body(engine) }
    }
}
