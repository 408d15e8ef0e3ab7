import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writes one JSON object per line to standard error: time, level, label,
/// message and metadata, for log collectors.
struct JSONLineLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var line = "{\"ts\":\(ts.tv_sec).\(String(ts.tv_nsec / 1_000_000).leftPadded(3)),\"level\":\(quote(event.level.rawValue)),"
        line += "\"logger\":\(quote(label)),\"msg\":\(quote(event.message.description))"
        for key in fields.keys.sorted() { line += ",\(quote(key)):\(json(fields[key]!))" }
        line += "}\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }

    /// A metadata value as JSON: integers, floating-point numbers and
    /// booleans given with `.stringConvertible` as themselves, strings
    /// quoted, arrays and dictionaries as JSON arrays and objects.
    func json(_ v: Logger.Metadata.Value) -> String {
        switch v {
        case .string(let s): return quote(s)
        case .stringConvertible(let c):
            switch c {
            case let b as Bool: return b ? "true" : "false"
            case let i as any BinaryInteger: return "\(i)"
            case let d as Double where d.isFinite: return "\(d)"
            case let f as Float where f.isFinite: return "\(f)"
            default: return quote(c.description)
            }
        case .array(let a): return "[" + a.map(json).joined(separator: ",") + "]"
        case .dictionary(let d): return "{" + d.keys.sorted().map { "\(quote($0)):\(json(d[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += "\\u00" + String(u.value, radix: 16).leftPadded(2) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
