import MemcgEngine

extension App {
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// GET /metrics: snapshot under the engine lock, format outside it.
    func scrape() -> HTTPResponse {
        var body = metrics.scrape({ engine.read { ($0.allContainers(), $0.engineSnapshot) } }, pageSize: config.machine.pageSize,
                                  machineBytes: config.machine.memoryBytes)
        body.append(contentsOf: workloadMetrics())
        return HTTPResponse(status: 200, contentType: Self.metricsContentType, body: body)
    }
}
