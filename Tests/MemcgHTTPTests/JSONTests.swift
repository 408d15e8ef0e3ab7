@testable import MemcgHTTP
import Testing

@Suite struct JSONTests {
    /// The writer escapes quotes, backslashes and control characters, and writes integers exactly.
    @Test func writerEscapes() {
        var w = JSONWriter(capacity: 8)
        w.beginObject()
        w.member("s", "a\"b\\c\nd\u{01}é")
        w.member("n", Int.min)
        w.member("m", Int.max)
        w.member("z", 0)
        w.key("list"); w.beginArray(); w.int(-7); w.null(); w.bool(true); w.endArray()
        w.endObject()
        #expect(String(decoding: w.bytes, as: UTF8.self)
            == #"{"s":"a\"b\\c\nd\u0001é","n":-9223372036854775808,"m":9223372036854775807,"z":0,"list":[-7,null,true]}"#)
    }

    /// What the writer writes, the parser reads back.
    @Test func roundTrip() throws {
        var w = JSONWriter()
        w.beginObject(); w.member("k", "x\"\u{1F600}\t"); w.member("v", 42); w.endObject()
        #expect(try JSONValue.parse(w.bytes) == .object(["k": .string("x\"\u{1F600}\t"), "v": .int(42)]))
    }

    /// The parser keeps integers apart from other numbers and refuses what RFC 8259 refuses.
    @Test(arguments: [
        ("1", JSONValue.int(1)), ("-0", .int(0)), ("1.5", .number(1.5)), ("1e3", .int(1000)),
        ("4096.0", .int(4096)), ("4.096e3", .int(4096)), ("-0.0", .int(0)), ("1.5", .number(1.5)), ("1e400", .number(.infinity)), ("1e300", .number(1e300)), (#""\ud83d\ude00""#, .string("\u{1F600}")), ("[]", .array([])),
        ("99999999999999999999", .number(1e20)),
    ])
    func parses(text: String, value: JSONValue) throws {
        #expect(try JSONValue.parse(Array(text.utf8)) == value)
    }

    @Test(arguments: ["01", "1.", ".5", "+1", "[1,]", "{\"a\":1,}", "\"\\ud800\"", "\"\u{01}\"", "tru", "{\"a\" 1}",
                      "{\"a\":1,\"a\":2}", "\"\\x\"", "1 2", ""])
    func refuses(text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    /// Deep nesting is refused, not a stack overflow.
    @Test func deepNesting() {
        #expect(throws: JSONError.self) { try JSONValue.parse(Array((String(repeating: "[", count: 100_000)).utf8)) }
    }
}
