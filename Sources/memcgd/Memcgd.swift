import ArgumentParser
import Logging
import MemcgEngine
import MemcgHTTP
#if canImport(Glibc)
import Glibc
#endif

@main
struct Memcgd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memcgd",
        abstract: "A user-space model of the Linux memory controller (memcg), served over HTTP.",
        discussion: """
            memcgd charges, limits, reclaims and OOM-kills the way the kernel's memory \
            controller does, driven by page events you POST to it. Every option can also be \
            set through the environment variable named in its help (flags win).
            """,
        version: memcgdVersion,
        subcommands: [Serve.self, Replay.self, WhatIfCommand.self, Import.self, TraceGroup.self, Healthcheck.self],
        defaultSubcommand: Serve.self
    )
}

/// Reads an option, else its environment variable, else the default.
func setting<T>(_ flag: T?, _ env: String, _ parse: (String) -> T?, default value: T) throws -> T {
    if let flag { return flag }
    guard let raw = getenv(env) else { return value }
    let text = String(cString: raw)
    guard let v = parse(text) else { throw ValidationError("invalid value \"\(text)\" in \(env)") }
    return v
}

/// Parses a byte size: digits with an optional K/M/G/T suffix.
func parseBytes(_ text: String) -> Int? {
    guard text != "max", text != "-1", let bytes = try? LimitParser.parse(text, pageSize: 1) else { return nil }
    return bytes
}

