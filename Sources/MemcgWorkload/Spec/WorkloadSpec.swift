import MemcgEngine

/// A workload spec (workloads.md section 6): containers and processes whose
/// memory use is described in phases of virtual time. The generator turns
/// it into a logical trace, the same for the same spec and `seed`.
public struct WorkloadSpec: Sendable {
    public var seed: UInt64 = 0
    /// A name for people (shown by the live player).
    public var name: String?
    /// The machine, as a trace header (`memory`, `swap`, `page_size`, `cgroup`).
    public var machine = TraceHeader()
    /// Seconds of virtual time between two steps of the generator: every
    /// record of one step carries the step's time.
    public var tick = 0.1
    /// The access unit of the patterns, in bytes (the machine's page size, else 4096).
    public var unit = 4096
    public var containers: [ContainerSpec] = []
    public var processes: [ProcessSpec] = []

    public init() {}

    /// Virtual seconds until the last phase of the last process ends.
    public var duration: Double { processes.map { $0.at + Phase.duration(of: $0.phases) }.max() ?? 0 }
}

/// A process: spawned in a container, or forked from another process.
public struct ProcessSpec: Sendable {
    public var pid: UInt32
    /// Where it runs; for a fork, nil means its parent's container (given
    /// and different, the child is moved there after the fork).
    public var container: String?
    /// Forked (copy-on-write) from this pid instead of spawned.
    public var forkOf: UInt32?
    /// Virtual second it starts at.
    public var at: Double = 0
    public var phases: [Phase] = []
}

/// One phase: how long, and what the process does meanwhile.
public struct Phase: Sendable {
    /// Seconds; 0 for an instant phase (`free`, `exit`, a `grow` or one pass of `touch` at once).
    public var seconds: Double
    public var kind: PhaseKind

    /// Virtual seconds a list of phases takes (repeats expanded).
    public static func duration(of phases: [Phase]) -> Double {
        phases.reduce(0) { total, p in
            if case .repeat(let n, let inner) = p.kind { return total + Double(n) * duration(of: inner) }
            return total + p.seconds
        }
    }
}

/// What a phase does (section 6's phase kinds).
public enum PhaseKind: Sendable {
    /// The heap grows by this many bytes, written evenly over the phase.
    case grow(bytes: UInt64)
    /// The heap grows at this many bytes per second and is never freed.
    case leak(bytesPerSecond: Double)
    /// The top of the heap is unmapped: this many bytes, nil for all of it.
    case free(bytes: UInt64?)
    /// Accesses to anonymous memory (the first `size` bytes of the heap).
    case touch(Access)
    /// Reads and writes of a file (through the page cache, or mapped).
    case read(Access)
    case write(Access)
    /// Accesses to a shared memory segment.
    case shm(Access)
    case sleep
    case exit
    case `repeat`(times: Int, phases: [Phase])

    public var name: String {
        switch self {
        case .grow: "grow"
        case .leak: "leak"
        case .free: "free"
        case .touch: "touch"
        case .read: "read"
        case .write: "write"
        case .shm: "shm"
        case .sleep: "sleep"
        case .exit: "exit"
        case .repeat: "repeat"
        }
    }
}

/// Accesses to a region: which pages, how often, read or write.
public struct Access: Sendable {
    /// A file name (read, write), a segment name (shm), nil for the heap (touch).
    public var object: String?
    /// Bytes of the region.
    public var size: UInt64
    public var pattern: Pattern
    /// Accesses per second; nil: one pass over the region in the phase.
    public var rate: Rate?
    public var write: Bool
    /// For files: through a mapping (page faults) rather than read/write calls.
    public var mapped: Bool
}

/// A rate, as written: page accesses per second (`20000/s`) or bytes per
/// second (`64M/s`, converted to accesses of one unit each).
public enum Rate: Sendable, Equatable {
    case accesses(Double)
    case bytes(Double)

    public func perSecond(unit: Int) -> Double {
        switch self {
        case .accesses(let n): n
        case .bytes(let b): b / Double(unit)
        }
    }
}

/// Which page of a region each access goes to.
public enum Pattern: Sendable, Equatable {
    /// Page after page, wrapping around.
    case sequential
    /// Uniform over the region.
    case random
    /// Zipf with exponent `theta`: page 0 is the hottest, page k is accessed
    /// with probability proportional to 1/(k+1)^theta.
    case zipf(theta: Double)
    /// DAMON masim's `stairs`: the region in `steps` equal parts; a first
    /// sixth of the phase sweeps all of it, then each part in turn alone.
    case stairs(steps: Int)
    /// DAMON masim's `zigzag`: a first seventh sweeps the region, then the
    /// low half and the high half alternate, `steps` times in all.
    case zigzag(steps: Int)
    /// A hot fraction of the pages takes `share` of the accesses, uniform within each part.
    case hotCold(hot: Double, share: Double)

    public var name: String {
        switch self {
        case .sequential: "sequential"
        case .random: "random"
        case .zipf: "zipf"
        case .stairs: "stairs"
        case .zigzag: "zigzag"
        case .hotCold: "hot_cold"
        }
    }
}

/// A bad spec: the field (a path such as `processes[0].phases[1].touch.theta`) and why.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}
