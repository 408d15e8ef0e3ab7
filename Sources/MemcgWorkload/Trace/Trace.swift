import MemcgEngine

/// The optional first line of a logical trace:
/// `{"memcgd_trace": 1, "machine": {"memory": "4G", "swap": "1G", "page_size": 4096, "cgroup": "v2"}}`.
public struct TraceHeader: Sendable, Equatable {
    public var version = 1
    public var memoryBytes: Int?
    public var swapBytes: Int?
    public var pageSize: Int?
    public var cgroup: String?
    public init() {}
}

/// Which kind of trace a file holds (workloads.md section 1).
public enum TraceKind: String, Sendable {
    /// Address spaces, files and shm segments, in bytes: replayable under any limits.
    case logical
    /// The engine's own commands (page frames): replayable only as recorded.
    case physical
}

/// A bad trace: the line it was found on, and why.
public struct TraceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number, nil when the error is not about one line.
    public var line: Int?
    public var message: String
    public init(line: Int?, _ message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}

/// One command of a physical trace: the API's container, process and
/// event commands, amounts in bytes (converted to pages at replay).
public enum PhysicalItem: Sendable {
    case events([PageEvent])
    case createContainer(name: String, parent: String?, controls: Controls, mappedOnly: Bool)
    case deleteContainer(name: String)
    case setLimits(name: String, controls: Controls)
    case resetStats(name: String, maxUsage: Bool, failcnt: Bool)
    case forceEmpty(name: String)
    case createProcess(pid: Int, container: String)
    case fork(pid: Int, parent: Int)
    case move(pid: Int, container: String)
    case exit(pid: Int)
}

/// A parsed trace, immutable and shared by every replay of a what-if sweep.
public final class Trace: Sendable {
    public let header: TraceHeader
    public let kind: TraceKind
    /// Logical records in order (empty for a physical trace).
    public let records: [Record]
    /// Container names referred to by `spawn` and `move` (index = `Record.id`).
    public let containers: [String]
    /// Files and shm segments (index = `Record.id`).
    public let objects: [String]
    public let objectIsShm: [Bool]
    public let containerSpecs: [ContainerSpec]
    public let limitSpecs: [LimitSpec]
    /// Physical commands with their line numbers (empty for a logical trace).
    public let physical: [(line: Int, item: PhysicalItem)]
    /// Records as written in the file (time records not counted).
    public let recordCount: Int
    /// Bytes the records' ranges cover (anon, file, shm), a rough size.
    public let touchedBytes: UInt64

    init(header: TraceHeader, kind: TraceKind, records: [Record], containers: [String], objects: [String],
         objectIsShm: [Bool], containerSpecs: [ContainerSpec], limitSpecs: [LimitSpec],
         physical: [(line: Int, item: PhysicalItem)], recordCount: Int, touchedBytes: UInt64) {
        self.header = header
        self.kind = kind
        self.records = records
        self.containers = containers
        self.objects = objects
        self.objectIsShm = objectIsShm
        self.containerSpecs = containerSpecs
        self.limitSpecs = limitSpecs
        self.physical = physical
        self.recordCount = recordCount
        self.touchedBytes = touchedBytes
    }

    /// Every container name the trace creates, in order.
    public var createdContainers: [String] {
        switch kind {
        case .logical: return containerSpecs.map(\.name)
        case .physical:
            return physical.compactMap { if case .createContainer(let n, _, _, _) = $0.item { n } else { nil } }
        }
    }
}
