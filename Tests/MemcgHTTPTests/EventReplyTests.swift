import MemcgEngine
@testable import MemcgHTTP
import Testing

/// Regression tests over a real socket for two bugs reachable from the
/// network: ranges whose end wrapped past Int.max, and replies that grew
/// with every failed page.
@Suite(.serialized) struct EventReplyTests {
    /// `page + count` past Int.max is a 400 for the whole batch and charges
    /// nothing (it used to wrap and charge frames 0 and 1).
    @Test func wrappingRangeIsRefused() throws {
        let s = try LiveServer()
        #expect(try s.call("POST", "/processes", #"{"pid":1,"container":"root"}"#).status == 201)
        for body in [
            #"{"events":[{"op":"anon_fault","pid":1,"page":9223372036854775807,"count":3}]}"#,
            #"{"events":[{"op":"anon_fault","pid":1,"page":0},{"op":"cow","pid":1,"page":0,"old_page":9223372036854775806,"count":3}]}"#,
            #"{"events":[{"op":"migrate","page":1,"old_page":9223372036854775807,"count":2}]}"#,
        ] {
            let r = try s.call("POST", "/events", body)
            #expect(r.status == 400, "\(body) -> \(r.text)")
            #expect(r.text.contains(#""code":"EINVAL""#))
        }
        #expect(try s.call("GET", "/stats").int("charged_pages") == 0)
        #expect(try s.call("GET", "/processes/1").int("mapped_pages") == 0)
    }

    /// Pages beyond the machine are EINVAL each, reported as one run.
    @Test func outOfRangePagesAreOneRun() throws {
        let s = try LiveServer()
        #expect(try s.call("POST", "/processes", #"{"pid":1,"container":"root"}"#).status == 201)
        let r = try s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":9223372036854700000,"count":4096}]}"#)
        #expect(r.status == 200)
        #expect(r.text.contains(#""errors":[{"index":0,"page":9223372036854700000,"count":4096,"code":"EINVAL"}]"#), "\(r.text)")
        #expect(try r.int("failed") == 4096)
    }

    /// A small body can no longer make a huge reply: an OOM kill early in a
    /// long range is two error entries, and the reply stays small.
    @Test func replyStaysSmallUnderMassFailure() throws {
        let s = try LiveServer(frames: 1 << 20)
        #expect(try s.call("POST", "/containers", #"{"name":"a","limits":{"max":"64K"}}"#).status == 201)
        #expect(try s.call("POST", "/processes", #"{"pid":7,"container":"a"}"#).status == 201)
        let r = try s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":7,"page":0,"count":1000000},{"op":"unmap","pid":8,"pages":[1,2,3,5,6]}]}"#)
        #expect(r.status == 200)
        #expect(try r.int("failed") == 1_000_000 - 16 + 5)
        #expect(r.text.contains(#"{"index":0,"page":16,"count":1,"code":"ENOMEM","container":"a"},{"index":0,"page":17,"count":999983,"code":"ESRCH"}"#), "\(r.text)")
        #expect(r.text.contains(#"{"index":1,"page":1,"count":3,"code":"ESRCH"},{"index":1,"page":5,"count":2,"code":"ESRCH"}"#), "\(r.text)")
        #expect(r.body.count < 1024)
    }
}
