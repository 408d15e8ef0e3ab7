import MemcgEngine

/// The ops of a logical trace (workloads.md section 2), plus `time`, the
/// reader's own record for a change of virtual time.
public enum RecordOp: UInt8, Sendable, CaseIterable {
    case time, container, limits, spawn, fork, exit, move
    case anon, file, shm, unmap, unmapFile, drop, mlock, munlock

    /// The name in the trace.
    public var name: String {
        switch self {
        case .time: "t"
        case .container: "container"
        case .limits: "limits"
        case .spawn: "spawn"
        case .fork: "fork"
        case .exit: "exit"
        case .move: "move"
        case .anon: "anon"
        case .file: "file"
        case .shm: "shm"
        case .unmap: "unmap"
        case .unmapFile: "unmap_file"
        case .drop: "drop"
        case .mlock: "mlock"
        case .munlock: "munlock"
        }
    }
}

/// One parsed record, 32 bytes, so a trace of tens of millions of records
/// is held once and replayed many times (whatif) without parsing again.
///
/// Fields by op:
/// - `time`: `a` holds the bit pattern of the Double seconds.
/// - `container`: `id` indexes `Trace.containerSpecs`.
/// - `limits`: `id` indexes `Trace.limitSpecs`.
/// - `spawn`, `move`: `pid`, `id` = container index (`Trace.containers`).
/// - `fork`: `pid` = child, `id` = parent pid.
/// - `exit`: `pid`.
/// - `anon`, `unmap`, `mlock`, `munlock`: `pid`, `a` = addr, `b` = len.
/// - `file`, `shm`, `unmap_file`, `drop`: `id` = object (file or segment),
///   `a` = offset, `b` = len (`Record.wholeObject` when not given); `pid` 0
///   when there is none.
public struct Record: Sendable, Equatable {
    public var a: UInt64
    public var b: UInt64
    public var pid: UInt32
    public var id: UInt32
    /// Line in the trace file (1-based).
    public var line: UInt32
    public var op: RecordOp
    public var flags: UInt8

    public static let write: UInt8 = 1
    public static let mapped: UInt8 = 2
    /// `b` for "to the end of the object".
    public static let wholeObject = UInt64.max

    public init(op: RecordOp, pid: UInt32 = 0, id: UInt32 = 0, a: UInt64 = 0, b: UInt64 = 0, flags: UInt8 = 0, line: UInt32 = 0) {
        self.op = op
        self.pid = pid
        self.id = id
        self.a = a
        self.b = b
        self.flags = flags
        self.line = line
    }

    public var isWrite: Bool { flags & Self.write != 0 }
    public var isMapped: Bool { flags & Self.mapped != 0 }
    public var time: Double { Double(bitPattern: a) }
}

/// The controls a trace or the command line may set on a container, in
/// the order the kernel applies them (model.md section 2).
/// `Control` is the engine's (MemcgEngine.Control): swap_max, min, low, high, max.

/// A set of control values: bytes, or nil for unlimited.
public struct Controls: Sendable, Equatable {
    public var values: [(Control, Int?)] = []
    public init() {}

    public static func == (a: Controls, b: Controls) -> Bool {
        guard a.values.count == b.values.count else { return false }
        for (x, y) in zip(a.values, b.values) where x.0 != y.0 || x.1 != y.1 { return false }
        return true
    }

    public subscript(_ c: Control) -> Int?? {
        get { values.first(where: { $0.0 == c }).map { $0.1 } }
        set {
            values.removeAll { $0.0 == c }
            if let v = newValue { values.append((c, v)) }
            values.sort { $0.0 < $1.0 }
        }
    }
}

/// A `container` record.
public struct ContainerSpec: Sendable, Equatable {
    public var name: String
    public var parent: String
    public var controls: Controls
    public var oomGroup: Bool
    public var mappedOnly: Bool
}

/// A `limits` record.
public struct LimitSpec: Sendable, Equatable {
    public var container: String
    public var controls: Controls
}
