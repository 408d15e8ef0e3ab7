import MemcgEngine

/// Renders the per-container families straight from a snapshot.
///
/// Why not through the swift-prometheus registry like the other series:
/// in 2.4.1 a metric family is an immutable dictionary that is copied on
/// every new label set, so registering N containers' series costs O(N²)
/// (measured: 265 s for the first scrape with 10,000 containers), and its
/// exposition formats every gauge through `Double.description` (130 ms per
/// scrape at 10,000 containers). Rendering these families from the snapshot
/// costs a few milliseconds, and a deleted container's series disappear by
/// construction. Values are integers (bytes and counts), written as such.
struct ContainerExposition {
    enum Kind: Sendable {
        case gauge, counter
        var text: StaticString { self == .gauge ? "gauge" : "counter" }
    }

    struct Family: Sendable {
        let name: StaticString
        let kind: Kind
        let help: StaticString
        /// An extra label (name, value) when the family splits a value.
        let extra: (StaticString, StaticString)?
        let cadvisor: Bool
        let value: @Sendable (ContainerSnapshot) -> Int
        /// Whether `value` is in pages (converted to bytes).
        let pages: Bool
    }

    /// One family may have several series per container (lru, event):
    /// grouped here so each family's lines stay contiguous.
    static let families: [[Family]] = [
        [Family(name: "memcg_usage_bytes", kind: .gauge, help: "Memory charged to the container and its descendants.", extra: nil, cadvisor: false, value: { $0.usage }, pages: true)],
        [Family(name: "memcg_limit_bytes", kind: .gauge, help: "The container's memory limit (max); no series when unlimited.", extra: nil, cadvisor: false, value: { $0.limit ?? -1 }, pages: true)],
        [Family(name: "memcg_max_usage_bytes", kind: .gauge, help: "Highest usage since creation or the last reset.", extra: nil, cadvisor: false, value: { $0.maxUsage }, pages: true)],
        [Family(name: "memcg_working_set_bytes", kind: .gauge, help: "Usage minus inactive file pages, as cAdvisor reports it.", extra: nil, cadvisor: false, value: { $0.workingSet }, pages: true)],
        [Family(name: "memcg_rss_bytes", kind: .gauge, help: "Anonymous memory, hierarchical.", extra: nil, cadvisor: false, value: { $0.total.rss }, pages: true)],
        [Family(name: "memcg_cache_bytes", kind: .gauge, help: "Page cache including shmem, hierarchical.", extra: nil, cadvisor: false, value: { $0.total.cache }, pages: true)],
        [Family(name: "memcg_shmem_bytes", kind: .gauge, help: "Swap-backed page cache (tmpfs, shm), hierarchical.", extra: nil, cadvisor: false, value: { $0.total.shmem }, pages: true)],
        [Family(name: "memcg_mapped_file_bytes", kind: .gauge, help: "Page-cache memory mapped by processes, hierarchical.", extra: nil, cadvisor: false, value: { $0.total.mappedFile }, pages: true)],
        [Family(name: "memcg_swap_bytes", kind: .gauge, help: "Swap used by evicted pages, hierarchical.", extra: nil, cadvisor: false, value: { $0.total.swap }, pages: true)],
        [
            Family(name: "memcg_lru_bytes", kind: .gauge, help: "Memory on each LRU list, hierarchical.", extra: ("lru", "active_anon"), cadvisor: false, value: { $0.total.activeAnon }, pages: true),
            Family(name: "memcg_lru_bytes", kind: .gauge, help: "", extra: ("lru", "inactive_anon"), cadvisor: false, value: { $0.total.inactiveAnon }, pages: true),
            Family(name: "memcg_lru_bytes", kind: .gauge, help: "", extra: ("lru", "active_file"), cadvisor: false, value: { $0.total.activeFile }, pages: true),
            Family(name: "memcg_lru_bytes", kind: .gauge, help: "", extra: ("lru", "inactive_file"), cadvisor: false, value: { $0.total.inactiveFile }, pages: true),
            Family(name: "memcg_lru_bytes", kind: .gauge, help: "", extra: ("lru", "unevictable"), cadvisor: false, value: { $0.total.unevictable }, pages: true),
        ],
        [Family(name: "memcg_failcnt_total", kind: .counter, help: "Page charges that found this level full.", extra: nil, cadvisor: false, value: { $0.failcnt }, pages: false)],
        [Family(name: "memcg_pgpgin_total", kind: .counter, help: "Pages charged, hierarchical.", extra: nil, cadvisor: false, value: { $0.total.pgpgin }, pages: false)],
        [Family(name: "memcg_pgpgout_total", kind: .counter, help: "Pages uncharged, hierarchical.", extra: nil, cadvisor: false, value: { $0.total.pgpgout }, pages: false)],
        [Family(name: "memcg_pgsteal_total", kind: .counter, help: "Pages reclaimed, hierarchical.", extra: nil, cadvisor: false, value: { $0.total.pgsteal }, pages: false)],
        [Family(name: "memcg_pgscan_total", kind: .counter, help: "Pages scanned by reclaim, hierarchical.", extra: nil, cadvisor: false, value: { $0.total.pgscan }, pages: false)],
        [Family(name: "memcg_pgfault_total", kind: .counter, help: "Page faults, hierarchical.", extra: nil, cadvisor: false, value: { $0.total.pgfault }, pages: false)],
        [
            Family(name: "memcg_events_total", kind: .counter, help: "Memory events counted at this level: max, oom, oom_kill, low, high, oom_group_kill.", extra: ("event", "max"), cadvisor: false, value: { $0.local.eventsMax }, pages: false),
            Family(name: "memcg_events_total", kind: .counter, help: "", extra: ("event", "oom"), cadvisor: false, value: { $0.local.eventsOOM }, pages: false),
            Family(name: "memcg_events_total", kind: .counter, help: "", extra: ("event", "oom_kill"), cadvisor: false, value: { $0.local.eventsOOMKill }, pages: false),
            Family(name: "memcg_events_total", kind: .counter, help: "", extra: ("event", "low"), cadvisor: false, value: { $0.local.eventsLow }, pages: false),
            Family(name: "memcg_events_total", kind: .counter, help: "", extra: ("event", "high"), cadvisor: false, value: { $0.local.eventsHigh }, pages: false),
            Family(name: "memcg_events_total", kind: .counter, help: "", extra: ("event", "oom_group_kill"), cadvisor: false, value: { $0.local.eventsOOMGroupKill }, pages: false),
        ],
        // The v2 controls (no series for an unlimited high/swap_max; low and
        // min set to "max", protect everything, have none either).
        [Family(name: "memcg_high_bytes", kind: .gauge, help: "The container's throttle limit (memory.high); no series when unlimited.", extra: nil, cadvisor: false, value: { $0.controls.high ?? -1 }, pages: true)],
        [Family(name: "memcg_swap_max_bytes", kind: .gauge, help: "Most swap the subtree may hold (memory.swap.max); no series when unlimited.", extra: nil, cadvisor: false, value: { $0.controls.swapMax ?? -1 }, pages: true)],
        [Family(name: "memcg_low_bytes", kind: .gauge, help: "Best-effort protection from reclaim (memory.low); 0 when unset.", extra: nil, cadvisor: false, value: { $0.controls.low ?? -1 }, pages: true)],
        [Family(name: "memcg_min_bytes", kind: .gauge, help: "Hard protection from reclaim (memory.min); 0 when unset.", extra: nil, cadvisor: false, value: { $0.controls.min ?? -1 }, pages: true)],
        [Family(name: "memcg_swap_peak_bytes", kind: .gauge, help: "Highest swap held by the subtree since creation or the last max_usage reset.", extra: nil, cadvisor: false, value: { $0.controls.swapPeak }, pages: true)],
        // cAdvisor's names, labels and units (see the README for the ones promtool's lint dislikes).
        [Family(name: "container_memory_usage_bytes", kind: .gauge, help: "Current memory usage in bytes, including all memory regardless of when it was accessed", extra: nil, cadvisor: true, value: { $0.usage }, pages: true)],
        [Family(name: "container_memory_working_set_bytes", kind: .gauge, help: "Current working set in bytes.", extra: nil, cadvisor: true, value: { $0.workingSet }, pages: true)],
        [Family(name: "container_memory_rss", kind: .gauge, help: "Size of RSS in bytes.", extra: nil, cadvisor: true, value: { $0.total.rss }, pages: true)],
        [Family(name: "container_memory_cache", kind: .gauge, help: "Number of bytes of page cache memory.", extra: nil, cadvisor: true, value: { $0.total.cache }, pages: true)],
        [Family(name: "container_memory_swap", kind: .gauge, help: "Container swap usage in bytes.", extra: nil, cadvisor: true, value: { $0.total.swap }, pages: true)],
        [Family(name: "container_memory_mapped_file", kind: .gauge, help: "Size of memory mapped files in bytes.", extra: nil, cadvisor: true, value: { $0.total.mappedFile }, pages: true)],
        [Family(name: "container_memory_max_usage_bytes", kind: .gauge, help: "Maximum memory usage recorded in bytes", extra: nil, cadvisor: true, value: { $0.maxUsage }, pages: true)],
        [Family(name: "container_memory_failcnt", kind: .counter, help: "Number of memory usage hits limits", extra: nil, cadvisor: true, value: { $0.failcnt }, pages: false)],
        [Family(name: "container_spec_memory_limit_bytes", kind: .gauge, help: "Memory limit for the container.", extra: nil, cadvisor: true, value: { $0.limit ?? 0 }, pages: true)],
        [Family(name: "container_oom_events_total", kind: .counter, help: "Count of out of memory events observed for the container", extra: nil, cadvisor: true, value: { $0.total.eventsOOMKill }, pages: false)],
    ]

