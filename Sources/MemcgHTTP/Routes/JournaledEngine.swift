import MemcgEngine
import MemcgStore

/// What a route sees of the engine under the lock: `apply` (which also
/// journals the command when the service has a data directory) and the
/// read-only view. Made by `App.withEngine` for one request.
final class JournaledEngine {
    private let engine: MemcgEngine
    private let store: Store?
    /// Sequence number of the last command journaled (0: none).
    private(set) var lastSeq: UInt64 = 0

    init(_ engine: MemcgEngine, _ store: Store?) {
        self.engine = engine
        self.store = store
    }

    /// Applies the command and journals it, whether it succeeds or fails
    /// (a failed command may have changed state; replay repeats it).
    @discardableResult
    func apply(_ command: Command) throws(EngineError) -> Outcome {
        defer { if let store { lastSeq = store.append(command) } }
        return try engine.apply(command)
    }

    var view: EngineView { engine.view }
    var machine: Machine { engine.machine }
}
