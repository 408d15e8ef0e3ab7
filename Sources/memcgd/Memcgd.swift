import ArgumentParser
import Logging
import MemcgEngine
import MemcgHTTP
import MemcgWorkload
import MemcgStore
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
        subcommands: [Serve.self, Replay.self, WhatIfCommand.self, Generate.self, Import.self, TraceGroup.self, Healthcheck.self],
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

/// A setting without a default: the flag, else its environment variable,
/// else nil. (The defaulted form with `default: nil` would take the absent
/// flag as a present nil and never read the environment.)
func optionalSetting(_ flag: String?, _ env: String) -> String? {
    if let flag { return flag }
    return getenv(env).map { String(cString: $0) }
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

    @Option(help: "Address to listen on: IPv4 or IPv6 (::1, ::), or a name such as localhost. Env: MEMCGD_HOST. Default: 127.0.0.1.")
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

    @Option(name: .customLong("small-body-limit"), help: ArgumentHelp("Largest request body of every route but POST /events, e.g. 64K. Env: MEMCGD_SMALL_BODY_LIMIT. Default: 64K.", valueName: "size"))
    var smallBodyLimit: String?

    @Option(name: .customLong("buffer-limit"), help: ArgumentHelp("Request body bytes held across all connections at once; beyond it 503. At least --body-limit. Env: MEMCGD_BUFFER_LIMIT. Default: 64M.", valueName: "size"))
    var bufferLimit: String?

    @Option(name: .customLong("max-batch-pages"), help: "Most single-page events in one POST /events batch (a range counts its pages); beyond it 400. Env: MEMCGD_MAX_BATCH_PAGES. Default: 1048576.")
    var maxBatchPages: Int?

    @Option(name: .customLong("connection-timeout"), help: "Seconds before an idle connection is closed. Env: MEMCGD_CONNECTION_TIMEOUT. Default: 30.")
    var connectionTimeout: Int?

    @Option(name: .customLong("request-timeout"), help: "Seconds a request may take to arrive whole (headers and body), and a reply to be taken; 0 turns it off. Env: MEMCGD_REQUEST_TIMEOUT. Default: 30.")
    var requestTimeout: Int?

    @Option(name: .customLong("connection-limit"), help: "Most connections open at once. Env: MEMCGD_CONNECTION_LIMIT. Default: 1000.")
    var connectionLimit: Int?

    @Option(name: .customLong("connections-per-ip"), help: "Most connections open at once from one client address; 0 means no limit. Env: MEMCGD_CONNECTIONS_PER_IP. Default: 64.")
    var connectionsPerIP: Int?

    @Option(name: .customLong("stall-threshold"), help: "Seconds one request may hold the engine lock before GET /healthz answers 503. Env: MEMCGD_STALL_THRESHOLD. Default: 2.")
    var stallThreshold: Double?

    @Option(name: .customLong("auth-token"), help: "Bearer token required on every request but GET /healthz, /metrics and /openapi.yaml; must not be empty. Env: MEMCGD_AUTH_TOKEN. Default: none.")
    var authToken: String?

    @Option(name: .customLong("metrics-compat"), help: "Extra metric names: none or cadvisor. Env: MEMCGD_METRICS_COMPAT. Default: none.")
    var metricsCompat: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. Env: MEMCGD_LOG_LEVEL. Default: info.")
    var logLevel: String?

    @Option(help: "The memory controller interface modelled: v2 (memory.high, low, min, swap.max, oom.group, reclaim) or v1 (max with EBUSY, move_charge). Env: MEMCGD_CGROUP. Default: v2.")
    var cgroup: String?

    @Option(help: "Reclaim lists: split (anon and file LRUs, no anon scan without swap) or seed (one active/inactive pair per container, the 2007 series). Env: MEMCGD_LRU. Default: split with --cgroup v2, seed with v1.")
    var lru: String?

    @Option(help: "With --lru split, how readily anonymous pages are reclaimed against file pages, 0...200 (vm.swappiness). Env: MEMCGD_SWAPPINESS. Default: 60.")
    var swappiness: Int?

    @Option(name: .customLong("log-format"), help: "text or json (one JSON object per line). Env: MEMCGD_LOG_FORMAT. Default: text.")
    var logFormat: String?

    @Option(name: .customLong("address-file"), help: ArgumentHelp("Write \"host port\" here once listening (for `memcgd healthcheck`); removed on exit. Env: MEMCGD_ADDRESS_FILE. Default: none.", valueName: "path"))
    var addressFile: String?

    @Option(help: ArgumentHelp("A workload spec (.yaml, .yml or .json) to play into the service from the start (see POST /workloads). Env: MEMCGD_WORKLOAD. Default: none.", valueName: "path"))
    var workload: String?

    @Option(help: "Virtual seconds of --workload per wall second, above 0 and at most 1000000. Env: MEMCGD_SPEED. Default: the spec's own speed, else 1.")
    var speed: Double?

    /// The `--workload` spec and its speed, read and checked (nil without one).
    func resolveWorkload() throws -> (WorkloadSpec, Double)? {
        let path = try setting(workload, "MEMCGD_WORKLOAD", { $0 }, default: nil as String?)
        let flagSpeed = try setting(speed, "MEMCGD_SPEED", { Double($0) }, default: nil as Double?)
        if let s = flagSpeed, !(s > 0 && s <= App.maxWorkloadSpeed) {
            throw ValidationError("--speed must be above 0 and at most \(Int(App.maxWorkloadSpeed)), not \(s)")
        }
        guard let path, !path.isEmpty else {
            if flagSpeed != nil { throw ValidationError("--speed needs --workload") }
            return nil
        }
        do {
            let (spec, own) = try App.readWorkload(path: path)
            return (spec, flagSpeed ?? own ?? 1)
        } catch {
            throw ValidationError("--workload \(path): \(error.detail)")
        }
    }

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Keep state here across restarts: a journal of every command and snapshots; created when missing. Without it, state lives in memory only. Env: MEMCGD_DATA_DIR. Default: none.", valueName: "path"))
    var dataDir: String?

    @Option(help: "With --data-dir: always (a reply waits for fsync; concurrent requests share one), batch (fsync at most every 100 ms) or off (the kernel decides). Env: MEMCGD_FSYNC. Default: always.")
    var fsync: String?

    @Option(name: .customLong("snapshot-every"), help: ArgumentHelp("With --data-dir: take a snapshot when the journal since the last one passes this size, e.g. 256M. Env: MEMCGD_SNAPSHOT_EVERY. Default: 256M.", valueName: "size"))
    var snapshotEvery: String?

    @Flag(name: .customLong("recover-truncate"), help: "With --data-dir: when the journal is damaged before its last record, cut it there (dropping what follows) instead of refusing to start. Env: MEMCGD_RECOVER_TRUNCATE=1.")
    var recoverTruncate = false

    /// The data directory settings, nil without --data-dir.
    func storeConfig(machine: Machine) throws -> StoreConfig? {
        let dir = try setting(dataDir, "MEMCGD_DATA_DIR", { $0 }, default: nil as String?)
        guard let dir, !dir.isEmpty else { return nil }
        let policyText = try setting(fsync, "MEMCGD_FSYNC", { $0 }, default: "always")
        guard let policy = FsyncPolicy(rawValue: policyText) else { throw ValidationError("--fsync must be always, batch or off, not \"\(policyText.prefix(20))\"") }
        let every = try size(snapshotEvery, "--snapshot-every", "MEMCGD_SNAPSHOT_EVERY", example: "256M", default: 256 << 20)
        guard every >= 4096 else { throw ValidationError("--snapshot-every must be at least 4K") }
        let truncate = try recoverTruncate || setting(nil, "MEMCGD_RECOVER_TRUNCATE", { ["1", "true", "yes"].contains($0) ? true : (["0", "false", "no", ""].contains($0) ? false : nil) }, default: false)
        return StoreConfig(dataDir: dir, fsync: policy, snapshotEvery: every, recoverTruncate: truncate, machine: machine)
    }

    func resolve() throws -> (AppConfig, ServerConfig, Logger.Level, String) {
        let host = try setting(host, "MEMCGD_HOST", { $0 }, default: "127.0.0.1")
        guard ListenAddress(host) != nil else {
            throw ValidationError("--host must be an IPv4 or IPv6 address or a name that resolves, not \"\(host.prefix(80))\"")
        }
        let port = try setting(port, "MEMCGD_PORT", { UInt16($0) }, default: 8080)
        let pageSize = try setting(pageSize, "MEMCGD_PAGE_SIZE", { Int($0) }, default: 4096)
        let memory = try size(memory, "--memory", "MEMCGD_MEMORY", example: "16G", default: 16 << 30)
        let swap = try size(swap, "--swap", "MEMCGD_SWAP", example: "2G", default: 0)
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let threads = try setting(threads, "MEMCGD_THREADS", { Int($0) }, default: cores)
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1...256") }
        let bodyLimit = try size(bodyLimit, "--body-limit", "MEMCGD_BODY_LIMIT", example: "16M", default: 16 << 20)
        guard bodyLimit >= 1024 else { throw ValidationError("--body-limit must be at least 1K") }
        let smallLimit = try size(smallBodyLimit, "--small-body-limit", "MEMCGD_SMALL_BODY_LIMIT", example: "64K", default: ServerConfig.defaultSmallBodyLimit)
        guard smallLimit >= 1024 else { throw ValidationError("--small-body-limit must be at least 1K") }
        let bufferLimit = try size(bufferLimit, "--buffer-limit", "MEMCGD_BUFFER_LIMIT", example: "64M", default: max(64 << 20, bodyLimit))
        guard bufferLimit >= bodyLimit else { throw ValidationError("--buffer-limit must be at least --body-limit (\(bodyLimit) bytes)") }
        let batchPages = try setting(maxBatchPages, "MEMCGD_MAX_BATCH_PAGES", { Int($0) }, default: AppConfig.defaultMaxBatchPages)
        guard (1...(1 << 40)).contains(batchPages) else { throw ValidationError("--max-batch-pages must be 1...\(1 << 40)") }
        let timeout = try setting(connectionTimeout, "MEMCGD_CONNECTION_TIMEOUT", { Int($0) }, default: 30)
        guard (1...86400).contains(timeout) else { throw ValidationError("--connection-timeout must be 1...86400 seconds") }
        let requestTimeout = try setting(requestTimeout, "MEMCGD_REQUEST_TIMEOUT", { Int($0) }, default: 30)
        guard (0...86400).contains(requestTimeout) else { throw ValidationError("--request-timeout must be 0...86400 seconds") }
        let connLimit = try setting(connectionLimit, "MEMCGD_CONNECTION_LIMIT", { Int($0) }, default: 1000)
        guard (1...100_000).contains(connLimit) else { throw ValidationError("--connection-limit must be 1...100000") }
        let perIP = try setting(connectionsPerIP, "MEMCGD_CONNECTIONS_PER_IP", { Int($0) }, default: 64)
        guard (0...100_000).contains(perIP) else { throw ValidationError("--connections-per-ip must be 0...100000") }
        let stall = try setting(stallThreshold, "MEMCGD_STALL_THRESHOLD", { Double($0) }, default: 2)
        guard stall.isFinite, stall > 0, stall <= 86400 else { throw ValidationError("--stall-threshold must be a number of seconds above 0") }
        // An empty token would turn authentication off without a word.
        let token = optionalSetting(authToken, "MEMCGD_AUTH_TOKEN")
        if let token {
            guard !token.isEmpty else { throw ValidationError("--auth-token (MEMCGD_AUTH_TOKEN) must not be empty; leave it unset to run without authentication") }
            guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw ValidationError("--auth-token must be printable ASCII without spaces") }
        }
        let compat = try setting(metricsCompat, "MEMCGD_METRICS_COMPAT", { $0 }, default: "none")
        guard compat == "none" || compat == "cadvisor" else { throw ValidationError("--metrics-compat must be none or cadvisor") }
        let level = try setting(logLevel.map { l throws -> Logger.Level in
            guard let v = Logger.Level(rawValue: l) else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
            return v
        }, "MEMCGD_LOG_LEVEL", { Logger.Level(rawValue: $0) }, default: .info)
        let format = try setting(logFormat, "MEMCGD_LOG_FORMAT", { $0 }, default: "text")
        guard format == "text" || format == "json" else { throw ValidationError("--log-format must be text or json") }
        let cgroupText = try setting(cgroup, "MEMCGD_CGROUP", { $0 }, default: "v2")
        guard let version = CgroupVersion(rawValue: cgroupText) else { throw ValidationError("--cgroup must be v1 or v2, not \"\(cgroupText.prefix(20))\"") }
        let lruText = optionalSetting(lru, "MEMCGD_LRU")
        var lruMode: LRUMode? = nil
        if let lruText {
            guard let m = LRUMode(rawValue: lruText) else { throw ValidationError("--lru must be split or seed, not \"\(lruText.prefix(20))\"") }
            lruMode = m
        }
        let swappiness = try setting(swappiness, "MEMCGD_SWAPPINESS", { Int($0) }, default: Machine.defaultSwappiness)
        guard (0...200).contains(swappiness) else { throw ValidationError("--swappiness must be 0...200") }
        let machine: Machine
        do {
            machine = try Machine(pageSize: pageSize, memoryBytes: memory, swapBytes: swap, cgroup: version, lru: lruMode,
                                  swappiness: swappiness)
        } catch {
            throw ValidationError(error.detail)
        }
        guard MemcgEngine.canMapFrames(of: machine) else {
            throw ValidationError("--memory \(memory) needs a frame table of \(machine.frames) pages that this host cannot map (overcommit); give a smaller --memory or a larger --page-size")
        }
        let app = AppConfig(machine: machine, authToken: token, cadvisorMetrics: compat == "cadvisor",
                            maxBatchPages: batchPages, stallSeconds: stall)
        let server = ServerConfig(host: host, port: port, threads: threads, bodyLimit: bodyLimit, smallBodyLimit: smallLimit,
                                  bufferLimit: bufferLimit, connectionTimeout: timeout, requestTimeout: requestTimeout,
                                  connectionLimit: connLimit, connectionsPerIP: perIP)
        return (app, server, level, format)
    }

    func validate() throws {
        let (app, _, _, _) = try resolve()
        _ = try storeConfig(machine: app.machine)
        _ = try resolveWorkload()
    }

    var addressPath: String? {
        let p = addressFile ?? getenv("MEMCGD_ADDRESS_FILE").map { String(cString: $0) }
        return p?.isEmpty == false ? p : nil
    }

    func run() throws {
        let (appConfig, serverConfig, level, format) = try resolve()
        let workload = try resolveWorkload()
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
        var store: Store? = nil
        var recovered: MemcgEngine? = nil
        if let storeConfig = try storeConfig(machine: appConfig.machine) {
            do {
                let (s, e, report) = try Store.open(storeConfig)
                store = s
                recovered = e
                logRecovery(report, storeConfig, logger)
            } catch {
                logger.critical("cannot recover the data directory", metadata: ["data_dir": .string(storeConfig.dataDir), "error": .string(error.message)])
                print("memcgd: \(error.message)")
                throw ExitCode(65)
            }
        } else {
            logger.notice("no --data-dir: state lives in memory only and is lost when the process stops")
        }
        let app: App
        do { app = try App(config: appConfig, metrics: metrics, logger: logger, store: store, recovered: recovered) } catch {
            logger.critical("cannot create the machine", metadata: ["error": "\(error.detail)"])
            print("memcgd: \(error.detail)")
            throw ExitCode(64)
        }
        let server = HTTPServer(app: app, config: serverConfig, logger: logger)
        do { try server.start() } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(69)
        }
        app.startSampling()
        if let path = addressPath {
            guard AddressFile.write(path, host: serverConfig.host, port: server.boundPort) else {
                logger.critical("cannot write the address file", metadata: ["path": .string(path)])
                server.stop()
                throw ExitCode(73)
            }
        }
        let m = appConfig.machine
        logger.info("listening", metadata: [
            "host": .string(serverConfig.host), "port": .stringConvertible(server.boundPort),
            "memory_bytes": .stringConvertible(m.memoryBytes), "swap_bytes": .stringConvertible(m.swapBytes),
            "cgroup": .string(m.cgroup.rawValue), "lru": .string(m.lru.rawValue), "swappiness": .stringConvertible(m.swappiness),
            "page_size": .stringConvertible(m.pageSize), "threads": .stringConvertible(serverConfig.threads),
            "auth": .string(appConfig.authToken == nil ? "off" : "bearer"), "version": .string(memcgdVersion),
        ])
        if let (spec, speed) = workload {
            do { _ = try app.startWorkload(spec: spec, speed: speed) } catch where error.status == 409 {
                // Recovered state (--data-dir) already has its containers: serve what was recovered.
                logger.warning("workload not started", metadata: ["error": .string(error.detail)])
            } catch {
                logger.critical("cannot start the workload", metadata: ["error": .string(error.detail)])
                server.stop()
                if let path = addressPath { unlink(path) }
                throw ExitCode(65)
            }
        }
        var received: Int32 = 0
        sigwait(&signals, &received)
        logger.info("shutting down", metadata: ["signal": .string(received == SIGTERM ? "SIGTERM" : "SIGINT")])
        app.stopWorkloads()
        app.stopSampling()
        let drained = server.stop(drain: .seconds(10))
        if let store {
            do throws(StoreError) { _ = try app.snapshotNow() } catch {
                logger.error("snapshot at shutdown failed; the journal still holds every command", metadata: ["error": .string(error.message)])
            }
            store.close()
        }
        if let path = addressPath { unlink(path) }
        if drained {
            logger.info("stopped")
        } else {
            logger.warning("stopped with a request unfinished")
        }
    }
}

