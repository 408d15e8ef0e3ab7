/// Parses a memory limit the way the kernel's `page_counter_memparse` does,
/// made strict: a decimal integer of bytes with at most one binary suffix
/// (K, M, G, T in either case), or `max` / `-1` for unlimited. The result is
/// rounded down to whole pages. Returns `nil` for unlimited.
public enum LimitParser {
    /// Parses a textual limit. Throws EINVAL for anything else
    /// (`1.0`, `1xx`, `1kb`, `-10`, empty, overflow).
    public static func parse(_ text: String, pageSize: Int) throws(EngineError) -> Int? {
        if text == "max" || text == "-1" { return nil }
        var digits = Substring(text)
        var shift = 0
        if let last = digits.last, !last.isNumber {
            switch last {
            case "k", "K": shift = 10
            case "m", "M": shift = 20
            case "g", "G": shift = 30
            case "t", "T": shift = 40
            default: throw invalid(text)
            }
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), digits.utf8.count <= 19,
              let value = Int(digits)
        else { throw invalid(text) }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: 1 << shift)
        guard !overflow else { throw invalid(text) }
        return bytes / pageSize
    }

    /// Parses a limit given as a JSON integer: bytes, or -1 for unlimited.
    public static func parse(bytes: Int, pageSize: Int) throws(EngineError) -> Int? {
        if bytes == -1 { return nil }
        guard bytes >= 0 else { throw invalid(String(bytes)) }
        return bytes / pageSize
    }

    static func invalid(_ text: String) -> EngineError {
        EngineError(.EINVAL, "invalid limit \"\(text.prefix(80))\": expected bytes with an optional K/M/G/T suffix, or max")
    }
}