/// A size option: the flag, else its environment variable, else the default.
func size(_ flag: String?, _ name: String, _ env: String, example: String, default value: Int) throws -> Int {
    if let flag {
        guard let v = parseBytes(flag) else { throw ValidationError("\(name) must be a size such as \(example), not \"\(flag)\"") }
        return v
    }
    return try setting(nil, env, parseBytes, default: value)
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service (the default).")

    @Option(help: "Address to listen on (IPv4). Env: MEMCGD_HOST. Default: 127.0.0.1.")
    var host: String?

    @Option(help: "TCP port; 0 picks a free one. Env: MEMCGD_PORT. Default: 8080.")
    var port: UInt16?

    @Option(name: .customLong("page-size"), help: "Page size in bytes, a power of two from 4096 to 65536. Env: MEMCGD_PAGE_SIZE. Default: 4096.")
    var pageSize: Int?

    @Option(help: ArgumentHelp("Simulated memory, e.g. 16G. Env: MEMCGD_MEMORY. Default: 16G.", valueName: "size"))
    var memory: String?

    @Option(help: ArgumentHelp("Swap capacity, e.g. 2G; 0 means no swap. Env: MEMCGD_SWAP. Default: 0.", valueName: "size"))
    var swap: String?

    @Option(help: "HTTP worker threads. Env: MEMCGD_THREADS. Default: the number of cores.")
    var threads: Int?

    @Option(name: .customLong("body-limit"), help: ArgumentHelp("Largest request body, e.g. 16M. Env: MEMCGD_BODY_LIMIT. Default: 16M.", valueName: "size"))
    var bodyLimit: String?

    @Option(name: .customLong("connection-timeout"), help: "Seconds before an idle or slow connection is closed. Env: MEMCGD_CONNECTION_TIMEOUT. Default: 30.")
    var connectionTimeout: Int?

    @Option(name: .customLong("connection-limit"), help: "Most connections open at once. Env: MEMCGD_CONNECTION_LIMIT. Default: 1000.")
    var connectionLimit: Int?

    @Option(name: .customLong("auth-token"), help: "Bearer token required on every request but GET /healthz, /metrics and /openapi.yaml. Env: MEMCGD_AUTH_TOKEN. Default: none.")
    var authToken: String?

    @Option(name: .customLong("metrics-compat"), help: "Extra metric names: none or cadvisor. Env: MEMCGD_METRICS_COMPAT. Default: none.")
    var metricsCompat: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. Env: MEMCGD_LOG_LEVEL. Default: info.")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "text or json (one JSON object per line). Env: MEMCGD_LOG_FORMAT. Default: text.")
    var logFormat: String?

    func resolve() throws -> (AppConfig, ServerConfig, Logger.Level, String) {
        let host = try setting(host, "MEMCGD_HOST", { $0 }, default: "127.0.0.1")
        var probe = in_addr()
        guard inet_pton(AF_INET, host, &probe) == 1 else { throw ValidationError("--host must be an IPv4 address, not \"\(host)\"") }
        let port = try setting(port, "MEMCGD_PORT", { UInt16($0) }, default: 8080)
        let pageSize = try setting(pageSize, "MEMCGD_PAGE_SIZE", { Int($0) }, default: 4096)
        let memory = try size(memory, "--memory", "MEMCGD_MEMORY", example: "16G", default: 16 << 30)
        let swap = try size(swap, "--swap", "MEMCGD_SWAP", example: "2G", default: 0)
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let threads = try setting(threads, "MEMCGD_THREADS", { Int($0) }, default: cores)
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1...256") }
        let bodyLimit = try size(bodyLimit, "--body-limit", "MEMCGD_BODY_LIMIT", example: "16M", default: 16 << 20)
        guard bodyLimit >= 1024 else { throw ValidationError("--body-limit must be at least 1K") }
        let timeout = try setting(connectionTimeout, "MEMCGD_CONNECTION_TIMEOUT", { Int($0) }, default: 30)
        guard (1...86400).contains(timeout) else { throw ValidationError("--connection-timeout must be 1...86400 seconds") }
        let connLimit = try setting(connectionLimit, "MEMCGD_CONNECTION_LIMIT", { Int($0) }, default: 1000)
        guard (1...100_000).contains(connLimit) else { throw ValidationError("--connection-limit must be 1...100000") }
        let token = try setting(authToken, "MEMCGD_AUTH_TOKEN", { $0 }, default: "")
        let compat = try setting(metricsCompat, "MEMCGD_METRICS_COMPAT", { $0 }, default: "none")
        guard compat == "none" || compat == "cadvisor" else { throw ValidationError("--metrics-compat must be none or cadvisor") }
        let level = try setting(logLevel.map { l throws -> Logger.Level in
            guard let v = Logger.Level(rawValue: l) else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
            return v
        }, "MEMCGD_LOG_LEVEL", { Logger.Level(rawValue: $0) }, default: .info)
        let format = try setting(logFormat, "MEMCGD_LOG_FORMAT", { $0 }, default: "text")
        guard format == "text" || format == "json" else { throw ValidationError("--log-format must be text or json") }
        let machine: Machine
        do { machine = try Machine(pageSize: pageSize, memoryBytes: memory, swapBytes: swap) } catch {
            throw ValidationError(error.detail)
        }
        let app = AppConfig(machine: machine, authToken: token.isEmpty ? nil : token, cadvisorMetrics: compat == "cadvisor")
        let server = ServerConfig(host: host, port: port, threads: threads, bodyLimit: bodyLimit,
                                  connectionTimeout: timeout, connectionLimit: connLimit)
        return (app, server, level, format)
    }

    func validate() throws { _ = try resolve() }

    func run() throws {
        let (appConfig, serverConfig, level, format) = try resolve()
        LoggingSystem.bootstrap { label in
            var h: any LogHandler = format == "json" ? JSONLineLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "memcgd")
        // Block the stop signals before any thread starts, so every
        // libmicrohttpd thread inherits the mask and sigwait gets them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let metrics = ServiceMetrics(cadvisor: appConfig.cadvisorMetrics)
        let app = App(config: appConfig, metrics: metrics)
        let server = HTTPServer(app: app, config: serverConfig, logger: logger)
        do { try server.start() } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(69)
        }
        let m = appConfig.machine
        logger.info("listening", metadata: [
            "host": .string(serverConfig.host), "port": .stringConvertible(server.boundPort),
            "memory_bytes": .stringConvertible(m.memoryBytes), "swap_bytes": .stringConvertible(m.swapBytes),
            "page_size": .stringConvertible(m.pageSize), "threads": .stringConvertible(serverConfig.threads),
            "auth": .string(appConfig.authToken == nil ? "off" : "bearer"), "version": .string(memcgdVersion),
        ])
        var received: Int32 = 0
        sigwait(&signals, &received)
        logger.info("shutting down", metadata: ["signal": .string(received == SIGTERM ? "SIGTERM" : "SIGINT")])
        server.stop()
        logger.info("stopped")
    }
}

/// `memcgd healthcheck`: GET /healthz on a running server; exit 0 when it
/// answers 200. For container HEALTHCHECKs in images without curl.
struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exit 0 when a memcgd on this host answers GET /healthz.")

    @Option(help: "Host to ask. Default: 127.0.0.1.") var host = "127.0.0.1"
    @Option(help: "Port to ask. Env: MEMCGD_PORT. Default: 8080.") var port: UInt16?

    func run() throws {
        let p = try setting(port, "MEMCGD_PORT", { UInt16($0) }, default: 8080)
        guard let status = SimpleHTTP.get(host: host, port: p, path: "/healthz"), status == 200 else { throw ExitCode.failure }
    }
}
