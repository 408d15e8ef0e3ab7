/// The route table: path templates, their methods, and how a concrete path
/// matches (by segments; names and pids are checked by the handlers).
enum Route: String, CaseIterable, Sendable {
    case healthz = "/healthz"
    case machine = "/machine"
    case containers = "/containers"
    case container = "/containers/{name}"
    case limits = "/containers/{name}/limits"
    case containerStats = "/containers/{name}/stats"
    case statsReset = "/containers/{name}/stats/reset"
    case forceEmpty = "/containers/{name}/force_empty"
    case processes = "/processes"
    case process = "/processes/{pid}"
    case processContainer = "/processes/{pid}/container"
    case events = "/events"
    case stats = "/stats"
    case metrics = "/metrics"
    case openapi = "/openapi.yaml"

    /// The template, used as the `route` label of the HTTP metrics.
    var template: String { rawValue }

    var methods: [String] {
        switch self {
        case .healthz, .machine, .containerStats, .stats, .metrics, .openapi: ["GET"]
        case .containers, .processes: ["GET", "POST"]
        case .container, .process: ["GET", "DELETE"]
        case .limits: ["GET", "PUT"]
        case .statsReset, .forceEmpty, .events: ["POST"]
        case .processContainer: ["PUT"]
        }
    }

    /// Matches a path; returns the route and its one parameter, if any.
    static func match(_ path: String) -> (Route, String?)? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.first == "" else { return nil }
        parts.removeFirst()
        if parts.count > 1 && parts.last == "" { parts.removeLast() }  // tolerate one trailing slash
        switch parts.count {
        case 1:
            switch parts[0] {
            case "healthz": return (.healthz, nil)
            case "machine": return (.machine, nil)
            case "containers": return (.containers, nil)
            case "processes": return (.processes, nil)
            case "events": return (.events, nil)
            case "stats": return (.stats, nil)
            case "metrics": return (.metrics, nil)
            case "openapi.yaml": return (.openapi, nil)
            default: return nil
            }
        case 2:
            if parts[0] == "containers" { return (.container, String(parts[1])) }
            if parts[0] == "processes" { return (.process, String(parts[1])) }
            return nil
        case 3:
            let p = String(parts[1])
            if parts[0] == "containers" {
                switch parts[2] {
                case "limits": return (.limits, p)
                case "stats": return (.containerStats, p)
                case "force_empty": return (.forceEmpty, p)
                default: return nil
                }
            }
            if parts[0] == "processes" && parts[2] == "container" { return (.processContainer, p) }
            return nil
        case 4:
            if parts[0] == "containers" && parts[2] == "stats" && parts[3] == "reset" { return (.statsReset, String(parts[1])) }
            return nil
        default:
            return nil
        }
    }
}