/// One line saying what recovery loaded and how long it took.
func logRecovery(_ r: RecoveryReport, _ c: StoreConfig, _ logger: Logger) {
    for d in r.damagedSnapshots {
        logger.warning("snapshot damaged, falling back to an older one", metadata: ["error": .string(d)])
    }
    if let t = r.tornTail {
        logger.warning("torn final journal record dropped (never acknowledged under --fsync always)", metadata: [
            "file": .string(t.file), "offset": .stringConvertible(t.offset), "bytes_dropped": .stringConvertible(t.bytes)])
    }
    if let t = r.truncated {
        logger.error("journal cut at damage (--recover-truncate): later records dropped", metadata: [
            "file": .string(t.file), "offset": .stringConvertible(t.offset), "why": .string(t.why)])
    }
    logger.info(r.hadState ? "state recovered" : "data directory empty: starting fresh", metadata: [
        "data_dir": .string(c.dataDir), "fsync": .string(c.fsync.rawValue),
        "snapshot": .string(r.snapshot ?? "none"), "snapshot_seq": .stringConvertible(r.snapshotSeq),
        "segments": .stringConvertible(r.segments), "records_replayed": .stringConvertible(r.recordsReplayed),
        "page_events_replayed": .stringConvertible(r.pageEvents), "last_seq": .stringConvertible(r.lastSeq),
        "invariants": "ok", "ms": .stringConvertible(Int(r.seconds * 1000)),
    ])
}

