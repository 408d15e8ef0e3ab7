import MemcgEngine
import Yams
#if canImport(Glibc)
import Glibc
#endif

/// Reads a workload spec from JSON or YAML into a `WorkloadSpec`. Both go
/// through one tree (`JSONLineValue`), so they are checked by the same code
/// and give the same errors. Bounded: the text, the tree's nodes, and every
/// count, size, duration and rate have limits (`Limits`).
public enum SpecReader {
    /// Bounds on what a spec may ask for.
    public struct Limits: Sendable {
        public var textBytes = 1 << 20
        public var nodes = 200_000
        public var containers = 1000
        public var processes = 10_000
        /// Phases of one process, counted as written (a `repeat` and its inner phases).
        public var phases = 10_000
        public var repeatDepth = 4
        /// Virtual seconds of the whole workload.
        public var seconds = 30.0 * 86400
        /// Bytes of one region, file or grow.
        public var regionBytes: UInt64 = 1 << 44
        /// Accesses per second of one phase.
        public var accessesPerSecond = 1e8
        public init() {}
    }

    /// Parses a spec: JSON when the text starts with `{`, else YAML.
    public static func parse(_ text: String, limits: Limits = Limits()) throws(SpecError) -> WorkloadSpec {
        guard text.utf8.count <= limits.textBytes else {
            throw SpecError("", "the spec is larger than \(limits.textBytes) bytes")
        }
        let tree = try Self.tree(text, limits: limits)
        var reader = SpecBuilder(limits: limits)
        return try reader.build(tree)
    }

    /// Parses a spec that carries extra top-level members for its caller
    /// (the live player's `speed`): those are taken out and returned.
    public static func parse(_ text: String, limits: Limits = Limits(), taking keys: Set<String>) throws(SpecError) -> (WorkloadSpec, [String: JSONLineValue]) {
        guard text.utf8.count <= limits.textBytes else {
            throw SpecError("", "the spec is larger than \(limits.textBytes) bytes")
        }
        var extra: [String: JSONLineValue] = [:]
        var tree = try Self.tree(text, limits: limits)
        if case .object(let members) = tree {
            for (k, v) in members where keys.contains(k) { extra[k] = v }
            tree = .object(members.filter { !keys.contains($0.0) })
        }
        var reader = SpecBuilder(limits: limits)
        return (try reader.build(tree), extra)
    }

    /// Reads a spec file that may carry extra top-level members (`parse(_:limits:taking:)`).
    public static func read(path: String, limits: Limits = Limits(), taking keys: Set<String>) throws(SpecError) -> (WorkloadSpec, [String: JSONLineValue]) {
        try parse(try readWhole(path: path, limit: limits.textBytes), limits: limits, taking: keys)
    }

    /// Reads a spec file.
    public static func read(path: String, limits: Limits = Limits()) throws(SpecError) -> WorkloadSpec {
        return try parse(try readWhole(path: path, limit: limits.textBytes), limits: limits)
    }

    /// A whole file (`-`: standard input) of at most `limit` bytes, as text.
    static func readWhole(path: String, limit: Int) throws(SpecError) -> String {
        let fd = path == "-" ? 0 : open(path, O_RDONLY)
        guard fd >= 0 else { throw SpecError("", "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { if fd != 0 { close(fd) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpecError("", "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            guard bytes.count <= limit else { throw SpecError("", "\(path) is larger than \(limit) bytes") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether a file's name says it is a spec (`.yaml`, `.yml`, `.json`) rather than a trace.
    public static func isSpecPath(_ path: String) -> Bool {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml") || path.hasSuffix(".json")
    }

    static func tree(_ text: String, limits: Limits) throws(SpecError) -> JSONLineValue {
        let start = text.utf8.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if start == UInt8(ascii: "{") {
            do { return try JSONLineParser.parse(text) } catch { throw SpecError("", "not valid JSON: \(error.message)") }
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw SpecError("", "not valid YAML: \(String(describing: error).prefix(300))")
        }
        guard let node else { throw SpecError("", "the spec is empty") }
        var budget = limits.nodes
        return try convert(node, depth: 0, budget: &budget)
    }

    /// A YAML node as the common tree. Scalars take the type YAML 1.1's
    /// resolver gives them (quoted scalars stay strings); aliases are
    /// expanded, counted against `budget` so an alias bomb is refused.
    static func convert(_ node: Node, depth: Int, budget: inout Int) throws(SpecError) -> JSONLineValue {
        budget -= 1
        guard budget >= 0 else { throw SpecError("", "the spec has too many values (aliases count each time they are used)") }
        guard depth <= JSONLineParser.maxDepth else { throw SpecError("", "the spec is nested more than \(JSONLineParser.maxDepth) levels deep") }
        switch node {
        case .scalar(let s):
            if s.style == .plain {
                if node.null != nil { return .null }
                if let b = node.bool { return .bool(b) }
                if let i = node.int { return .int(i) }
                if let d = node.float, d.isFinite { return .double(d) }
            }
            return .string(s.string)
        case .sequence(let seq):
            var out: [JSONLineValue] = []
            for n in seq { out.append(try convert(n, depth: depth + 1, budget: &budget)) }
            return .array(out)
        case .mapping(let m):
            var out: [(String, JSONLineValue)] = []
            for (k, v) in m {
                guard case .scalar(let ks) = k else { throw SpecError("", "a mapping key must be a plain name") }
                out.append((ks.string, try convert(v, depth: depth + 1, budget: &budget)))
            }
            return .object(out)
        case .alias:
            throw SpecError("", "YAML aliases are not supported in a spec")
        }
    }
}