    /// cAdvisor's Kubernetes labels, in its order, and the container labels
    /// they come from (the short name first).
    static let kubernetesLabels: [(String, [String])] = [
        ("container", ["container", "io.kubernetes.container.name"]),
        ("image", ["image"]),
        ("namespace", ["namespace", "io.kubernetes.pod.namespace"]),
        ("pod", ["pod", "io.kubernetes.pod.name"]),
    ]

    /// The label set of a container's cAdvisor series, names in
    /// alphabetical order: id and name always; container, image, namespace
    /// and pod when its labels give them.
    static func cadvisorLabels(_ c: ContainerSnapshot) -> String {
        var pairs = [("id", c.path), ("name", c.name)]
        for (label, sources) in kubernetesLabels {
            if let v = sources.lazy.compactMap({ c.labels[$0] }).first, !v.isEmpty { pairs.append((label, v)) }
        }
        pairs.sort { $0.0 < $1.0 }
        return "{" + pairs.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
    }

    /// A label value in the text format: backslash, double quote and newline escaped.
    static func escape(_ v: String) -> String {
        guard v.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return v }
        var out = ""
        for ch in v.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    static func render(_ containers: [ContainerSnapshot], pageSize: Int, cadvisor: Bool, machineBytes: Int = 0, into out: inout [UInt8]) {
        let w = ByteWriter(capacity: 256 + containers.count * (cadvisor ? 3000 : 1900))
        let labelSets = cadvisor ? containers.map(cadvisorLabels) : []
        if cadvisor {
            w.append("# HELP machine_memory_bytes Amount of memory installed on the machine.\n# TYPE machine_memory_bytes gauge\nmachine_memory_bytes ")
            w.append(machineBytes)
            w.append("\n")
        }
        for group in families where !group[0].cadvisor || cadvisor {
            let first = group[0]
            w.append("# HELP "); w.append(first.name); w.append(" "); w.append(first.help); w.append("\n")
            w.append("# TYPE "); w.append(first.name); w.append(" "); w.append(first.kind.text); w.append("\n")
            for (i, c) in containers.enumerated() {
                for f in group {
                    let v = f.value(c)
                    if v < 0 { continue }  // an unlimited control has no series
                    w.append(f.name)
                    if f.cadvisor {
                        w.append(text: labelSets[i])
                    } else {
                        w.append("{container=\""); w.append(text: c.name); w.append("\"")
                    }
                    if let (k, value) = f.extra { w.append(","); w.append(k); w.append("=\""); w.append(value); w.append("\"") }
                    w.append("} ")
                    w.append(f.pages ? v * pageSize : v)
                    w.append("\n")
                }
            }
        }
        out.append(contentsOf: w.bytes)
    }
}