/// `memcgd healthcheck`: GET /healthz on a running server; exit 0 when it
/// answers 200. For container HEALTHCHECKs in images without curl.
///
/// Where to ask, first found: `--host`/`--port`; the address file a
/// `memcgd serve --address-file` wrote (`--address-file` or
/// MEMCGD_ADDRESS_FILE), so the check follows whatever flags the server was
/// started with; MEMCGD_HOST/MEMCGD_PORT; 127.0.0.1:8080. A server listening
/// on every interface (0.0.0.0, ::) is asked on loopback.
struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exit 0 when a memcgd on this host answers GET /healthz.")

    @Option(help: "Host to ask. Env: MEMCGD_HOST. Default: from the address file, else 127.0.0.1.") var host: String?
    @Option(help: "Port to ask. Env: MEMCGD_PORT. Default: from the address file, else 8080.") var port: UInt16?
    @Option(name: .customLong("address-file"), help: ArgumentHelp("The file `memcgd serve --address-file` writes. Env: MEMCGD_ADDRESS_FILE.", valueName: "path"))
    var addressFile: String?

    func run() throws {
        let path = addressFile ?? getenv("MEMCGD_ADDRESS_FILE").map { String(cString: $0) }
        let fromFile = path.flatMap { $0.isEmpty ? nil : AddressFile.read($0) }
        let h = try host ?? fromFile?.host ?? setting(nil, "MEMCGD_HOST", { $0 }, default: "127.0.0.1")
        let p = try port ?? fromFile?.port ?? setting(nil, "MEMCGD_PORT", { UInt16($0) }, default: 8080)
        guard let addr = ListenAddress(h, port: p) else { throw ValidationError("--host: cannot resolve \"\(h.prefix(80))\"") }
        guard let status = SimpleHTTP.get(addr.forConnecting, host: h, path: "/healthz"), status == 200 else { throw ExitCode.failure }
    }
}

/// The address file: one line, "host port".
enum AddressFile {
    static func write(_ path: String, host: String, port: UInt16) -> Bool {
        let text = "\(host) \(port)\n"
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return false }
        let n = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        return n == text.utf8.count && rename(tmp, path) == 0
    }

    static func read(_ path: String) -> (host: String, port: UInt16)? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 512)
        let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 511) }
        guard n > 0 else { return nil }
        let parts = String(decoding: buf[0..<n], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        return (String(parts[0]), port)
    }
}
