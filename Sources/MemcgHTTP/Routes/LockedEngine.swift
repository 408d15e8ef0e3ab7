import MemcgEngine
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

/// The engine behind one lock. The engine is not thread-safe; every use goes
/// through `withLock`, which serialises callers.
final class LockedEngine: @unchecked Sendable {
    private let lock = PosixLock()
    private let engine: MemcgEngine

    init(_ engine: MemcgEngine) { self.engine = engine }

    func withLock<T, E: Error>(_ body: (MemcgEngine) throws(E) -> T) throws(E) -> T {
        try lock.withLock { () throws(E) -> T in try body(engine) }
    }
}
