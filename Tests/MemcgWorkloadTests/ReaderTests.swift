import Testing
@testable import MemcgWorkload

@Suite struct ReaderErrors {
    /// Bad records are refused with their line number.
    @Test(arguments: [
        (#"{"op":"anon","pid":1,"addr":0}"#, "missing field \"len\""),
        (#"{"op":"anon","pid":"1","addr":0,"len":1}"#, "must be an integer"),
        (#"{"op":"anon","pid":1,"addr":0,"len":1.5}"#, "must be an integer"),
        (#"{"op":"anon","pid":1,"addr":99999999999999999999,"len":1}"#, "out of range"),
        (#"{"op":"anon","pid":1,"addr":4503599627370496,"len":1}"#, "2^52"),
        (#"{"op":"teleport","pid":1}"#, "unknown op"),
        (#"{"op":"anon","pid":1,"adr":0,"addr":0,"len":1}"#, "unknown field \"adr\""),
        (#"{"op":"anon","pid":1,"addr":0,"len":4"#, "truncated"),
        (#"[1,2]"#, "must be a JSON object"),
        (#"{"op":"anon","pid":1,"addr":0,"len":1,"t":-1}"#, "non-negative"),
        (#"{"op":"anon_fault","pid":1,"page":3}"#, "physical record"),
    ])
    func badLine(line: String, message: String) {
        let text = #"{"op":"spawn","pid":1,"container":"root"}"# + "\n" + line
        do {
            _ = try TraceReader.read(text: text)
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.line == 2)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    /// A pid never spawned stops the replay at its line.
    @Test func unknownPid() throws {
        #expect(throws: TraceError(line: 1, "pid 7 was never spawned (or has exited)")) {
            try replay([#"{"op":"anon","pid":7,"addr":0,"len":1,"write":true}"#])
        }
    }

    /// Random byte mutations of a good trace never crash the reader: each is accepted or refused with a line.
    @Test func fuzz() {
        let good = Array((#"{"memcgd_trace":1,"machine":{"memory":"64M"}}"# + "\n" + WholeTraces.zipfTrace(pages: 50, records: 40).joined(separator: "\n")).utf8)
        var rng = SplitMix(seed: 7)
        let alphabet = Array(#"{}[]":,.-0123456789eE truefalsnul\"#.utf8)
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: i)
                default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                }
            }
            do {
                let t = try TraceReader.read(text: String(decoding: bytes, as: UTF8.self))
                _ = t.records.count
            } catch {
                #expect(error.line != nil)
            }
        }
    }

    /// Physical traces are recognised and replayed as recorded.
    @Test func physical() throws {
        let (_, s) = try replay([
            #"{"op":"create_container","name":"web","limits":{"max":"8K"}}"#,
            #"{"op":"create_process","pid":5,"container":"web"}"#,
            #"{"events":[{"op":"anon_fault","pid":5,"page":0,"count":3}]}"#,
        ], swap: 0)
        #expect(s.kind == .physical)
        #expect(s.kills.count == 1)
        #expect(s.container("web")?.peakUsage == 8192)
    }
}
