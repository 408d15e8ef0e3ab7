import Dispatch
import MemcgEngine
@testable import MemcgHTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 8: each attack reproduced over a real socket (or in-process where
/// the rule is the route's), asserting the bounded outcome.
@Suite(.serialized) struct HardeningTests {
    /// Sends raw bytes on a fresh connection; returns the reply and whether the server closed.
    static func raw(_ port: UInt16, _ text: String, wait: Int = 5) throws -> (Reply?, closed: Bool) {
        let fd = try RawHTTP.connectTo(port: port)
        defer { close(fd) }
        var tv = timeval(tv_sec: wait, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        try RawHTTP.sendAll(fd, Array(text.utf8))
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        var closed = false
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { closed = true; break }
            if n < 0 { closed = errno == ECONNRESET; break }
            out.append(contentsOf: buf[0..<n])
        }
        return (try? RawHTTP.parse(out), closed)
    }

    @Test func unauthenticatedBodyIsRefusedBeforeItIsRead() throws {
        let s = try LiveServer(bodyLimit: 16 << 20, token: "tok")
        // 8 MiB announced, not one byte sent: the 401 must come from the headers alone.
        let (r, closed) = try Self.raw(s.port, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n")
        #expect(r?.status == 401 && r?.code == "EACCES")
        #expect(closed)
        // Unknown routes and wrong methods: 401 too, until the token is given.
        #expect(try Self.raw(s.port, "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").0?.status == 401)
        #expect(try Self.raw(s.port, "DELETE /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").0?.status == 401)
        let authed = "Host: x\r\nConnection: close\r\nAuthorization: bEaReR tok\r\n"
        #expect(try Self.raw(s.port, "GET /nope HTTP/1.1\r\n\(authed)\r\n").0?.status == 404)
        #expect(try Self.raw(s.port, "DELETE /stats HTTP/1.1\r\n\(authed)\r\n").0?.status == 405)
        #expect(try Self.raw(s.port, "GET /stats HTTP/1.1\r\n\(authed)\r\n").0?.status == 200)
        #expect(try Self.raw(s.port, "GET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer tokx\r\n\r\n").0?.status == 401)
        #expect(try Self.raw(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").0?.status == 200)
    }

    @Test func announcedLengthsOverTheRouteLimitAre413AtOnce() throws {
        let s = try LiveServer(bodyLimit: 1 << 20)
        // Small routes take at most 64 KiB even though /events takes 1 MiB.
        let small = try Self.raw(s.port, "POST /containers HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n")
        #expect(small.0?.status == 413 && small.0?.code == "E2BIG" && small.closed)
        let huge = try Self.raw(s.port, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775808\r\n\r\nxx")
        #expect(huge.0?.status == 413 && huge.closed)
        let signed = try Self.raw(s.port, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
        #expect(signed.0?.status == 400)
        // A body that fits goes through.
        #expect(try s.call("POST", "/containers", #"{"name":"a"}"#).status == 201)
    }

    @Test func chunkedBodyPastTheLimitClosesTheConnection() throws {
        let s = try LiveServer(bodyLimit: 64 << 10)
        let fd = try RawHTTP.connectTo(port: s.port)
        defer { close(fd) }
        try RawHTTP.sendAll(fd, Array("POST /events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        let chunk = Array("8000\r\n".utf8) + [UInt8](repeating: 0x20, count: 0x8000) + Array("\r\n".utf8)
        var sent = 0
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        while sent < 256 << 20 {
            let n = chunk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        // The server stopped reading soon after 64 KiB (plus what the socket buffers hold).
        #expect(sent < 32 << 20, "the server read \(sent) bytes of a body over a 64 KiB limit")
        #expect(try s.call("GET", "/healthz").status == 200)
        #expect(s.server.buffered.load(ordering: .relaxed) == 0)
    }

    @Test func sharedBodyBudgetAnswers503() throws {
        let s = try LiveServer(bodyLimit: 1 << 20, bufferLimit: 1 << 20)
        let holder = try RawHTTP.connectTo(port: s.port)
        defer { close(holder) }
        try RawHTTP.sendAll(holder, Array("POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n{".utf8))
        usleep(100_000)
        let second = try Self.raw(s.port, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n")
        #expect(second.0?.status == 503 && second.0?.headers["retry-after"] == "1" && second.closed)
        #expect(try s.call("GET", "/stats").status == 200)
    }

    @Test func pathWithNULIsRefused() throws {
        let s = try LiveServer()
        #expect(try s.call("POST", "/containers", #"{"name":"web"}"#).status == 201)
        let r = try s.call("DELETE", "/containers/web%00-x")
        #expect(r.status == 400 && r.code == "EINVAL")
        #expect(try s.call("GET", "/containers/web").status == 200)
        #expect(try s.call("GET", "/healthz%00").status == 400)
    }

    @Test func strictParsing() throws {
        let s = try LiveServer()
        #expect(try Self.raw(s.port, "GET /stats HTTP/1.1\r\nConnection: close\r\n\r\n").0?.status == 400)  // no Host
        let r1 = try Self.raw(s.port, "GET /stats HTTP/1.1\r\nHost: x\r\nX-A : 1\r\nConnection: close\r\n\r\n").0
        #expect(r1?.status == 400 && r1?.text.contains("space or a tab") == true)
        let twice = "POST /containers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x"
        let r2 = try Self.raw(s.port, twice).0
        #expect(r2?.status == 400 && r2?.text.contains("two Content-Length") == true)
        #expect(try Self.raw(s.port, "GET /stats HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").0?.status == 200)
        let both = "POST /containers HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\nc\r\n{\"name\":\"q\"}\r\n0\r\n\r\n"
        let r = try Self.raw(s.port, both)
        #expect(r.0?.status == 201 && r.closed)
    }

    @Test func requestDeadlineClosesSlowClients() throws {
        let s = try LiveServer(requestTimeout: 1)
        let fd = try RawHTTP.connectTo(port: s.port)
        defer { close(fd) }
        try RawHTTP.sendAll(fd, Array("POST /events HTTP/1.1\r\nHost: x\r\n".utf8))
        let start = ContinuousClock.now
        var closed = false
        // One byte every 200 ms keeps the connection busy, so only the deadline can end it.
        while ContinuousClock.now - start < .seconds(4) {
            usleep(200_000)
            if (try? RawHTTP.sendAll(fd, [0x58])) == nil { closed = true; break }
            var b: UInt8 = 0
            let n = recv(fd, &b, 1, Int32(MSG_DONTWAIT))
            if n == 0 { closed = true; break }
        }
        #expect(closed)
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(s.server.deadlines!.expiredCount.load(ordering: .relaxed) >= 1)
        #expect(try s.call("GET", "/healthz").status == 200)
    }

    @Test func connectionsPerAddressAreCapped() throws {
        let s = try LiveServer(connectionsPerIP: 3)
        let held = try (0..<3).map { _ in try RawHTTP.connectTo(port: s.port) }
        defer { held.forEach { close($0) } }
        usleep(100_000)
        let (r, closed) = try Self.raw(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", wait: 2)
        #expect(r == nil && closed)
    }

    @Test func healthzReportsAStalledEngine() throws {
        let s = try LiveServer(frames: 262_144, threads: 2, maxBatchPages: 1 << 40, stallSeconds: 0.05)
        try s.call("POST", "/processes", #"{"pid":1,"container":"root"}"#)
        let ev = (0..<40).map { _ in #"{"op":"anon_fault","pid":1,"page":0,"count":262144},{"op":"unmap","pid":1,"page":0,"count":262144}"# }
        let body = #"{"events":["# + ev.joined(separator: ",") + "]}"
        let done = DispatchSemaphore(value: 0)
        let port = s.port
        DispatchQueue.global().async {
            _ = try? RawHTTP.request(port: port, method: "POST", path: "/events", body: Array(body.utf8))
            done.signal()
        }
        var sawStall = false
        for _ in 0..<200 where !sawStall {
            usleep(10_000)
            if let r = try? s.call("GET", "/healthz"), r.status == 503 {
                sawStall = r.text.contains("stalled")
            }
        }
        done.wait()
        #expect(sawStall)
        // Once the batch is over (the client may have given up first in a slow build), healthy again.
        let start = ContinuousClock.now
        while s.server.handling.load(ordering: .relaxed) > 0 && ContinuousClock.now - start < .seconds(120) { usleep(10_000) }
        #expect(try s.call("GET", "/healthz").status == 200)
    }

    /// Shutdown does not wait past its drain time for a request stuck in the engine.
    @Test func stopHonoursTheDrainTime() throws {
        let s = try LiveServer(frames: 262_144, maxBatchPages: 1 << 40)
        try s.call("POST", "/processes", #"{"pid":1,"container":"root"}"#)
        let ev = (0..<400).map { _ in #"{"op":"anon_fault","pid":1,"page":0,"count":262144},{"op":"unmap","pid":1,"page":0,"count":262144}"# }
        let body = #"{"events":["# + ev.joined(separator: ",") + "]}"
        let port = s.port
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? RawHTTP.request(port: port, method: "POST", path: "/events", body: Array(body.utf8))
            done.signal()
        }
        while s.server.handling.load(ordering: .relaxed) == 0 { usleep(1_000) }
        let start = ContinuousClock.now
        let clean = s.server.stop(drain: .milliseconds(200))
        let took = ContinuousClock.now - start
        #expect(!clean)
        #expect(took < .seconds(1), "stop took \(took)")
        done.wait()
    }

    @Test func batchPageCapIsCheckedBeforeAnythingIsApplied() throws {
        let s = try InProcess(frames: 4096, maxBatchPages: 100)
        s.call("POST", "/processes", #"{"pid":1,"container":"root"}"#)
        let fits = s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":60},{"op":"anon_fault","pid":1,"pages":[100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126,127,128,129,130,131,132,133,134,135,136,137,138,139]}]}"#)
        #expect(try fits.status == 200 && fits.int("applied") == 100)
        let over = s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":200,"count":100},{"op":"anon_fault","pid":1,"page":300}]}"#)
        #expect(over.status == 400 && over.text.contains("max-batch-pages"))
        let huge = s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":9223372036854775807}]}"#)
        #expect(huge.status == 400)
        #expect(try s.call("GET", "/stats").int("charges") == 100)
    }

    @Test func depthLimitAndPaths() throws {
        let s = try InProcess()
        var parent = "root"
        for i in 1...MemcgEngine.maxDepth {
            let r = s.call("POST", "/containers", #"{"name":"d\#(i)","parent":"\#(parent)"}"#)
            #expect(r.status == 201)
            parent = "d\(i)"
        }
        let deeper = s.call("POST", "/containers", #"{"name":"too-deep","parent":"\#(parent)"}"#)
        #expect(deeper.status == 400 && deeper.code == "EINVAL")
        let last = s.call("GET", "/containers/d64")
        #expect(try last.value("path") == .string((1...64).map { "/d\($0)" }.joined()))
        #expect(s.call("GET", "/containers").text.contains(#""path":"/d1/d2/d3""#))
    }

    @Test func smallInputRules() throws {
        let s = try InProcess()
        s.call("POST", "/processes", #"{"pid":5,"container":"root"}"#)
        #expect(s.call("POST", "/processes", #"{"pid":6,"parent_pid":0}"#).status == 400)
        #expect(s.call("POST", "/processes", #"{"pid":6,"parent_pid":-1}"#).status == 400)
        #expect(s.call("POST", "/processes", #"{"pid":6,"parent_pid":2147483648}"#).status == 400)
        #expect(s.call("POST", "/processes", #"{"pid":6,"parent_pid":7}"#).status == 404)
        #expect(s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":2147483648,"page":0}]}"#).status == 400)
        let escaped = s.call("POST", "/events", #"{"ev\u0065nts":[{"\u006fp":"anon_fault","p\u0069d":5,"page":1}],"list_evicted":false}"#)
        #expect(try escaped.status == 200 && escaped.int("applied") == 1)
        #expect(s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":5,"page":1,"p\u0061ge":2}]}"#).status == 400)
        #expect(s.call("POST", "/containers", #"{"name":"."}"#).status == 400)
        #expect(s.call("GET", "/containers/.").status == 400)
        #expect(s.call("POST", "/containers", #"{"name":".a"}"#).status == 201)
    }

    @Test func bearerSchemeAndConstantTimeCompare() throws {
        let s = try InProcess(token: "abc")
        for h in ["Bearer abc", "bearer abc", "BEARER abc", "Bearer   abc"] {
            #expect(s.call("GET", "/stats", auth: h).status == 200, "\(h)")
        }
        for h in ["Bearer ab", "Bearer abcd", "Basic abc", "Bearerabc", "Bearer", "abc", "Bearer ABC"] {
            #expect(s.call("GET", "/stats", auth: h).status == 401, "\(h)")
        }
    }
}
