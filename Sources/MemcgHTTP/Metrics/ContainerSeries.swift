import MemcgEngine
import Prometheus

/// The series of one container: the memcg_ names, and with
/// `--metrics-compat cadvisor` also cAdvisor's.
struct ContainerSeries {
    let name: String
    let path: String
    let gauges: [(Gauge, KeyPath<ContainerSnapshot, Int>)]
    let counters: [(Counter, KeyPath<ContainerSnapshot, Int>)]
    /// Set only while the container has a limit.
    var limit: Gauge?
    let cadvisorLimit: Gauge?
    let labels: [(String, String)]

    static func d(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: unit, helpText: help)
    }

    init(_ r: PrometheusCollectorRegistry, name: String, path: String, cadvisor: Bool) {
        self.name = name
        self.path = path
        let l = [("container", name)]
        labels = l
        var g: [(Gauge, KeyPath<ContainerSnapshot, Int>)] = [
            (r.makeGauge(descriptor: Self.d("memcg_usage", "bytes", "Memory charged to the container and its descendants."), labels: l), \.usage),
            (r.makeGauge(descriptor: Self.d("memcg_max_usage", "bytes", "Highest usage since creation or the last reset."), labels: l), \.maxUsage),
            (r.makeGauge(descriptor: Self.d("memcg_working_set", "bytes", "Usage minus inactive file pages, as cAdvisor reports it."), labels: l), \.workingSet),
            (r.makeGauge(descriptor: Self.d("memcg_rss", "bytes", "Anonymous memory, hierarchical."), labels: l), \.total.rss),
            (r.makeGauge(descriptor: Self.d("memcg_cache", "bytes", "Page cache including shmem, hierarchical."), labels: l), \.total.cache),
            (r.makeGauge(descriptor: Self.d("memcg_shmem", "bytes", "Swap-backed page cache (tmpfs, shm), hierarchical."), labels: l), \.total.shmem),
            (r.makeGauge(descriptor: Self.d("memcg_mapped_file", "bytes", "Page-cache memory mapped by processes, hierarchical."), labels: l), \.total.mappedFile),
            (r.makeGauge(descriptor: Self.d("memcg_swap", "bytes", "Swap used by evicted pages, hierarchical."), labels: l), \.total.swap),
        ]
        let lru = Self.d("memcg_lru", "bytes", "Memory on each LRU list, hierarchical.")
        for (list, path) in [("active_anon", \ContainerSnapshot.total.activeAnon), ("inactive_anon", \.total.inactiveAnon),
                             ("active_file", \.total.activeFile), ("inactive_file", \.total.inactiveFile),
                             ("unevictable", \.total.unevictable)] {
            g.append((r.makeGauge(descriptor: lru, labels: l + [("lru", list)]), path))
        }
        var c: [(Counter, KeyPath<ContainerSnapshot, Int>)] = [
            (r.makeCounter(descriptor: Self.d("memcg_failcnt", "total", "Page charges that found this level full."), labels: l), \.failcnt),
            (r.makeCounter(descriptor: Self.d("memcg_pgpgin", "total", "Pages charged, hierarchical."), labels: l), \.total.pgpgin),
            (r.makeCounter(descriptor: Self.d("memcg_pgpgout", "total", "Pages uncharged, hierarchical."), labels: l), \.total.pgpgout),
            (r.makeCounter(descriptor: Self.d("memcg_pgsteal", "total", "Pages reclaimed, hierarchical."), labels: l), \.total.pgsteal),
            (r.makeCounter(descriptor: Self.d("memcg_pgfault", "total", "Page faults, hierarchical."), labels: l), \.total.pgfault),
        ]
        let ev = Self.d("memcg_events", "total", "Memory events counted at this level: max, oom, oom_kill.")
        for (event, path) in [("max", \ContainerSnapshot.local.eventsMax), ("oom", \.local.eventsOOM), ("oom_kill", \.local.eventsOOMKill)] {
            c.append((r.makeCounter(descriptor: ev, labels: l + [("event", event)]), path))
        }
        if cadvisor {
            let cl = [("id", path), ("name", name)]
            g += [
                (r.makeGauge(descriptor: Self.d("container_memory_usage", "bytes", "Current memory usage in bytes, including all memory regardless of when it was accessed"), labels: cl), \.usage),
                (r.makeGauge(descriptor: Self.d("container_memory_working_set", "bytes", "Current working set in bytes."), labels: cl), \.workingSet),
                (r.makeGauge(descriptor: Self.d("container_memory_rss", "", "Size of RSS in bytes."), labels: cl), \.total.rss),
                (r.makeGauge(descriptor: Self.d("container_memory_cache", "", "Number of bytes of page cache memory."), labels: cl), \.total.cache),
                (r.makeGauge(descriptor: Self.d("container_memory_swap", "", "Container swap usage in bytes."), labels: cl), \.total.swap),
                (r.makeGauge(descriptor: Self.d("container_memory_mapped_file", "", "Size of memory mapped files in bytes."), labels: cl), \.total.mappedFile),
                (r.makeGauge(descriptor: Self.d("container_memory_max_usage", "bytes", "Maximum memory usage recorded in bytes"), labels: cl), \.maxUsage),
            ]
            c += [
                (r.makeCounter(descriptor: Self.d("container_memory_failcnt", "", "Number of memory usage hits limits"), labels: cl), \.failcnt),
                (r.makeCounter(descriptor: Self.d("container_oom_events", "total", "Count of out of memory events observed for the container"), labels: cl), \.total.eventsOOMKill),
            ]
            cadvisorLimit = r.makeGauge(descriptor: Self.d("container_spec_memory_limit", "bytes", "Memory limit for the container."), labels: cl)
        } else {
            cadvisorLimit = nil
        }
        gauges = g
        counters = c
    }

    static var limitDescriptor: MetricNameDescriptor { d("memcg_limit", "bytes", "The container's memory limit (max); no series when unlimited.") }

    mutating func update(_ s: ContainerSnapshot, pageSize: Int, registry: PrometheusCollectorRegistry) {
        for (gauge, path) in gauges { gauge.set(Int64(s[keyPath: path] * pageSize)) }
        for (counter, path) in counters {
            counter.reset()
            counter.increment(by: Int64(s[keyPath: path]))
        }
        if let l = s.limit {
            if limit == nil { limit = registry.makeGauge(descriptor: Self.limitDescriptor, labels: labels) }
            limit!.set(Int64(l * pageSize))
        } else if let g = limit {
            registry.unregisterGauge(g)
            limit = nil
        }
        cadvisorLimit?.set(Int64((s.limit ?? 0) * pageSize))
    }

    func unregister(_ r: PrometheusCollectorRegistry) {
        for (g, _) in gauges { r.unregisterGauge(g) }
        for (c, _) in counters { r.unregisterCounter(c) }
        if let limit { r.unregisterGauge(limit) }
        if let cadvisorLimit { r.unregisterGauge(cadvisorLimit) }
    }
}
