import Dispatch
import MemcgEngine
import MemcgHTTP
import Synchronization

/// GET /metrics cost with many containers, and page-event ingestion with
/// and without a scrape every 100 ms (in-process, through the route table).
func scrapeBenchmarks() throws {
    let clock = ContinuousClock()
    for count in [1_000, 10_000] {
        let app = try App(config: AppConfig(machine: try Machine(pageSize: 4096, memoryBytes: 16 << 30)))
        for i in 0..<count {
            _ = app.handle(HTTPRequest(method: "POST", path: "/containers", body: Array(#"{"name":"c\#(i)","limits":{"max":"1G"}}"#.utf8)))
            _ = app.handle(HTTPRequest(method: "POST", path: "/processes", body: Array(#"{"pid":\#(i + 1),"container":"c\#(i)"}"#.utf8)))
        }
        // Some charges everywhere, so values are not all zero.
        for i in 0..<count {
            _ = app.handle(HTTPRequest(method: "POST", path: "/events",
                                       body: Array(#"{"events":[{"op":"anon_fault","pid":\#(i + 1),"page":\#(i * 64),"count":32}]}"#.utf8)))
        }
        _ = app.handle(HTTPRequest(method: "GET", path: "/metrics"))  // first scrape registers the series
        var times: [Duration] = []
        var size = 0
        for _ in 0..<5 {
            var bytes = 0
            times.append(clock.measure { bytes = app.handle(HTTPRequest(method: "GET", path: "/metrics")).0.body.count })
            size = bytes
        }
        times.sort()
        print("scrape, \(count) containers: median \(format1(seconds(times[2]) * 1000)) ms, best \(format1(seconds(times[0]) * 1000)) ms (\(size >> 10) KiB)")
    }

    // Ingestion while scraped.
    let app = try App(config: AppConfig(machine: try Machine(pageSize: 4096, memoryBytes: 16 << 30)))
    for i in 0..<1_000 {
        _ = app.handle(HTTPRequest(method: "POST", path: "/containers", body: Array(#"{"name":"c\#(i)"}"#.utf8)))
    }
    _ = app.handle(HTTPRequest(method: "POST", path: "/processes", body: Array(#"{"pid":1,"container":"c0"}"#.utf8)))
    let pages = (0..<10_000).map(String.init).joined(separator: ",")
    let body = Array(#"{"events":[{"op":"anon_fault","pid":1,"pages":[\#(pages)]},{"op":"unmap","pid":1,"pages":[\#(pages)]}]}"#.utf8)
    func ingest(for d: Duration) -> Double {
        var events = 0
        let start = clock.now
        while clock.now - start < d {
            _ = app.handle(HTTPRequest(method: "POST", path: "/events", body: body))
            events += 20_000
        }
        return Double(events) / seconds(clock.now - start)
    }
    let quiet1 = ingest(for: .seconds(2))
    let stop = Atomic<Bool>(false)
    let scrapes = Atomic<Int>(0)
    let group = DispatchGroup()
    let box = UncheckedBox(app)
    DispatchQueue.global().async(group: group) {
        while !stop.load(ordering: .relaxed) {
            _ = box.value.handle(HTTPRequest(method: "GET", path: "/metrics"))
            scrapes.add(1, ordering: .relaxed)
            usleepMillis(100)
        }
    }
    let busy = ingest(for: .seconds(2))
    stop.store(true, ordering: .relaxed)
    group.wait()
    let quiet2 = ingest(for: .seconds(2))
    let quiet = (quiet1 + quiet2) / 2
    print("POST /events (pages lists, 1,000 containers): \(format1(quiet / 1e6)) M events/s unscraped, "
          + "\(format1(busy / 1e6)) M events/s scraped every 100 ms (\(scrapes.load(ordering: .relaxed)) scrapes): "
          + "\(format1(100 * (busy / quiet - 1)))%")
}

/// A value handed to one benchmark thread and read back after it joined
/// (`@unchecked Sendable`: never touched by two threads at once).
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Cost of one GET /containers/{name}/stats through the route table alone.
func routeBenchmark() throws {
    let app = try App(config: AppConfig(machine: try Machine(pageSize: 4096, memoryBytes: 16 << 30)))
    _ = app.handle(HTTPRequest(method: "POST", path: "/containers", body: Array(#"{"name":"web"}"#.utf8)))
    let clock = ContinuousClock()
    let n = 200_000
    var bytes = 0
    let t = clock.measure {
        for _ in 0..<n { bytes &+= app.handle(HTTPRequest(method: "GET", path: "/containers/web/stats")).0.body.count }
    }
    print("route table, GET /containers/web/stats: \(format1(seconds(t) / Double(n) * 1e9)) ns/request (\(bytes / n) bytes)")
    let t2 = clock.measure {
        for _ in 0..<n {
            app.metrics.observe(route: .containerStats, method: "GET", status: 200, duration: .microseconds(10), bytesIn: 0, bytesOut: 678)
        }
    }
    print("request metrics (counter + histogram): \(format1(seconds(t2) / Double(n) * 1e9)) ns/request")
}
