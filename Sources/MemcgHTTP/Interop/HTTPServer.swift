import CMicroHTTPD
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Server settings.
public struct ServerConfig: Sendable {
    public var host: String
    public var port: UInt16
    public var threads: Int
    public var bodyLimit: Int
    /// Seconds a connection may stay idle or slow before it is closed.
    public var connectionTimeout: Int
    public var connectionLimit: Int

    public init(host: String = "127.0.0.1", port: UInt16 = 8080, threads: Int = 2, bodyLimit: Int = 16 << 20,
                connectionTimeout: Int = 30, connectionLimit: Int = 1000) {
        self.host = host
        self.port = port
        self.threads = threads
        self.bodyLimit = bodyLimit
        self.connectionTimeout = connectionTimeout
        self.connectionLimit = connectionLimit
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public var description: String
}

/// The one place that talks to libmicrohttpd: an internal thread pool with
/// epoll (MHD_USE_AUTO_INTERNAL_THREAD), request bodies collected across
/// access-handler calls, and a graceful quiesce on stop.
public final class HTTPServer: Sendable {
    public let app: App
    public let config: ServerConfig
    let logger: Logger
    nonisolated(unsafe) private var daemon: OpaquePointer?
    private let started = Atomic<Bool>(false)
    /// Requests that reached the handler and are not completed yet.
    let inFlight = Atomic<Int>(0)
    /// The port actually bound (differs from `config.port` when that is 0).
    nonisolated(unsafe) public private(set) var boundPort: UInt16 = 0

    public init(app: App, config: ServerConfig, logger: Logger) {
        self.app = app
        self.config = config
        self.logger = logger
    }

    /// Starts listening. Not thread-safe with `stop`; call both from one thread.
    public func start() throws {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        guard let addr = ListenAddress(config.host, port: config.port) else {
            started.store(false, ordering: .releasing)
            throw ServerError(description: "invalid address to listen on: \(config.host)")
        }
        let me = Unmanaged.passRetained(self).toOpaque()
        var flags = MHD_USE_AUTO_INTERNAL_THREAD.rawValue | MHD_USE_ERROR_LOG.rawValue | MHD_USE_ITC.rawValue
        // IPv6; `::` takes IPv4 connections too, as 0.0.0.0 users expect.
        if addr.isIPv6 { flags |= addr.isWildcard ? MHD_USE_DUAL_STACK.rawValue : MHD_USE_IPv6.rawValue }
        let d: OpaquePointer? = addr.withSockaddr { sa, _ in
            var options: [MHD_OptionItem] = [
                MHD_OptionItem(option: .EXTERNAL_LOGGER, value: unsafeBitCast(memcgdLog as MHD_LogCallback, to: Int.self), ptr_value: me),
                MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: config.connectionTimeout, ptr_value: nil),
                MHD_OptionItem(option: .CONNECTION_LIMIT, value: config.connectionLimit, ptr_value: nil),
                MHD_OptionItem(option: .NOTIFY_COMPLETED, value: unsafeBitCast(memcgdRequestCompleted as MHD_RequestCompletedCallback, to: Int.self), ptr_value: me),
                MHD_OptionItem(option: .NOTIFY_CONNECTION, value: unsafeBitCast(memcgdConnectionNotify as MHD_NotifyConnectionCallback, to: Int.self), ptr_value: me),
                MHD_OptionItem(option: .SOCK_ADDR, value: 0, ptr_value: UnsafeMutableRawPointer(mutating: sa)),
            ]
            if config.threads > 1 {
                options.append(MHD_OptionItem(option: .THREAD_POOL_SIZE, value: config.threads, ptr_value: nil))
            }
            options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
            return options.withUnsafeBufferPointer { memcgd_start_daemon(flags, config.port, memcgdAccessHandler, me, $0.baseAddress) }
        }
        guard let d else {
            Unmanaged<HTTPServer>.fromOpaque(me).release()
            started.store(false, ordering: .releasing)
            throw ServerError(description: "cannot listen on \(config.host):\(config.port) (address in use or not available)")
        }
        daemon = d
        boundPort = memcgd_bound_port(d)
    }

    /// Graceful stop: stop accepting, let in-flight requests finish (up to
    /// `drain` seconds), then shut the daemon down.
    public func stop(drain: Duration = .seconds(10)) {
        guard started.exchange(false, ordering: .acquiringAndReleasing), let d = daemon else { return }
        let listen = MHD_quiesce_daemon(d)
        let clock = ContinuousClock()
        let deadline = clock.now + drain
        while inFlight.load(ordering: .acquiring) > 0 && clock.now < deadline {
            usleep(5_000)
        }
        MHD_stop_daemon(d)
        if listen >= 0 { close(listen) }
        daemon = nil
        Unmanaged.passUnretained(self).release()
    }

    // MARK: request handling (called on libmicrohttpd threads)

    /// Per-request state kept in `*con_cls` across access-handler calls.
    final class RequestState {
        var body: [UInt8] = []
        var tooLarge = false
        let start = ContinuousClock.now
        var route: Route? = nil
        var method = ""
        var status = 0
        var bytesOut = 0
    }

