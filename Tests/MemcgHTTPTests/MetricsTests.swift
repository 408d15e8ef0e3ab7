import MemcgEngine
@testable import MemcgHTTP
import Testing

/// Parses exposition text into series -> value, failing on a duplicate series.
func parseExposition(_ text: String) throws -> [String: Double] {
    var out: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " ") else { throw JSONError("bad line \(line)") }
        let series = String(line[..<space])
        guard out[series] == nil else { throw JSONError("duplicate series \(series)") }
        out[series] = Double(line[line.index(after: space)...])
    }
    return out
}

@Suite struct MetricsTests {
    /// Per-container series carry the model's values, in bytes; deleted containers vanish.
    @Test func containerSeries() throws {
        let s = try InProcess(frames: 4096, swapPages: 8)
        s.call("POST", "/containers", #"{"name":"web","limits":{"max":"64K"}}"#)
        s.call("POST", "/containers", #"{"name":"old"}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"web"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"pagecache_add","pid":1,"page":0,"count":20},{"op":"anon_fault","pid":1,"page":100,"count":3}]}"#)
        let first = try parseExposition(s.call("GET", "/metrics").text)
        #expect(first[#"memcg_usage_bytes{container="old"}"#] == 0)
        s.call("DELETE", "/containers/old")
        let r = s.call("GET", "/metrics")
        #expect(r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let m = try parseExposition(r.text)
        let st = s.call("GET", "/containers/web/stats")
        #expect(m[#"memcg_usage_bytes{container="web"}"#] == Double(try st.int("usage")!))
        #expect(m[#"memcg_limit_bytes{container="web"}"#] == 65536)
        #expect(m[#"memcg_limit_bytes{container="root"}"#] == nil)
        #expect(m[#"memcg_failcnt_total{container="web"}"#] == Double(try st.int("failcnt")!))
        #expect(m[#"memcg_pgsteal_total{container="web"}"#] == Double(try st.int("total_stat", "pgsteal")!))
        #expect(m[#"memcg_lru_bytes{container="web",lru="inactive_file"}"#] == Double(try st.int("total_stat", "inactive_file")!))
        #expect(m[#"memcg_events_total{container="web",event="max"}"#] == Double(try st.int("events", "max")!))
        #expect(m[#"memcg_rss_bytes{container="root"}"#] == Double(3 * 4096))
        #expect(m[#"memcg_page_events_total{op="anon_fault",result="ok"}"#] == 3)
        #expect(m[#"memcg_frames_in_use"#] == Double(23 - (try st.int("stat", "pgsteal")!)))
        #expect(!r.text.contains(#"container="old""#))
    }

    /// The v2 controls: high and swap_max only when limited, low and min 0 when unset; pgscan, swap_peak, new events.
    @Test func controlSeries() throws {
        let s = try InProcess(frames: 4096, swapPages: 64)
        s.call("POST", "/containers", #"{"name":"a","limits":{"high":"64K","low":"32K","min":"16K","swap_max":"128K"}}"#)
        s.call("POST", "/containers", #"{"name":"b","limits":{"low":"max"}}"#)
        s.call("POST", "/processes", #"{"pid":1,"container":"a"}"#)
        s.call("POST", "/events", #"{"events":[{"op":"anon_fault","pid":1,"page":0,"count":24}]}"#)
        let m = try parseExposition(s.call("GET", "/metrics").text)
        let st = s.call("GET", "/containers/a/stats")
        #expect(m[#"memcg_high_bytes{container="a"}"#] == 65536)
        #expect(m[#"memcg_high_bytes{container="b"}"#] == nil)
        #expect(m[#"memcg_swap_max_bytes{container="a"}"#] == 131072)
        #expect(m[#"memcg_swap_max_bytes{container="root"}"#] == nil)
        #expect(m[#"memcg_low_bytes{container="a"}"#] == 32768)
        #expect(m[#"memcg_low_bytes{container="b"}"#] == nil)
        #expect(m[#"memcg_min_bytes{container="a"}"#] == 16384)
        #expect(m[#"memcg_min_bytes{container="b"}"#] == 0)
        #expect(m[#"memcg_swap_peak_bytes{container="a"}"#] == Double(try st.int("swap_peak")!))
        #expect(try st.int("swap_peak")! > 0)
        #expect(m[#"memcg_pgscan_total{container="a"}"#] == Double(try st.int("total_stat", "pgscan")!))
        #expect(m[#"memcg_events_total{container="a",event="high"}"#] == Double(try st.int("events", "high")!))
        #expect(try st.int("events", "high")! > 0)
        for e in ["low", "oom_group_kill"] { #expect(m["memcg_events_total{container=\"a\",event=\"\(e)\"}"] == 0) }
    }

    /// Every family has HELP and TYPE.
    @Test func helpAndType() throws {
        let s = try InProcess()
        s.call("POST", "/containers", #"{"name":"a"}"#)
        let text = s.call("GET", "/metrics").text
        var typed = Set<String>(), helped = Set<String>()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if line.hasPrefix("# TYPE ") { typed.insert(String(parts[2])) }
            if line.hasPrefix("# HELP ") { helped.insert(String(parts[2])) }
        }
        #expect(typed == helped)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = typed.contains(name) ? name : String(name.replacing(/_(bucket|sum|count)$/, with: ""))
            #expect(typed.contains(family), "\(name) has no TYPE")
        }
    }

    /// The cAdvisor option adds cAdvisor's names with id and name labels; unlimited is 0.
    @Test func cadvisorNames() throws {
        let machine = try Machine(pageSize: 4096, memoryBytes: 1 << 24)
        let app = try App(config: AppConfig(machine: machine, cadvisorMetrics: true), metrics: ServiceMetrics(cadvisor: true))
        _ = app.handle(HTTPRequest(method: "POST", path: "/containers", body: Array(#"{"name":"a","limits":{"max":"1M"}}"#.utf8)))
        _ = app.handle(HTTPRequest(method: "POST", path: "/containers", body: Array(#"{"name":"b","parent":"a"}"#.utf8)))
        let m = try parseExposition(app.handle(HTTPRequest(method: "GET", path: "/metrics")).0.bodyText)
        #expect(m[#"container_spec_memory_limit_bytes{id="/a",name="a"}"#] == 1_048_576)
        #expect(m[#"container_spec_memory_limit_bytes{id="/a/b",name="b"}"#] == 0)
        #expect(m[#"container_memory_usage_bytes{id="/",name="root"}"#] == 0)
        for name in ["container_memory_working_set_bytes", "container_memory_rss", "container_memory_cache", "container_memory_swap",
                     "container_memory_mapped_file", "container_memory_max_usage_bytes", "container_memory_failcnt", "container_oom_events_total"] {
            #expect(m[name + #"{id="/a/b",name="b"}"#] != nil, "\(name)")
        }
    }
}
