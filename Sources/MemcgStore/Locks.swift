#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pthread mutex (ThreadSanitizer sees it, unlike futex-based locks).
/// `@unchecked Sendable`: it is the lock.
final class StoreMutex: @unchecked Sendable {
    private let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(m, nil) }
    deinit { pthread_mutex_destroy(m); m.deallocate() }

    func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return try body()
    }
}

/// A Boolean behind a mutex.
final class StoreFlag: @unchecked Sendable {
    private let lock = StoreMutex()
    private var v = false
    var value: Bool {
        get { lock.locked { v } }
        set { lock.locked { v = newValue } }
    }
}
