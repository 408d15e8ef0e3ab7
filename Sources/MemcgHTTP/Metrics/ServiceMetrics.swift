import MemcgEngine
import Prometheus
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Every Prometheus series memcgd serves, in one swift-prometheus registry.
/// Engine values are copied into the registry at scrape time from a
/// snapshot taken under the engine lock; formatting happens outside it.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let cadvisor: Bool
    /// Serialises scrapes (the engine-wide counters are reset and re-set).
    let scrapeLock = PosixLock()
    let httpLock = PosixLock()
    /// Guarded by `httpLock` (hence `nonisolated(unsafe)`).
    nonisolated(unsafe) var httpSeries: [HTTPSeriesKey: (Counter, DurationHistogram)] = [:]
    let openConnections: Gauge
    let bytesIn: Counter
    let bytesOut: Counter
    let residentMemory: Gauge
    let engineSeries: EngineSeries

    /// Small integers only: hashing them is cheap on every request.
    struct HTTPSeriesKey: Hashable { var route: Int; var method: Int; var status: Int }
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "other"]

    static let durationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), cadvisor: Bool = false, version: String = memcgdVersion) {
        self.registry = registry
        self.cadvisor = cadvisor
        openConnections = registry.makeGauge(descriptor: .init(metricName: "memcgd_http_open_connections", unitName: "",
                                                               helpText: "HTTP connections open now."))
        bytesIn = registry.makeCounter(descriptor: .init(metricName: "memcgd_http_request_bytes", unitName: "total",
                                                         helpText: "Bytes of HTTP request bodies received."))
        bytesOut = registry.makeCounter(descriptor: .init(metricName: "memcgd_http_response_bytes", unitName: "total",
                                                          helpText: "Bytes of HTTP response bodies sent."))
        residentMemory = registry.makeGauge(descriptor: .init(metricName: "process_resident_memory", unitName: "bytes",
                                                              helpText: "Resident memory size of the memcgd process in bytes."))
        registry.makeGauge(descriptor: .init(metricName: "memcgd_build_info", unitName: "", helpText: "memcgd version; always 1."),
                           labels: [("version", version)]).set(1.0)
        engineSeries = EngineSeries(registry)
    }

    // MARK: HTTP

    /// Records one finished request.
    public func observe(route: Route?, method: String, status: Int, duration: Duration, bytesIn inBytes: Int, bytesOut outBytes: Int) {
        let routeIndex = route.map { Route.allCases.firstIndex(of: $0)! } ?? Route.allCases.count
        let methodIndex = Self.methods.firstIndex(of: method) ?? Self.methods.count - 1
        let key = HTTPSeriesKey(route: routeIndex, method: methodIndex, status: status)
        let (counter, histogram) = httpLock.withLock { () -> (Counter, DurationHistogram) in
            if let c = httpSeries[key] { return c }
            let template = route?.template ?? "other"
            let labels = [("route", template), ("method", Self.methods[methodIndex]), ("status", String(status))]
            let c = registry.makeCounter(
                descriptor: .init(metricName: "memcgd_http_requests", unitName: "total", helpText: "HTTP requests by route template, method and status."),
                labels: labels)
            let h = registry.makeDurationHistogram(
                descriptor: .init(metricName: "memcgd_http_request_duration", unitName: "seconds", helpText: "HTTP request duration by route template."),
                labels: [("route", template)], buckets: Self.durationBuckets)
            httpSeries[key] = (c, h)
            return (c, h)
        }
        counter.increment()
        histogram.record(duration)
        if inBytes > 0 { bytesIn.increment(by: Int64(inBytes)) }
        if outBytes > 0 { bytesOut.increment(by: Int64(outBytes)) }
    }

    public func connectionOpened() { openConnections.increment(by: 1.0) }
    public func connectionClosed() { openConnections.decrement(by: 1.0) }

    // MARK: scrape

    /// Copies engine-wide values into the registry, renders it, then renders
    /// the per-container families from the snapshot. `snapshot` runs under
    /// the engine lock and only copies values; formatting happens outside it.
    public func scrape(_ snapshot: () -> ([ContainerSnapshot], EngineSnapshot), pageSize: Int, machineBytes: Int = 0) -> [UInt8] {
        scrapeLock.withLock {
            let (containers, engine) = snapshot()
            engineSeries.update(engine, pageSize: pageSize)
            residentMemory.set(Double(Self.residentBytes()))
            var out: [UInt8] = []
            out.reserveCapacity(16384 + containers.count * (cadvisor ? 3000 : 1900))
            registry.emit(into: &out)
            ContainerExposition.render(containers, pageSize: pageSize, cadvisor: cadvisor, machineBytes: machineBytes, into: &out)
            return out
        }
    }

    /// Resident set size from /proc/self/statm.
    static func residentBytes() -> Int {
        #if canImport(Glibc)
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 127) }
        guard n > 0 else { return 0 }
        let fields = String(decoding: buf[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE))
        #else
        return 0
        #endif
    }
}
