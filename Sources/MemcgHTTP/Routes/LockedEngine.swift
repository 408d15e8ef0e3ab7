import MemcgEngine
import Synchronization

/// The engine behind one lock. The engine is not thread-safe; every use goes
/// through `withLock`, which serialises callers on a `Mutex`.
final class LockedEngine: @unchecked Sendable {
    private let mutex = Mutex(())
    private let engine: MemcgEngine

    init(_ engine: MemcgEngine) { self.engine = engine }

    func withLock<T, E: Error>(_ body: (MemcgEngine) throws(E) -> T) throws(E) -> T {
        let r: Result<T, E> = mutex.withLock { _ in
            do throws(E) { return .success(try body(engine)) } catch { return .failure(error) }
        }
        return try r.get()
    }
}
