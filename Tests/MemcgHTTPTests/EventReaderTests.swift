@testable import MemcgHTTP
import MemcgEngine
import Testing

/// The event reader's fast paths (op names matched in place, the integer
/// path of `pages` lists) read exactly what the general parser reads.
@Suite struct EventReaderTests {
    func decode(_ json: String) throws -> [PageEvent] {
        try EventBatchDecoder.decode(Array(json.utf8)).events
    }

    /// Every op, written plainly or with an escape, is the same op.
    @Test(arguments: PageOp.allCases)
    func opNames(op: PageOp) throws {
        let extra = op.needsOldPage ? #","old_page":9"# : ""
        let plain = try decode(#"{"events":[{"op":"\#(op.name)","pid":1,"page":3\#(extra)}]}"#)
        #expect(plain.map(\.op) == [op])
        let escaped = #"\u00"# + String(op.name.utf8.first!, radix: 16) + op.name.dropFirst()
        let viaEscape = try decode(#"{"events":[{"op":"\#(escaped)","pid":1,"page":3\#(extra)}]}"#)
        #expect(viaEscape == plain)
    }

    /// Unknown names and prefixes of known ones are refused, naming the op.
    @Test(arguments: ["anon", "anon_faults", "Anon_fault", "", "anon_fault\\u0000"])
    func unknownOps(name: String) {
        #expect(throws: JSONError.self) { try decode(#"{"events":[{"op":"\#(name)","pid":1,"page":3}]}"#) }
        do { _ = try decode(#"{"events":[{"op":"\#(name)","pid":1,"page":3}]}"#) } catch {
            #expect("\(error)".contains("unknown op"))
        }
    }

    /// Integers of every length, with spaces around them, read exactly; an
    /// integral value with a fraction or exponent is that integer, as before.
    @Test func pagesLists() throws {
        let e = try decode(#"{"events":[{"op":"anon_fault","pid":1,"pages":[0, 7 ,123456789012345678,1234567890123456789 ,9223372036854775807,1e3,4.0]}]}"#)
        #expect(e.first?.pages == .list([0, 7, 123_456_789_012_345_678, 1_234_567_890_123_456_789, Int.max, 1000, 4]))
    }

    /// What is not a non-negative integer is refused as before, naming `pages`.
    @Test(arguments: ["01", "1.5", "-1", "9223372036854775808", "99999999999999999999", "\"1\"", "null", "1x"])
    func badPages(value: String) {
        do {
            _ = try decode(#"{"events":[{"op":"anon_fault","pid":1,"pages":[4,\#(value),5]}]}"#)
            Issue.record("\(value) was accepted")
        } catch {
            #expect("\(error)".contains("pages") || "\(error)".contains("zero") || "\(error)".contains("expected")
                    || "\(error)".contains("character") || "\(error)".contains("range") || "\(error)".contains("large"),
                    "\(value): \(error)")
        }
    }
}
