import MemcgEngine
import MemcgStore
import MemcgWorkload
#if canImport(Glibc)
import Glibc
#endif

/// A workload playing into the service's engine (workloads.md section 7):
/// its own thread generates the spec's trace step by step and applies it
/// through the driver, which talks to the engine only through `apply`,
/// paced so that virtual time runs `speed` times as fast as wall time.
/// The engine lock is taken for one batch at a time (at most
/// `batchPages` pages or `batchRecords` records), so requests are served
/// in between; generating the next step happens outside the lock.
///
/// `@unchecked Sendable`: the generator and driver are used by the
/// player's thread only; the progress others read is under `lock`.
final class WorkloadPlayer: @unchecked Sendable {
    enum State: String { case running, finished, stopped, failed }

    /// What GET /workloads/{id} reports.
    struct Progress {
        var state = State.running
        var virtualSeconds = 0.0
        var lagSeconds = 0.0
        var recordsApplied = 0
        var recordsSkipped = 0
        var pages = 0
        var oomKills = 0
        var error: String?
        var wallSeconds = 0.0
    }

    static let batchPages = 8192
    static let batchRecords = 1024

    let id: Int
    let name: String?
    let speed: Double
    let duration: Double
    let containers: [String]
    let pids: Set<UInt32>
    private let engine: LockedEngine
    private let generator: WorkloadGenerator
    private let driver: Driver
    private let pageSize: UInt64
    private let lock = PosixLock()
    private var progress = Progress()
    private var stopAsked = false
    /// Set by the thread as its last act (or when it could not start).
    private var ended = false
    private var onKill: (@Sendable ([KillEvent]) -> Void)?
    /// The service's journal (with --data-dir): every command the driver
    /// applies is appended under the engine lock, in apply order, as the
    /// routes' commands are in `App.withEngine`.
    private let store: Store?
    private let onSnapshotDue: (@Sendable () -> Void)?

    init(id: Int, name: String?, spec: WorkloadSpec, speed: Double, engine: LockedEngine, driver: Driver,
         store: Store? = nil, onSnapshotDue: (@Sendable () -> Void)? = nil, onKill: (@Sendable ([KillEvent]) -> Void)? = nil) {
        self.id = id
        self.name = name
        self.speed = speed
        self.duration = spec.duration
        self.containers = spec.containers.map(\.name)
        self.pids = Set(spec.processes.map(\.pid))
        self.engine = engine
        self.generator = WorkloadGenerator(spec: spec)
        self.driver = driver
        self.pageSize = UInt64(driver.config.machine.pageSize)
        self.onKill = onKill
        self.store = store
        self.onSnapshotDue = onSnapshotDue
        if let store { driver.onApply = { store.append($0) } }
    }

    var snapshot: Progress { lock.withLock { progress } }

    /// Starts the player's thread (detached: `stop` waits on `ended`, not on a join).
    func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        defer { pthread_attr_destroy(&attr) }
        var t = pthread_t()
        let rc = pthread_create(&t, &attr, { raw in
            let me = Unmanaged<WorkloadPlayer>.fromOpaque(raw!).takeRetainedValue()
            me.run()
            return nil
        }, box)
        if rc != 0 {
            Unmanaged<WorkloadPlayer>.fromOpaque(box).release()
            lock.withLock {
                progress.state = .failed
                progress.error = "cannot start a thread (errno \(rc))"
                ended = true
            }
        }
    }

    /// Asks the thread to stop after its current batch and waits until it has.
    func stop() {
        lock.withLock { stopAsked = true }
        while !lock.withLock({ ended }) { usleep(1000) }
    }

    /// The thread's loop: generate the next step once the clock reaches it
    /// (outside the engine lock), apply it batch by batch, report progress.
    private func run() {
        let clock = ContinuousClock()
        let start = clock.now
        var buffer: [Record] = []
        var next = 0
        func elapsed() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        // Virtual time through which every record is applied.
        var played = 0.0
        var ending: (State, String?) = (.finished, nil)
        while true {
            if lock.withLock({ stopAsked }) { ending = (.stopped, nil); break }
            let wall = elapsed()
            let target = speed * wall
            if next == buffer.count {
                played = generator.time
                if generator.finished { break }
                // Ahead of the clock by a millisecond of wall time or more: sleep
                // until the next step is due (in naps of at most 50 ms, so stop
                // is quick). Less than that is not worth a sleep, whose least
                // length would slow a fast player down.
                let ahead = (generator.time - target) / speed
                if ahead >= 0.001 {
                    note(target: target, played: played, wall: wall)
                    usleep(UInt32(min(0.05, ahead) * 1e6))
                    continue
                }
                buffer.removeAll(keepingCapacity: true)
                next = 0
                played = generator.time
                _ = generator.next(into: &buffer)
                continue
            }
            let kills: [KillEvent]
            do { kills = try applyBatch(&buffer, &next) } catch {
                ending = (.failed, error.description)
                break
            }
            if !kills.isEmpty { onKill?(kills) }
            if let store {
                if let f = store.failure { ending = (.failed, "the journal failed (\(f)): the player stopped"); break }
                if store.snapshotDue { onSnapshotDue?() }
            }
            note(target: target, played: max(played, driver.virtualTime), wall: wall)
        }
        let wall = elapsed()
        let end = ending.0 == .finished ? duration : min(max(played, driver.virtualTime), speed * wall)
        note(target: ending.0 == .finished ? duration : speed * wall, played: end, wall: wall) { p in
            p.state = ending.0
            p.error = ending.1
            self.ended = true
        }
    }

    /// One batch under the engine's lock; returns the OOM kills it caused.
    private func applyBatch(_ buffer: inout [Record], _ next: inout Int) throws(TraceError) -> [KillEvent] {
        let killsBefore = driver.summary.kills.count
        try engine.withLock { (e: MemcgEngine) throws(TraceError) in
            guard e === driver.engine else { throw TraceError(line: nil, "the machine was reset") }
            var pages = 0, n = 0
            while next < buffer.count && pages < Self.batchPages && n < Self.batchRecords {
                let r = buffer[next]
                next += 1
                try driver.play(r)
                if r.op == .anon || r.op == .file || r.op == .shm || r.op == .unmap { pages += Int(r.b / pageSize) + 1 }
                n += 1
            }
            try driver.settle()
        }
        return Array(driver.summary.kills[killsBefore...])
    }

    /// Publishes the progress: virtual time played (never ahead of the
    /// clock), how far behind the clock it is, the driver's counts.
    private func note(target: Double, played: Double, wall: Double, and finish: ((inout Progress) -> Void)? = nil) {
        let s = driver.summary
        lock.withLock {
            progress.virtualSeconds = min(played, target, duration)
            progress.lagSeconds = max(0, min(target, duration) - played)
            progress.recordsApplied = s.recordsApplied
            progress.recordsSkipped = s.recordsSkipped
            progress.pages = s.pages
            progress.oomKills = s.kills.count
            progress.wallSeconds = wall
            finish?(&progress)
        }
    }
}
