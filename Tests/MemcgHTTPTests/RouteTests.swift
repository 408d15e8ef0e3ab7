import MemcgEngine
@testable import MemcgHTTP
import Testing

@Suite struct RouteTests {
    /// Health, machine and the spec are served.
    @Test func basics() throws {
        let s = try InProcess(frames: 1024, swapPages: 16)
        #expect(s.call("GET", "/healthz").text == #"{"status":"ok"}"#)
        let m = s.call("GET", "/machine")
        #expect(try m.int("total_pages") == 1024)
        #expect(try m.int("memory_bytes") == 4 << 20)
        #expect(try m.int("swap_free_bytes") == 16 * 4096)
        #expect(try m.int("free_pages") == 1024)
        #expect(try m.value("cgroup") == .string("v2"))
        #expect(try InProcess(cgroup: .v1).call("GET", "/machine").value("cgroup") == .string("v1"))
        let spec = s.call("GET", "/openapi.yaml")
        #expect(spec.status == 200 && spec.text.hasPrefix("openapi: 3.1.0"))
        #expect(spec.headers["content-type"] == "application/yaml")
    }

    /// Containers: create (201 + Location), get, list, limits, stats, delete (204).
    @Test func containerLifecycle() throws {
        let s = try InProcess()
        let c = s.call("POST", "/containers", #"{"name":"web","limits":{"max":"1M"}}"#)
        #expect(c.status == 201)
        #expect(c.headers["location"] == "/containers/web")
        #expect(try c.int("limits", "max") == 1 << 20)
        #expect(s.call("POST", "/containers", #"{"name":"api","parent":"web","charge_type":"mapped"}"#).status == 201)
        let web = s.call("GET", "/containers/web")
        #expect(try web.value("children") == .array([.string("api")]))
        #expect(try s.call("GET", "/containers/api").value("path") == .string("/web/api"))
        let list = s.call("GET", "/containers")
        guard case .array(let all) = try list.value("containers") else { Issue.record("no list"); return }
        #expect(all.count == 3)
        #expect(try s.call("GET", "/containers/api/limits").value("max") == .null)
        #expect(try s.call("GET", "/containers/api/stats").value("hierarchical_memory_limit") == .int(1 << 20))
        #expect(s.call("DELETE", "/containers/web").status == 409)
        #expect(s.call("DELETE", "/containers/api").status == 204)
        #expect(s.call("GET", "/containers/api").status == 404)
    }

    /// v1 limits accept bytes, size strings, max, -1 and null; round down; refuse bad forms and the v2 controls.
    @Test(arguments: [
        (#"{"max":4097}"#, 200, "4096"), (#"{"max":"8K"}"#, 200, "8192"), (#"{"max":"max"}"#, 200, "null"),
        (#"{"max":-1}"#, 200, "null"), (#"{"max":null}"#, 200, "null"), (#"{"max":"-1"}"#, 200, "null"),
        (#"{"max":4096.0}"#, 200, "4096"), (#"{"max":8.192e3}"#, 200, "8192"), (#"{}"#, 200, "65536"),
        (#"{"max":1.5}"#, 400, "EINVAL"), (#"{"max":1e400}"#, 400, "EINVAL"), (#"{"max":"1.0"}"#, 400, "EINVAL"), (#"{"max":"1kb"}"#, 400, "EINVAL"),
        (#"{"max":"xx"}"#, 400, "EINVAL"), (#"{"max":-10}"#, 400, "EINVAL"), (#"{"max":""}"#, 400, "EINVAL"),
        (#"{"max":99999999999999999999999}"#, 400, "EINVAL"), (#"{"max":true}"#, 400, "EINVAL"),
        (#"{"high":"1M"}"#, 400, "EOPNOTSUPP"), (#"{"swap_max":0}"#, 400, "EOPNOTSUPP"), (#"{"soft":0}"#, 400, "EOPNOTSUPP"),
        (#"{"bogus":1}"#, 400, "EINVAL"), (#"[]"#, 400, "EINVAL"),
    ])
    func limits(body: String, status: Int, expect: String) throws {
        let s = try InProcess(cgroup: .v1)
        s.call("POST", "/containers", #"{"name":"a","limits":{"max":"64K"}}"#)
        let r = s.call("PUT", "/containers/a/limits", body)
        #expect(r.status == status, "\(body): \(r.text)")
        if status == 200 {
            #expect(try r.value("max") == (expect == "null" ? .null : .int(Int(expect)!)))
        } else {
            #expect(r.code == expect)
            #expect(r.headers["content-type"] == "application/problem+json")
            #expect(try s.call("GET", "/containers/a/limits").value("max") == .int(65536))
        }
    }

    /// A limit on the root is EINVAL.
    @Test func rootLimit() throws {
        let s = try InProcess()
        #expect(s.call("PUT", "/containers/root/limits", #"{"max":"1M"}"#).code == "EINVAL")
        #expect(s.call("POST", "/containers/root/force_empty").code == "EINVAL")
        #expect(s.call("DELETE", "/containers/root").code == "EINVAL")
    }

    /// v1: lowering below unreclaimable usage: 409 EBUSY, old limit kept.
    @Test func limitBusy() throws {
        let s = try InProcess(cgroup: .v1)
        s.call("POST", "/containers", #"{"name":"a"}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"a"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":10}]}"#)
        let r = s.call("PUT", "/containers/a/limits", #"{"max":4096}"#)
        #expect(r.status == 409 && r.code == "EBUSY")
        #expect(try s.call("GET", "/containers/a/limits").value("max") == .null)
    }

    /// Processes: create, fork, get, list, move, exit.
    @Test func processes() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"a"}"#)
        let p = s.call("POST", "/processes", #"{"pid":10,"container":"a"}"#)
        #expect(p.status == 201 && p.headers["location"] == "/processes/10")
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":10,"pages":[1,2,3]}]}"#)
        let f = s.call("POST", "/processes", #"{"pid":11,"parent_pid":10}"#)
        #expect(f.status == 201)
        #expect(try f.int("mapped_pages") == 3)
        #expect(try f.value("container") == .string("a"))
        #expect(s.call("POST", "/processes", #"{"pid":10,"container":"a"}"#).code == "EEXIST")
        #expect(s.call("POST", "/processes", #"{"pid":12,"parent_pid":99}"#).code == "ESRCH")
        #expect(s.call("POST", "/processes", #"{"pid":12,"container":"nope"}"#).code == "ENOENT")
        #expect(s.call("PUT", "/processes/11/container", #"{"container":"root"}"#).status == 200)
        #expect(try s.call("GET", "/processes/11").value("container") == .string("root"))
        guard case .array(let list) = try s.call("GET", "/processes").value("processes") else { return }
        #expect(list.count == 2)
        #expect(s.call("DELETE", "/processes/10").status == 204)
        #expect(s.call("DELETE", "/processes/10").status == 404)
        #expect(s.call("GET", "/processes/abc").code == "EINVAL")
        #expect(s.call("GET", "/processes/0").code == "EINVAL")
    }

    /// A batch reports per-event failures by index, OOM kills and evictions.
    @Test func eventBatch() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"web","limits":{"max":"16K"}}"#)
        s.call("POST", "/processes", #"{"pid":100,"container":"web"}"#)
        let r = s.call("POST", "/events", """
            {"events":[{"op":"anon_fault","pid":100,"page":0,"count":4},{"op":"anon_fault","pid":7,"page":9},
                       {"op":"anon_fault","pid":100,"page":99999},{"op":"anon_fault","pid":100,"page":5}],
             "list_evicted":true}
            """)
        #expect(r.status == 200)
        #expect(try r.int("applied") == 4)
        #expect(try r.int("failed") == 3)
        #expect(r.text.contains(#"{"index":1,"page":9,"count":1,"code":"ESRCH"}"#))
        #expect(r.text.contains(#"{"index":2,"page":99999,"count":1,"code":"EINVAL"}"#))
        #expect(r.text.contains(#"{"index":3,"page":5,"count":1,"code":"ENOMEM","container":"web"}"#))
        #expect(r.text.contains(#""oom_kills":[{"pid":100,"container":"web","pages":4}]"#))
        #expect(r.text.contains(#""evicted":{"count":0,"pages":[]}"#))
        let st = s.call("GET", "/containers/web/stats")
        #expect(try st.int("failcnt") == 1)
        #expect(try st.int("events", "oom_kill") == 1)
        #expect(try st.int("usage") == 0)
        let reset = s.call("POST", "/containers/web/stats/reset", #"{"fields":["failcnt"]}"#)
        #expect(try reset.int("failcnt") == 0)
        #expect(try reset.int("max_usage") == 16384)
        #expect(try s.call("POST", "/containers/web/stats/reset").int("max_usage") == 0)
    }

    /// force_empty reclaims the page cache and reports it.
    @Test func forceEmpty() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"a"}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"a"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"pagecache_add","pid":1,"page":0,"count":40}]}"#)
        let r = s.call("POST", "/containers/a/force_empty")
        #expect(r.status == 200)
        #expect(try r.int("evicted", "count") == 40)
        #expect(try r.int("usage") == 0)
    }

    /// Unknown routes 404, wrong methods 405 with Allow.
    @Test func routing() throws {
        let s = try InProcess()
        #expect(s.call("GET", "/nope").status == 404)
        #expect(s.call("GET", "/containers/a/b/c/d").status == 404)
        let r = s.call("DELETE", "/events")
        #expect(r.status == 405)
        #expect(r.headers["allow"] == "POST")
        #expect(s.call("PATCH", "/containers").headers["allow"] == "GET, POST")
        #expect(s.call("GET", "/containers/nope").code == "ENOENT")
        #expect(s.call("GET", "/processes/4242").code == "ESRCH")
    }

    /// Bad input of every kind is a 4xx problem and changes nothing.
    @Test(arguments: [
        ("POST", "/containers", "{"), ("POST", "/containers", ""), ("POST", "/containers", #"{"name":"a/b"}"#),
        ("POST", "/containers", #"{"name":".."}"#), ("POST", "/containers", #"{"name":"\#(String(repeating: "x", count: 65))"}"#),
        ("POST", "/containers", #"{"name":5}"#), ("POST", "/containers", #"{"name":"ok","extra":1}"#),
        ("POST", "/containers", #"{"name":"ok","charge_type":"some"}"#), ("POST", "/containers", "[1,2]"),
        ("POST", "/processes", #"{"pid":-1,"container":"root"}"#), ("POST", "/processes", #"{"pid":1.5,"container":"root"}"#),
        ("POST", "/processes", #"{"pid":99999999999999999999,"container":"root"}"#), ("POST", "/processes", #"{"pid":"1","container":"root"}"#),
        ("POST", "/processes", #"{"pid":1}"#), ("POST", "/processes", #"{"pid":1,"container":"root","parent_pid":2}"#),
        ("POST", "/events", ""), ("POST", "/events", "{}"), ("POST", "/events", #"{"events":{}}"#),
        ("POST", "/events", #"{"events":[{"op":"nope","page":1}]}"#), ("POST", "/events", #"{"events":[{"op":"free"}]}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":-3}]}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":1.5}]}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","page":1}]}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":"1"}]}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"pages":[1,-2]}]}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":1,"count":99999999}]}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":1,"pages":[2]}]}"#),
        ("POST", "/events", #"{"events":[{"op":"migrate","pages":[1,2],"old_pages":[3]}]}"#),
        ("POST", "/events", #"{"events":[{"op":"cow","pid":1,"page":1}]}"#),
        ("POST", "/events", #"{"events":[{"op":"unmap","pid":1,"page":1,"shmem":true}]}"#),
        ("POST", "/events", #"{"events":[{"op":"free","page":1,"bogus":2}]}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":1}],"x":1}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":100000000000000000000}]}"#),
        ("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":1}]} trailing"#),
        ("POST", "/events", String(repeating: "[", count: 10000)),
        ("GET", "/containers/a..b", nil), ("GET", "/containers/\(String(repeating: "y", count: 65))", nil),
        ("PUT", "/processes/1/container", #"{"container":"a/b"}"#),
        ("POST", "/containers/root/stats/reset", #"{"fields":["usage"]}"#),
    ] as [(String, String, String?)])
    func badInput(method: String, path: String, body: String?) throws {
        let s = try InProcess(frames: 1024)
        s.call("POST", "/processes", #"{"pid":1,"container":"root"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":7}]}"#)
        let before = (s.call("GET", "/containers").text, s.call("GET", "/processes").text, s.call("GET", "/stats").text)
        let r = s.call(method, path, body)
        #expect(r.status == 400, "\(body ?? path): \(r.status) \(r.text)")
        #expect(r.code == "EINVAL")
        #expect(r.headers["content-type"] == "application/problem+json")
        let after = (s.call("GET", "/containers").text, s.call("GET", "/processes").text, s.call("GET", "/stats").text)
        #expect(before == after)
    }

    /// With a token, requests need it; health, metrics and the spec stay open.
    @Test func bearerToken() throws {
        let s = try InProcess(token: "s3cret")
        let r = s.call("POST", "/containers", #"{"name":"a"}"#)
        #expect(r.status == 401 && r.code == "EACCES")
        #expect(r.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(s.call("POST", "/containers", #"{"name":"a"}"#, auth: "Bearer wrong").status == 401)
        #expect(s.call("GET", "/containers").status == 401)
        #expect(s.call("POST", "/containers", #"{"name":"a"}"#, auth: "Bearer s3cret").status == 201)
        #expect(s.call("GET", "/healthz").status == 200)
        #expect(s.call("GET", "/metrics").status == 200)
        #expect(s.call("GET", "/openapi.yaml").status == 200)
    }

    /// /stats counts events by op and result.
    @Test func engineStats() throws {
        let s = try InProcess()
        s.call("POST", "/processes", #"{"pid":1,"container":"root"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":5},{"op":"unmap","pid":1,"page":9}]}"#)
        let r = s.call("GET", "/stats")
        #expect(try r.int("charges") == 5)
        #expect(try r.int("events_applied") == 6)
        #expect(try r.int("events", "anon_fault", "ok") == 5)
        #expect(try r.int("events", "unmap", "noop") == 1)
        #expect(try r.int("unbalanced_uncharges") == 1)
    }

    /// The served spec is the repository's openapi/openapi.yaml.
    @Test func specInSync() throws {
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let file = try String(contentsOfFile: "/" + path + "/openapi/openapi.yaml", encoding: .utf8)
        #expect(OpenAPIDocument.yaml + "\n" == file, "run `make openapi`")
    }
}

import Foundation
