import MemcgEngine
import Prometheus

/// Engine-wide series: frames, swap, processes, containers, page events.
struct EngineSeries: Sendable {
    let framesUsed: Gauge
    let framesFree: Gauge
    let swapUsed: Gauge
    let swapFree: Gauge
    let processes: Gauge
    let containers: Gauge
    let charges: Counter
    let uncharges: Counter
    let evictions: Counter
    let oomKills: Counter
    let anomalies: Counter
    let unbalanced: Counter
    /// `[op][result]`.
    let events: [[Counter]]

    init(_ r: PrometheusCollectorRegistry) {
        func g(_ n: String, _ u: String, _ h: String) -> Gauge { r.makeGauge(descriptor: .init(metricName: n, unitName: u, helpText: h)) }
        func c(_ n: String, _ h: String) -> Counter { r.makeCounter(descriptor: .init(metricName: n, unitName: "total", helpText: h)) }
        framesUsed = g("memcg_frames_in_use", "", "Page frames charged to some container.")
        framesFree = g("memcg_frames_free", "", "Page frames not charged.")
        swapUsed = g("memcg_swap_used", "bytes", "Swap slots in use, in bytes.")
        swapFree = g("memcg_swap_free", "bytes", "Free swap, in bytes.")
        processes = g("memcg_processes", "", "Processes known to the engine.")
        containers = g("memcg_containers", "", "Containers, the root included.")
        charges = c("memcg_charges", "Pages charged, engine-wide.")
        uncharges = c("memcg_uncharges", "Pages uncharged, engine-wide.")
        evictions = c("memcg_evictions", "Pages evicted by reclaim, engine-wide.")
        oomKills = c("memcg_oom_kills", "Processes killed by the container OOM killer, engine-wide.")
        anomalies = c("memcg_anomalies", "Frees of pages that still held references.")
        unbalanced = c("memcg_unbalanced_uncharges", "Dropped references that the page did not hold (counted no-ops).")
        let d = MetricNameDescriptor(metricName: "memcg_page_events", unitName: "total",
                                     helpText: "Single-page events applied, by op and result.")
        events = PageOp.allCases.map { op in
            EventResult.allCases.map { res in r.makeCounter(descriptor: d, labels: [("op", op.name), ("result", res.name)]) }
        }
    }

    func update(_ s: EngineSnapshot, pageSize: Int) {
        framesUsed.set(Int64(s.chargedPages))
        framesFree.set(Int64(s.freePages))
        swapUsed.set(Int64(s.swapUsed * pageSize))
        swapFree.set(Int64(s.swapFree * pageSize))
        processes.set(Int64(s.processes))
        containers.set(Int64(s.containers))
        for (counter, v) in [(charges, s.counters.charges), (uncharges, s.counters.uncharges), (evictions, s.counters.evictions),
                             (oomKills, s.counters.oomKills), (anomalies, s.counters.anomalies), (unbalanced, s.counters.unbalancedUncharges)] {
            counter.reset()
            counter.increment(by: Int64(v))
        }
        for op in PageOp.allCases {
            for res in EventResult.allCases {
                let counter = events[op.rawValue][res.rawValue]
                counter.reset()
                counter.increment(by: Int64(s.counters.events[op.rawValue][res.rawValue]))
            }
        }
    }
}
