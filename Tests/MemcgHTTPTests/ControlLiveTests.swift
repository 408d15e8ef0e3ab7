import MemcgEngine
@testable import MemcgHTTP
import Testing

/// The README's two stories over real sockets (libmicrohttpd): cgroup v2
/// (high throttling a cache, low protecting a sibling, proactive reclaim,
/// a max write that kills) and cgroup v1 (EBUSY with evictions, move_charge).
@Suite(.serialized) struct ControlLiveTests {
    @Test func v2Story() throws {
        let s = try LiveServer(frames: 65536)
        #expect(try s.call("GET", "/machine").value("cgroup") == .string("v2"))
        #expect(try s.call("POST", "/containers", #"{"name":"node","limits":{"max":"2M"}}"#).status == 201)
        #expect(try s.call("POST", "/containers", #"{"name":"cache","parent":"node","limits":{"high":"512K"}}"#).status == 201)
        #expect(try s.call("POST", "/containers", #"{"name":"db","parent":"node","limits":{"low":"1M"}}"#).status == 201)
        try s.call("POST", "/processes", #"{"pid":1,"container":"cache"}"#)
        try s.call("POST", "/processes", #"{"pid":2,"container":"db"}"#)
        // db reads 1 MiB of file data; the cache streams 4 MiB through a 512K high.
        try s.call("POST", "/events", #"{"events":[{"op":"pagecache_add","pid":2,"page":60000,"count":256}]}"#)
        let stream = try s.call("POST", "/events", #"{"events":[{"op":"pagecache_add","pid":1,"page":0,"count":1024}]}"#)
        #expect(try stream.int("applied") == 1024 && stream.int("failed") == 0, "\(stream.text)")
        #expect(stream.text.contains(#""oom_kills":[]"#))
        var cache = try s.call("GET", "/containers/cache/stats")
        #expect(try cache.int("usage")! <= 512 << 10, "\(cache.text)")
        #expect(try cache.int("events", "high")! > 0)
        #expect(try s.call("GET", "/containers/db").int("usage") == 1 << 20)
        // Without high, the cache fills node's max; reclaim there spares db below its low.
        let lift = try s.call("PUT", "/containers/cache/limits", #"{"high":"max"}"#)
        #expect(try lift.value("high") == .null && lift.int("low") == 0, "\(lift.text)")
        let fill = try s.call("POST", "/events", #"{"events":[{"op":"pagecache_add","pid":1,"page":2000,"count":2048}]}"#)
        #expect(try fill.int("failed") == 0, "\(fill.text)")
        #expect(try s.call("GET", "/containers/db").int("usage") == 1 << 20)
        let node = try s.call("GET", "/containers/node/stats")
        #expect(try node.int("usage")! <= 2 << 20)
        #expect(try node.int("total_events", "max")! > 0)
        #expect(try s.call("GET", "/containers/db/stats").int("events", "low") == 0)
        // Proactive reclaim of 256K from the cache.
        let r = try s.call("POST", "/containers/cache/reclaim", #"{"bytes":"256K"}"#)
        #expect(r.text == #"{"requested":262144,"reclaimed":262144,"complete":true,"evicted":{"count":64}}"#, "\(r.text)")
        cache = try s.call("GET", "/containers/cache/stats")
        #expect(try cache.int("stat", "pgscan")! >= cache.int("stat", "pgsteal")!)
        // Metrics: the controls and events as series.
        let m = try parseExposition(s.call("GET", "/metrics").text)
        #expect(m[#"memcg_low_bytes{container="db"}"#] == Double(1 << 20))
        #expect(m[#"memcg_high_bytes{container="cache"}"#] == nil)
        #expect(m[#"memcg_events_total{container="cache",event="high"}"#] == Double(try cache.int("events", "high")!))
        // A v2 max write below unreclaimable usage kills instead of failing.
        try s.call("POST", "/processes", #"{"pid":3,"container":"db"}"#)
        try s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":3,"page":50000,"count":64}]}"#)
        let kill = try s.call("PUT", "/containers/db/limits", #"{"max":"64K"}"#)
        #expect(kill.status == 200, "\(kill.text)")
        #expect(kill.text.contains(#""oom_kills":[{"pid":3,"container":"db","pages":64}]"#), "\(kill.text)")
        #expect(try kill.int("max") == 65536)
        #expect(try kill.int("evicted", "count")! >= 240)
    }

    @Test func v1Story() throws {
        let s = try LiveServer(frames: 65536, cgroup: .v1)
        #expect(try s.call("GET", "/machine").value("cgroup") == .string("v1"))
        try s.call("POST", "/containers", #"{"name":"web","limits":{"max":"1M"}}"#)
        try s.call("POST", "/containers", #"{"name":"batch"}"#)
        #expect(try s.call("GET", "/containers/web/limits").text == #"{"max":1048576}"#)
        let high = try s.call("PUT", "/containers/web/limits", #"{"high":"512K"}"#)
        #expect(high.status == 400 && high.code == "EOPNOTSUPP" && high.text.contains("cgroup v2"), "\(high.text)")
        try s.call("POST", "/processes", #"{"pid":100,"container":"web"}"#)
        try s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":100,"page":0,"count":64},{"op":"pagecache_add","pid":100,"page":1000,"count":32}]}"#)
        // Lowering max below the anonymous pages: the cache goes, then EBUSY with the evictions.
        let busy = try s.call("PUT", "/containers/web/limits", #"{"max":"128K"}"#)
        #expect(busy.status == 409 && busy.code == "EBUSY", "\(busy.text)")
        #expect(try busy.int("evicted", "count") == 32)
        #expect(try s.call("GET", "/containers/web/limits").int("max") == 1 << 20)
        // move_charge 1: the anonymous pages go with the process.
        let move = try s.call("PUT", "/processes/100/container", #"{"container":"batch","move_charge":1}"#)
        #expect(move.status == 200, "\(move.text)")
        #expect(try move.int("moved", "count") == 64)
        #expect(try s.call("GET", "/containers/batch").int("usage") == 64 * 4096)
        #expect(try s.call("GET", "/containers/web").int("usage") == 0)
        #expect(try s.call("POST", "/containers/batch/reclaim", #"{"bytes":"4K"}"#).code == "EOPNOTSUPP")
    }
}
