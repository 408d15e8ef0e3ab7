import MemcgEngine
@testable import MemcgHTTP
import Testing

/// The v2 controls over the routes (model.md sections 2, 8, 9), and the v1
/// differences beside them.
@Suite struct ControlRouteTests {
    /// v2: every control is accepted, parsed like `max`, read back as stored.
    @Test(arguments: [
        (#"{"high":"1M"}"#, 200, "high", "1048576"), (#"{"low":4097}"#, 200, "low", "4096"),
        (#"{"min":"8k"}"#, 200, "min", "8192"), (#"{"swap_max":0}"#, 200, "swap_max", "0"),
        (#"{"low":"max"}"#, 200, "low", "null"), (#"{"high":-1}"#, 200, "high", "null"),
        (#"{"swap_max":null}"#, 200, "swap_max", "null"), (#"{"min":4096.0}"#, 200, "min", "4096"),
        (#"{"high":"1.0"}"#, 400, "EINVAL", ""), (#"{"low":-10}"#, 400, "EINVAL", ""),
        (#"{"min":true}"#, 400, "EINVAL", ""), (#"{"swap_max":1.5}"#, 400, "EINVAL", ""),
        (#"{"soft":0}"#, 400, "EOPNOTSUPP", ""), (#"{"bogus":1}"#, 400, "EINVAL", ""),
        // Order of the checks: lacking before unknown before values.
        (#"{"bogus":1,"soft":"xx"}"#, 400, "EOPNOTSUPP", ""),
        // All validated first: one bad value and nothing changes.
        (#"{"high":"1M","max":"xx"}"#, 400, "EINVAL", ""),
    ])
    func v2Limits(body: String, status: Int, key: String, expect: String) throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"a","limits":{"max":"64K"}}"#)
        let before = s.call("GET", "/containers/a/limits").text
        let r = s.call("PUT", "/containers/a/limits", body)
        #expect(r.status == status, "\(body): \(r.text)")
        if status == 200 {
            #expect(try r.value(key) == (expect == "null" ? .null : .int(Int(expect)!)), "\(body): \(r.text)")
            #expect(try s.call("GET", "/containers/a/limits").value(key) == r.value(key))
            #expect(try r.int("max") == 65536)
        } else {
            #expect(r.code == key, "\(body): \(r.text)")
            #expect(s.call("GET", "/containers/a/limits").text == before)
        }
    }

    /// GET limits lists every control of the interface, defaults as the kernel's.
    @Test func limitsShape() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"a"}"#)
        #expect(s.call("GET", "/containers/a/limits").text == #"{"max":null,"high":null,"low":0,"min":0,"swap_max":null}"#)
        let c = s.call("POST", "/containers", #"{"name":"b","limits":{"high":"32K","low":"8K","min":"4K","swap_max":"16K"},"oom_group":true}"#)
        #expect(c.status == 201, "\(c.text)")
        #expect(c.text.contains(#""oom_group":true"#))
        #expect(c.text.contains(#""limits":{"max":null,"high":32768,"low":8192,"min":4096,"swap_max":16384}"#), "\(c.text)")
        let v1 = try InProcess(cgroup: .v1)
        v1.call("POST", "/containers", #"{"name":"a"}"#)
        #expect(v1.call("GET", "/containers/a/limits").text == #"{"max":null}"#)
    }

    /// On v1 the v2 controls are EOPNOTSUPP naming cgroup v2, checked before unknown names.
    @Test func v1RefusesV2Controls() throws {
        let s = try InProcess(cgroup: .v1)
        s.call("POST", "/containers", #"{"name":"a"}"#)
        for body in [#"{"high":"1M"}"#, #"{"low":0}"#, #"{"min":0}"#, #"{"swap_max":"max"}"#, #"{"bogus":1,"min":"xx"}"#] {
            let r = s.call("PUT", "/containers/a/limits", body)
            #expect(r.status == 400 && r.code == "EOPNOTSUPP", "\(body): \(r.text)")
            #expect(r.text.contains("cgroup v2"), "\(r.text)")
        }
        let c = s.call("POST", "/containers", #"{"name":"b","oom_group":false}"#)
        #expect(c.code == "EOPNOTSUPP")
        #expect(s.call("POST", "/containers", #"{"name":"b","limits":{"low":"1M"}}"#).code == "EOPNOTSUPP")
        #expect(s.call("GET", "/containers/b").status == 404)
        #expect(s.call("POST", "/containers/a/reclaim", #"{"bytes":"4K"}"#).code == "EOPNOTSUPP")
        #expect(s.call("PATCH", "/containers/a", #"{"oom_group":true}"#).code == "EOPNOTSUPP")
    }

    /// The root: an empty write succeeds, any control is EINVAL (after the value checks).
    @Test func rootControls() throws {
        let s = try InProcess()
        let empty = s.call("PUT", "/containers/root/limits", "{}")
        #expect(empty.status == 200, "\(empty.text)")
        #expect(try empty.int("evicted", "count") == 0)
        #expect(s.call("PUT", "/containers/root/limits", #"{"high":"1M"}"#).code == "EINVAL")
        #expect(s.call("PUT", "/containers/root/limits", #"{"soft":"1M"}"#).code == "EOPNOTSUPP")
        #expect(s.call("GET", "/containers/root/limits").text == #"{"max":null,"high":null,"low":0,"min":0,"swap_max":null}"#)
    }

    /// v2: lowering max below usage sets it, then OOM-kills; the reply carries the kills.
    @Test func v2MaxWriteKills() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"a"}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"a"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":10}]}"#)
        let r = s.call("PUT", "/containers/a/limits", #"{"max":4096}"#)
        #expect(r.status == 200, "\(r.text)")
        #expect(try r.int("max") == 4096)
        #expect(r.text.contains(#""oom_kills":[{"pid":1,"container":"a","pages":10}]"#), "\(r.text)")
        #expect(s.call("GET", "/processes/1").status == 404)
        let st = s.call("GET", "/containers/a/stats")
        #expect(try st.int("usage") == 0)
        #expect(try st.int("events", "oom") == 1)
        #expect(try st.int("events", "oom_kill") == 1)
    }

    /// v1: EBUSY keeps the old limit and its problem body carries what was evicted.
    @Test func v1BusyCarriesEvictions() throws {
        let s = try InProcess(cgroup: .v1)
        s.call("POST", "/containers", #"{"name":"a"}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"a"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":10},{"op":"pagecache_add","page":100,"pid":1,"count":5}]}"#)
        let r = s.call("PUT", "/containers/a/limits", #"{"max":4096}"#)
        #expect(r.status == 409 && r.code == "EBUSY")
        #expect(r.headers["content-type"] == "application/problem+json")
        #expect(try r.int("evicted", "count") == 5, "\(r.text)")
        #expect(try s.call("GET", "/containers/a/limits").value("max") == .null)
        #expect(try s.call("GET", "/containers/a").int("usage") == 10 * 4096)
    }

    /// high throttles a cache: usage stays at or below high, `high` events count, no kill.
    @Test func highThrottles() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"cache","limits":{"high":"64K"}}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"cache"}"#)
        let r = s.call("POST", "/events", #"{"events":[{"op":"pagecache_add","pid":1,"page":0,"count":40}]}"#)
        #expect(try r.int("applied") == 40 && r.int("failed") == 0, "\(r.text)")
        #expect(r.text.contains(#""oom_kills":[]"#))
        let st = s.call("GET", "/containers/cache/stats")
        #expect(try st.int("usage")! <= 65536, "\(st.text)")
        #expect(try st.int("events", "high")! > 0)
        #expect(try st.int("stat", "pgscan")! >= st.int("stat", "pgsteal")!)
        #expect(try st.int("stat", "pgsteal")! >= 24)
        #expect(try st.int("total_events", "high") == st.int("events", "high"))
        #expect(try s.call("GET", "/processes/1").int("pid") == 1)
    }

    /// Proactive reclaim: requested, reclaimed, complete, evictions in bytes and pages.
    @Test func reclaim() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"a"}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"a"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"pagecache_add","pid":1,"page":0,"count":40}]}"#)
        let r = s.call("POST", "/containers/a/reclaim", #"{"bytes":"64K"}"#)
        #expect(r.status == 200, "\(r.text)")
        #expect(r.text == #"{"requested":65536,"reclaimed":65536,"complete":true,"evicted":{"count":16}}"#, "\(r.text)")
        let l = s.call("POST", "/containers/a/reclaim", #"{"bytes":1000000,"list_evicted":true}"#)
        #expect(try l.int("requested") == 244 * 4096)
        #expect(try l.int("reclaimed") == 24 * 4096)
        #expect(try l.value("complete") == .bool(false))
        guard case .array(let pages) = try l.value("evicted", "pages") else { Issue.record("no pages"); return }
        #expect(pages.count == 24)
        #expect(try s.call("GET", "/containers/a").int("usage") == 0)
        for bad in [#"{}"#, #"{"bytes":"max"}"#, #"{"bytes":null}"#, #"{"bytes":-5}"#, #"{"bytes":"1x"}"#, #"{"bytes":1,"list_evicted":1}"#, #"{"bytes":1,"x":1}"#] {
            #expect(s.call("POST", "/containers/a/reclaim", bad).code == "EINVAL", "\(bad)")
        }
        #expect(s.call("POST", "/containers/nope/reclaim", #"{"bytes":1}"#).code == "ENOENT")
        #expect(s.call("GET", "/containers/a/reclaim").status == 405)
    }

    /// PATCH changes charge_type and oom_group; bad input changes nothing.
    @Test func patchContainer() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"a"}"#)
        let r = s.call("PATCH", "/containers/a", #"{"oom_group":true,"charge_type":"mapped"}"#)
        #expect(r.status == 200, "\(r.text)")
        #expect(try r.value("oom_group") == .bool(true))
        #expect(try r.value("charge_type") == .string("mapped"))
        #expect(s.call("PATCH", "/containers/a", "{}").status == 200)
        for bad in [#"{"oom_group":1}"#, #"{"charge_type":"x"}"#, #"{"limits":{}}"#, "[]"] {
            #expect(s.call("PATCH", "/containers/a", bad).code == "EINVAL", "\(bad)")
        }
        #expect(try s.call("GET", "/containers/a").value("oom_group") == .bool(true))
        #expect(s.call("PATCH", "/containers/nope", "{}").code == "ENOENT")
        #expect(s.call("PUT", "/containers/a").headers["allow"] == "GET, PATCH, DELETE")
    }

    /// oom_group: an OOM in the group kills every task of it, counted as oom_group_kill.
    @Test func groupKill() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"pod","limits":{"max":"32K"},"oom_group":true}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"pod"}"#)
        s.call("POST", "/processes", #"{"pid":2,"container":"pod"}"#)
        let r = s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":6},{"op":"anon_fault","pid":2,"page":10,"count":3}]}"#)
        guard case .array(let kills) = try r.value("oom_kills") else { Issue.record("no kills"); return }
        #expect(kills.count == 2, "\(r.text)")
        #expect(s.call("GET", "/processes/1").status == 404 && s.call("GET", "/processes/2").status == 404)
        let st = s.call("GET", "/containers/pod/stats")
        #expect(try st.int("events", "oom_group_kill")! >= 1, "\(st.text)")
        #expect(try st.int("events", "oom_kill") == 2)
    }

    /// v1 move_charge: anon pages move with the process; a move that does not fit is ENOMEM.
    @Test func moveCharge() throws {
        let s = try InProcess(cgroup: .v1)
        s.call("POST", "/containers", #"{"name":"a"}"#)
        s.call("POST", "/containers", #"{"name":"b"}"#)
        s.call("POST", "/containers", #"{"name":"small","limits":{"max":"8K"}}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"a"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":5}]}"#)
        let no = s.call("PUT", "/processes/1/container", #"{"container":"small","move_charge":1}"#)
        #expect(no.status == 409 && no.code == "ENOMEM", "\(no.text)")
        #expect(try no.int("evicted", "count") == nil || no.int("evicted", "count") == 0)
        #expect(try s.call("GET", "/processes/1").value("container") == .string("a"))
        #expect(try s.call("GET", "/containers/small").int("usage") == 0)
        let r = s.call("PUT", "/processes/1/container", #"{"container":"b","move_charge":3}"#)
        #expect(r.status == 200, "\(r.text)")
        #expect(try r.value("container") == .string("b"))
        #expect(r.text.contains(#""moved":{"count":5,"pages":[0,1,2,3,4]}"#), "\(r.text)")
        #expect(try s.call("GET", "/containers/b").int("usage") == 5 * 4096)
        #expect(try s.call("GET", "/containers/a").int("usage") == 0)
        let plain = s.call("PUT", "/processes/1/container", #"{"container":"a"}"#)
        #expect(plain.text.contains(#""moved":{"count":0,"pages":[]}"#))
        #expect(try s.call("GET", "/containers/b").int("usage") == 5 * 4096)
        for bad in [#"{"container":"a","move_charge":4}"#, #"{"container":"a","move_charge":-1}"#, #"{"container":"a","move_charge":"1"}"#] {
            #expect(s.call("PUT", "/processes/1/container", bad).code == "EINVAL", "\(bad)")
        }
        let v2 = try InProcess()
        v2.call("POST", "/containers", #"{"name":"b"}"#)
        v2.call("POST", "/processes", #"{"pid":1,"container":"root"}"#)
        #expect(v2.call("PUT", "/processes/1/container", #"{"container":"b","move_charge":1}"#).code == "EOPNOTSUPP")
        #expect(v2.call("PUT", "/processes/1/container", #"{"container":"b","move_charge":0}"#).status == 200)
    }

    /// Stats carry pgscan, swap_peak and the new events, local and total; reset of max_usage resets swap_peak.
    @Test func statsFields() throws {
        let s = try InProcess(frames: 4096, swapPages: 64)
        s.call("POST", "/containers", #"{"name":"a"}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"a"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":8}]}"#)
        s.call("POST", "/containers/a/reclaim", #"{"bytes":"16K"}"#)
        let st = s.call("GET", "/containers/a/stats")
        #expect(try st.int("swap_peak") == 4 * 4096, "\(st.text)")
        #expect(try st.int("stat", "swap_peak") == 4 * 4096)
        #expect(try st.int("total_stat", "swap_peak") == 4 * 4096)
        #expect(try st.int("stat", "pgscan")! >= 4)
        for k in ["low", "high", "oom_group_kill"] {
            #expect(try st.int("events", k) == 0 && st.int("total_events", k) == 0, "\(k)")
        }
        let evicted = try s.call("GET", "/containers/a/stats").int("total_stat", "swap")!
        #expect(evicted == 4 * 4096)
        // The process gives up its slots: swap falls, the peak stays until a reset.
        for p in 0..<8 { s.call("POST", "/events", #"{"events":[{"op":"swap_free","pid":1,"page":\#(p)}]}"#) }
        let after = s.call("GET", "/containers/a/stats")
        #expect(try after.int("total_stat", "swap") == 0, "\(after.text)")
        #expect(try after.int("swap_peak") == 4 * 4096)
        #expect(try s.call("POST", "/containers/a/stats/reset", #"{"fields":["failcnt"]}"#).int("swap_peak") == 4 * 4096)
        #expect(try s.call("POST", "/containers/a/stats/reset", #"{"fields":["max_usage"]}"#).int("swap_peak") == 0)
    }
}

@Suite struct ServedSpecTests {
    /// The served spec states this machine's frames as the largest count, and nothing else differs.
    @Test func countIsTheMachines() throws {
        let s = try InProcess(frames: 1024)
        let served = s.call("GET", "/openapi.yaml").text
        #expect(served.contains("    PageCount:"))
        let a = served.split(separator: "\n", omittingEmptySubsequences: false)
        let b = (OpenAPIDocument.yaml + "\n").split(separator: "\n", omittingEmptySubsequences: false)
        #expect(a.count == b.count)
        let diff = zip(a, b).filter { $0 != $1 }
        #expect(diff.count == 1)
        #expect(diff.first?.0 == "      maximum: 1024" && diff.first?.1 == "      maximum: 2147483648")
        // A batch with count = frames is accepted; one above is refused whole.
        s.call("POST", "/processes", #"{"pid":1,"container":"root"}"#)
        #expect(s.call("POST", "/events", #"{"events":[{"op":"access","page":0,"count":1024}]}"#).status == 200)
        #expect(s.call("POST", "/events", #"{"events":[{"op":"access","page":0,"count":1025}]}"#).status == 400)
    }
}
