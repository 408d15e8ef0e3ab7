import MemcgEngine
import MemcgStore
import MemcgWorkload

/// The live players of a service: started by POST /workloads (or
/// `serve --workload`), listed, stopped. Bounded: at most `maxRunning`
/// play at once, and the `maxKept` most recent are remembered.
///
/// `@unchecked Sendable`: `players` and `nextID` are guarded by `lock`.
final class WorkloadRegistry: @unchecked Sendable {
    static let maxRunning = 4
    static let maxKept = 32
    /// Bounds on a spec played live: smaller than the command line's.
    static let limits: SpecReader.Limits = {
        var l = SpecReader.Limits()
        l.processes = 1000
        l.containers = 100
        l.seconds = 7 * 86400
        l.accessesPerSecond = 1e7
        return l
    }()
    static let maxSpeed = 1e6

    private let lock = PosixLock()
    private var players: [WorkloadPlayer] = []
    private var nextID = 1

    var all: [WorkloadPlayer] { lock.withLock { players } }

    func player(_ id: Int) -> WorkloadPlayer? { lock.withLock { players.first { $0.id == id } } }

    /// Checks the spec against the engine and starts it: 409 when a
    /// container or pid it creates exists (in the engine, or in a workload
    /// still playing that has not created it yet), or when too many are
    /// running; 400 when it addresses more memory than the bound.
    func start(spec: WorkloadSpec, name: String?, speed: Double, engine: LockedEngine, machine: Machine,
               store: Store?, onSnapshotDue: (@Sendable () -> Void)?,
               onKill: (@Sendable ([KillEvent]) -> Void)?) throws(HTTPError) -> WorkloadPlayer {
        let bound = Self.footprintBound(machine)
        let need = Self.footprint(spec)
        guard need <= bound else {
            throw HTTPError(400, "EINVAL", "processes: the workload addresses up to \(need) bytes (heaps, leaks, files and segments); a live workload may address at most \(bound) (8 times memory plus swap, at most 256G)")
        }
        return try lock.withLock { () throws(HTTPError) -> WorkloadPlayer in
            let live = players.filter { $0.snapshot.state == .running }
            guard live.count < Self.maxRunning else {
                throw HTTPError(409, "EBUSY", "\(live.count) workloads are playing (at most \(Self.maxRunning)): DELETE one first")
            }
            for p in live {
                if let c = spec.containers.first(where: { p.containers.contains($0.name) }) {
                    throw HTTPError(409, "EEXIST", "container \"\(c.name)\" belongs to workload \(p.id), still playing (DELETE /workloads/\(p.id) first, or rename it in the spec)")
                }
                if let q = spec.processes.first(where: { p.pids.contains($0.pid) }) {
                    throw HTTPError(409, "EEXIST", "pid \(q.pid) belongs to workload \(p.id), still playing (DELETE /workloads/\(p.id) first, or change the pid in the spec)")
                }
            }
            let trace = WorkloadGenerator(spec: spec).emptyTrace()
            let config = ReplayConfig(machine: machine, cgroup: machine.cgroup.rawValue)
            let driver = try engine.withLock { (e: MemcgEngine) throws(HTTPError) -> Driver in
                for c in spec.containers where (try? e.view.container(named: c.name)) != nil {
                    throw HTTPError(409, "EEXIST", "container \"\(c.name)\" exists: the workload creates it (delete it, or rename it in the spec)")
                }
                for p in spec.processes where (try? e.view.process(pid: Int(p.pid))) != nil {
                    throw HTTPError(409, "EEXIST", "pid \(p.pid) exists: the workload spawns it (exit it, or change the pid in the spec)")
                }
                do throws(TraceError) { return try Driver(trace: trace, config: config, engine: e, shared: true) } catch {
                    throw HTTPError(400, "EINVAL", error.message)
                }
            }
            let p = WorkloadPlayer(id: nextID, name: name, spec: spec, speed: speed, engine: engine, driver: driver,
                                   store: store, onSnapshotDue: onSnapshotDue, onKill: onKill)
            nextID += 1
            players.append(p)
            // Forget the oldest ended ones beyond the bound.
            while players.count > Self.maxKept, let i = players.firstIndex(where: { $0.snapshot.state != .running }) {
                players.remove(at: i)
            }
            p.start()
            return p
        }
    }

    /// Most bytes a live workload may address: its driver keeps an index
    /// entry for every page it ever touched (refaults need them).
    static func footprintBound(_ m: Machine) -> UInt64 {
        let total = UInt64(m.memoryBytes).addingReportingOverflow(UInt64(m.swapBytes))
        let eight = total.partialValue.multipliedReportingOverflow(by: 8)
        let cap: UInt64 = 256 << 30
        if total.overflow || eight.overflow { return cap }
        return min(eight.partialValue, cap)
    }

    /// The bytes a spec can address, counted generously and without
    /// wrapping: every grow and leak of every process (each fork has its
    /// own copy), the largest size each file or segment is used with,
    /// every heap region a touch covers.
    static func footprint(_ spec: WorkloadSpec) -> UInt64 {
        var total: UInt64 = 0
        var objects: [String: UInt64] = [:]
        func add(_ b: UInt64) { total = total.addingReportingOverflow(b).overflow ? .max : total + b }
        func walk(_ phases: [Phase], times: UInt64) {
            for p in phases {
                switch p.kind {
                case .grow(let b):
                    let (v, o) = b.multipliedReportingOverflow(by: times)
                    add(o ? .max : v)
                case .leak(let rate):
                    let v = rate * p.seconds * Double(times)
                    add(v.isFinite && v < 1.8e19 ? UInt64(v) : .max)
                case .read(let a), .write(let a), .shm(let a):
                    if let o = a.object { objects[o] = max(objects[o] ?? 0, a.size) }
                case .repeat(let n, let inner):
                    let (v, o) = times.multipliedReportingOverflow(by: UInt64(max(n, 0)))
                    walk(inner, times: o ? .max : v)
                case .touch(let a): add(a.size)
                case .free, .sleep, .exit: break
                }
            }
        }
        for p in spec.processes { walk(p.phases, times: 1) }
        for (_, b) in objects { add(b) }
        return total
    }

    /// Stops one (it stays listed, as stopped).
    func stop(_ id: Int) -> WorkloadPlayer? {
        guard let p = player(id) else { return nil }
        p.stop()
        return p
    }

    /// Stops every player (shutdown, machine reset).
    func stopAll() {
        for p in all { p.stop() }
    }
}