    func access(_ connection: OpaquePointer, _ url: String, _ method: String, _ upload: UnsafePointer<CChar>?,
                _ uploadSize: UnsafeMutablePointer<Int>, _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        guard let raw = conCls.pointee else {
            // First call: headers only. Refuse an announced body over the limit at once.
            let state = RequestState()
            state.method = method
            conCls.pointee = Unmanaged.passRetained(state).toOpaque()
            inFlight.add(1, ordering: .relaxed)
            if let length = header(connection, "Content-Length"), let n = Int(length), n > config.bodyLimit {
                state.tooLarge = true
                return send(connection, state, tooLarge(), route: nil)
            }
            return MHD_Result.YES
        }
        let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            let n = uploadSize.pointee
            if !state.tooLarge {
                if state.body.count + n > config.bodyLimit {
                    state.tooLarge = true
                    state.body = []
                } else if let upload {
                    upload.withMemoryRebound(to: UInt8.self, capacity: n) { state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
                }
            }
            uploadSize.pointee = 0
            return MHD_Result.YES
        }
        if state.tooLarge { return send(connection, state, tooLarge(), route: nil) }
        let auth = app.config.authToken == nil ? nil : header(connection, "Authorization")
        let request = HTTPRequest(method: method, path: url, body: state.body, authorization: auth)
        let (response, route) = app.handle(request)
        return send(connection, state, response, route: route)
    }

    func tooLarge() -> HTTPResponse {
        HTTPError(413, "E2BIG", "the request body is larger than the limit of \(config.bodyLimit) bytes").response
    }

    func header(_ connection: OpaquePointer, _ name: String) -> String? {
        guard let v = MHD_lookup_connection_value(connection, MHD_ValueKind.HEADER_KIND, name) else { return nil }
        return String(cString: v)
    }

    func send(_ connection: OpaquePointer, _ state: RequestState, _ r: HTTPResponse, route: Route?) -> MHD_Result {
        state.route = route
        state.status = r.status
        state.bytesOut = r.body.count
        let response = r.body.withUnsafeBytes { buf in
            MHD_create_response_from_buffer(buf.count, UnsafeMutableRawPointer(mutating: buf.baseAddress), MHD_ResponseMemoryMode.RESPMEM_MUST_COPY)
        }
        guard let response else { return MHD_Result.NO }
        defer { MHD_destroy_response(response) }
        if r.status != 204 { MHD_add_response_header(response, "Content-Type", r.contentType) }
        for (k, v) in r.headers { MHD_add_response_header(response, k, v) }
        return MHD_queue_response(connection, UInt32(r.status), response)
    }

    func completed(_ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_RequestTerminationCode) {
        guard let conCls, let raw = conCls.pointee else { return }
        let state = Unmanaged<RequestState>.fromOpaque(raw).takeRetainedValue()
        conCls.pointee = nil
        inFlight.subtract(1, ordering: .relaxed)
        guard state.status != 0 else { return }
        let duration = ContinuousClock.now - state.start
        app.metrics.observe(route: state.route, method: state.method, status: state.status, duration: duration,
                            bytesIn: state.body.count, bytesOut: state.bytesOut)
        if logger.logLevel <= .debug {
            logger.debug("request", metadata: [
                "http.method": .string(state.method), "http.route": .string(state.route?.template ?? "other"),
                "http.response.status_code": .stringConvertible(state.status),
                "duration_us": .stringConvertible(Int(duration / .microseconds(1))),
            ])
        }
    }
}

// C callbacks: global functions in a library file (never top-level code in
// main.swift), so Swift 6 does not treat them as main-actor isolated.

func memcgdAccessHandler(cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, url: UnsafePointer<CChar>?,
                         method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?, uploadData: UnsafePointer<CChar>?,
                         uploadDataSize: UnsafeMutablePointer<Int>?, conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> MHD_Result {
    guard let cls, let connection, let url, let method, let uploadDataSize, let conCls else { return MHD_Result.NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    return server.access(connection, String(cString: url), String(cString: method), uploadData, uploadDataSize, conCls)
}

func memcgdRequestCompleted(cls: UnsafeMutableRawPointer?, connection: OpaquePointer?,
                            conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, code: MHD_RequestTerminationCode) {
    guard let cls else { return }
    Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().completed(conCls, code)
}

func memcgdConnectionNotify(cls: UnsafeMutableRawPointer?, connection: OpaquePointer?,
                            socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, code: MHD_ConnectionNotificationCode) {
    guard let cls else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    if code == MHD_ConnectionNotificationCode.CONNECTION_NOTIFY_STARTED { server.app.metrics.connectionOpened() } else { server.app.metrics.connectionClosed() }
}

func memcgdLog(cls: UnsafeMutableRawPointer?, format: UnsafePointer<CChar>?, args: CVaListPointer?) {
    guard let cls, let format, let args else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    var buf = [CChar](repeating: 0, count: 512)
    _ = memcgd_format_log(&buf, buf.count, format, args)
    let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    var text = String(decoding: bytes, as: UTF8.self)
    while text.last?.isNewline == true { text.removeLast() }
    server.logger.warning("libmicrohttpd", metadata: ["message": .string(text)])
}

