import Dispatch
import MemcgEngine
@testable import MemcgHTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct LiveServerTests {
    /// The README walk-through, over real sockets: limit, events, failcnt, reclaim, OOM kill.
    @Test func readmeWalkthrough() throws {
        let s = try LiveServer(frames: 65536, swapPages: 64)
        #expect(try s.call("POST", "/containers", #"{"name":"web","limits":{"max":"1M"}}"#).status == 201)
        #expect(try s.call("POST", "/processes", #"{"pid":100,"container":"web"}"#).status == 201)
        let fill = try s.call("POST", "/events", #"{"events":[{"op":"pagecache_add","pid":100,"page":0,"count":256}]}"#)
        #expect(try fill.int("applied") == 256 && fill.int("failed") == 0)
        let more = try s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":100,"page":1000,"count":100}]}"#)
        #expect(try more.int("evicted", "count")! >= 100)
        let stats = try s.call("GET", "/containers/web/stats")
        #expect(try stats.int("failcnt")! >= 1)
        #expect(try stats.int("usage")! <= 1 << 20)
        #expect(try stats.int("stat", "pgsteal")! >= 100)
        // Pin the anonymous pages and fill past the limit: no swap can help, the OOM killer runs.
        try s.call("POST", "/events", #"{"events":[{"op":"mlock","pid":100,"page":1000,"count":100}]}"#)
        let oom = try s.call("POST", "/events", #"{"events":[{"op":"insert_page","pid":100,"page":2000,"count":200}]}"#)
        #expect(oom.text.contains(#""oom_kills":[{"pid":100,"container":"web""#), "\(oom.text)")
        #expect(try s.call("GET", "/processes/100").status == 404)
        let after = try s.call("GET", "/containers/web/stats")
        #expect(try after.int("events", "oom_kill") == 1)
        #expect(try after.int("events", "oom") == 1)
    }

    /// Every route answers over the socket with the same status as in-process.
    @Test func routesOverSockets() throws {
        let s = try LiveServer()
        #expect(try s.call("GET", "/healthz").status == 200)
        #expect(try s.call("GET", "/machine").int("total_pages") == 4096)
        #expect(try s.call("POST", "/containers", #"{"name":"a"}"#).headers["location"] == "/containers/a")
        #expect(try s.call("GET", "/containers").status == 200)
        #expect(try s.call("GET", "/containers/a").status == 200)
        #expect(try s.call("PUT", "/containers/a/limits", #"{"max":"2M"}"#).int("max") == 2 << 20)
        #expect(try s.call("GET", "/containers/a/limits").int("max") == 2 << 20)
        #expect(try s.call("GET", "/containers/a/stats").status == 200)
        #expect(try s.call("POST", "/containers/a/stats/reset", #"{"fields":["max_usage"]}"#).status == 200)
        #expect(try s.call("POST", "/containers/a/force_empty").status == 200)
        #expect(try s.call("POST", "/processes", #"{"pid":5,"container":"a"}"#).status == 201)
        #expect(try s.call("GET", "/processes").status == 200)
        #expect(try s.call("GET", "/processes/5").status == 200)
        #expect(try s.call("PUT", "/processes/5/container", #"{"container":"root"}"#).status == 200)
        #expect(try s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":5,"page":1}]}"#).status == 200)
        #expect(try s.call("GET", "/stats").int("charges") == 1)
        let m = try s.call("GET", "/metrics")
        #expect(m.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(m.text.contains(#"memcg_usage_bytes{container="root"} 4096"# + "\n"))
        #expect(try s.call("GET", "/openapi.yaml").status == 200)
        #expect(try s.call("DELETE", "/processes/5").status == 204)
        let http = try parseExposition(s.call("GET", "/metrics").text)
        #expect(http[#"memcgd_http_requests_total{route="/processes/{pid}",method="DELETE",status="204"}"#] == 1)
        #expect(http[#"memcgd_http_request_duration_seconds_count{route="/events"}"#] == 1)
        #expect(http["memcgd_http_request_bytes_total"]! > 0)
        #expect(try s.call("DELETE", "/containers/a").status == 204)
        #expect(try s.call("DELETE", "/containers/a").status == 404)
        let bad = try s.call("PATCH", "/events")
        #expect(bad.status == 405 && bad.headers["allow"] == "POST")
        #expect(try s.call("GET", "/containers/a%2Fb").status == 404)  // decoded to /containers/a/b: no such route
    }

    /// A body over the limit gets 413 E2BIG before it is read, and changes nothing.
    @Test func bodyOverLimit() throws {
        let s = try LiveServer(bodyLimit: 4096)
        let big = #"{"events":[{"op":"pagecache_add","pages":["# + Array(repeating: "1", count: 3000).joined(separator: ",") + "]}]}"
        let r = try s.call("POST", "/events", big)
        #expect(r.status == 413)
        #expect(r.code == "E2BIG")
        #expect(try s.call("GET", "/stats").int("charges") == 0)
        // Chunked, with no Content-Length: once the data passes the limit the
        // connection is closed (libmicrohttpd 0.9.75 cannot queue a reply
        // while a body arrives), and nothing is applied.
        let fd = try RawHTTP.connectTo(port: s.port)
        defer { close(fd) }
        try RawHTTP.sendAll(fd, Array("POST /events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8))
        let chunk = Array(repeating: UInt8(ascii: " "), count: 3000)
        for _ in 0..<3 { try? RawHTTP.sendAll(fd, Array("bb8\r\n".utf8) + chunk + Array("\r\n".utf8)) }
        try? RawHTTP.sendAll(fd, Array("0\r\n\r\n".utf8))
        #expect(RawHTTP.readAll(fd).isEmpty)
        #expect(try s.call("GET", "/stats").int("charges") == 0)
    }

    /// An empty body and invalid JSON are 400 over the socket too.
    @Test func badBodiesOverSockets() throws {
        let s = try LiveServer()
        #expect(try s.call("POST", "/events", "").code == "EINVAL")
        #expect(try s.call("POST", "/events", "{nope").code == "EINVAL")
        #expect(try s.call("POST", "/containers", #"{"name":"\#(String(repeating: "z", count: 65))"}"#).status == 400)
    }

    /// A slow client (headers never finished) is disconnected after the connection timeout.
    @Test func slowClientTimesOut() throws {
        let s = try LiveServer(timeout: 1)
        let fd = try RawHTTP.connectTo(port: s.port)
        defer { close(fd) }
        try RawHTTP.sendAll(fd, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))
        // The request never completes: the server must close the connection
        // by itself without answering it, and go on serving others. No bound
        // on how long it took: that is the machine's business, not the rule's.
        let data = RawHTTP.readAll(fd)
        #expect(!String(decoding: data, as: UTF8.self).contains("200 OK"), "\(String(decoding: data, as: UTF8.self))")
        // End of stream (0), not the client's own 10 s receive timeout (-1).
        var byte: UInt8 = 0
        #expect(recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0, "the server did not close the connection")
        #expect(try s.call("GET", "/healthz").status == 200)
    }

    /// 8 concurrent clients (posting and reading) end in the same state as the same events applied in one thread.
    @Test func concurrentClientsMatchSequential() throws {
        func setup(_ s: LiveServer) throws {
            for i in 0..<8 {
                try s.call("POST", "/containers", #"{"name":"c\#(i)"}"#)
                try s.call("POST", "/processes", #"{"pid":\#(100 + i),"container":"c\#(i)"}"#)
            }
        }
        @Sendable func batches(_ client: Int) -> [String] {
            (0..<40).map { round in
                let base = client * 10_000 + round * 100
                return #"{"events":[{"op":"anon_fault","pid":\#(100 + client),"page":\#(base),"count":60},"# +
                    #"{"op":"pagecache_add","pid":\#(100 + client),"pages":[\#(base + 60),\#(base + 61),\#(base + 62)]},"# +
                    #"{"op":"unmap","pid":\#(100 + client),"page":\#(base),"count":20},"# +
                    #"{"op":"access","page":\#(base + 30)},{"op":"access","page":\#(base + 30)}]}"#
            }
        }
        let concurrent = try LiveServer(frames: 131072, threads: 4)
        let sequential = try LiveServer(frames: 131072)
        try setup(concurrent)
        try setup(sequential)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { client in
            for (n, b) in batches(client).enumerated() {
                if (try? concurrent.call("POST", "/events", b).status) != 200 { failures.add() }
                // Readers run alongside the writers (shared lock).
                if (try? concurrent.call("GET", "/containers/c\((client + 1) % 8)/stats").status) != 200 { failures.add() }
                if n % 10 == 0, (try? concurrent.call("GET", "/metrics").status) != 200 { failures.add() }
            }
        }
        for client in 0..<8 { for b in batches(client) { try sequential.call("POST", "/events", b) } }
        #expect(failures.count == 0)
        for i in 0..<8 {
            let a = try concurrent.call("GET", "/containers/c\(i)/stats").text
            let b = try sequential.call("GET", "/containers/c\(i)/stats").text
            #expect(a == b)
        }
        #expect(try concurrent.call("GET", "/stats").text == sequential.call("GET", "/stats").text)
        #expect(try concurrent.call("GET", "/containers/root/stats").int("usage") == 8 * 40 * 43 * 4096)
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLockish()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var count: Int { lock.withLock { n } }
}

/// A pthread mutex, to keep the test target free of Foundation locks.
final class NSLockish: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return body()
    }
}
