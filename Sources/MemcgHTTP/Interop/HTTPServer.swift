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
    /// Largest body of `POST /events` (the one route that takes large ones).
    public var bodyLimit: Int
    /// Largest body of every other route: they take small JSON objects, and
    /// parse them into a tree first.
    public var smallBodyLimit: Int
    /// Bytes of request bodies held across all connections at once; a body
    /// that would pass it gets 503.
    public var bufferLimit: Int
    /// Seconds a connection may stay idle before it is closed.
    public var connectionTimeout: Int
    /// Seconds a request may take to arrive whole (headers and body) and a
    /// reply to be taken; 0 turns the deadline off.
    public var requestTimeout: Int
    public var connectionLimit: Int
    /// Connections open at once from one client address; 0 means no limit.
    public var connectionsPerIP: Int

    public init(host: String = "127.0.0.1", port: UInt16 = 8080, threads: Int = 2, bodyLimit: Int = 16 << 20,
                smallBodyLimit: Int = ServerConfig.defaultSmallBodyLimit, bufferLimit: Int = 64 << 20,
                connectionTimeout: Int = 30, requestTimeout: Int = 30, connectionLimit: Int = 1000,
                connectionsPerIP: Int = 64) {
        self.host = host
        self.port = port
        self.threads = threads
        self.bodyLimit = bodyLimit
        self.smallBodyLimit = min(smallBodyLimit, bodyLimit)
        self.bufferLimit = max(bufferLimit, bodyLimit)
        self.connectionTimeout = connectionTimeout
        self.requestTimeout = requestTimeout
        self.connectionLimit = connectionLimit
        self.connectionsPerIP = connectionsPerIP
    }

    public static let defaultSmallBodyLimit = 64 << 10

    /// The body limit of a route.
    func limit(for route: Route?) -> Int { route == .events ? bodyLimit : smallBodyLimit }
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
    /// Set by `start` and cleared by `stop`, which the command calls from one thread (hence `nonisolated(unsafe)`).
    nonisolated(unsafe) private var daemon: OpaquePointer?
    private let started = Atomic<Bool>(false)
    /// Requests that reached the handler and are not completed yet.
    let inFlight = Atomic<Int>(0)
    /// Requests inside `App.handle` right now (what the drain waits for).
    let handling = Atomic<Int>(0)
    /// Body bytes buffered across all connections (bounded by `bufferLimit`).
    let buffered = Atomic<Int>(0)
    let deadlines: RequestDeadlines?
    /// The port actually bound (differs from `config.port` when that is 0).
    /// Written once by `start` before any request is served (hence `nonisolated(unsafe)`).
    nonisolated(unsafe) public private(set) var boundPort: UInt16 = 0

    public init(app: App, config: ServerConfig, logger: Logger) {
        self.app = app
        self.config = config
        self.logger = logger
        deadlines = config.requestTimeout > 0 ? RequestDeadlines(timeoutSeconds: config.requestTimeout) : nil
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
                MHD_OptionItem(option: .PER_IP_CONNECTION_LIMIT, value: config.connectionsPerIP, ptr_value: nil),
                // Refuses HTTP/1.1 without Host, spaces in the URL and before a header's colon.
                MHD_OptionItem(option: .STRICT_FOR_CLIENT, value: 1, ptr_value: nil),
                MHD_OptionItem(option: .UNESCAPE_CALLBACK, value: memcgd_unescape_callback(), ptr_value: nil),
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
        deadlines?.start()
    }

    /// Graceful stop: stop accepting, let in-flight requests finish (up to
    /// `drain` seconds), then shut the daemon down. Returns false when a
    /// request was still inside the handler when the drain time ran out: the
    /// daemon is then left running (stopping it would join that thread) and
    /// the caller should exit the process.
    @discardableResult
    public func stop(drain: Duration = .seconds(10)) -> Bool {
        guard started.exchange(false, ordering: .acquiringAndReleasing), let d = daemon else { return true }
        let listen = MHD_quiesce_daemon(d)
        let clock = ContinuousClock()
        let deadline = clock.now + drain
        while inFlight.load(ordering: .acquiring) > 0 && clock.now < deadline {
            usleep(5_000)
        }
        deadlines?.stop()
        if handling.load(ordering: .acquiring) > 0 {
            logger.warning("drain time over with a request still running; not waiting for it",
                           metadata: ["requests": .stringConvertible(handling.load(ordering: .relaxed))])
            return false
        }
        MHD_stop_daemon(d)
        if listen >= 0 { close(listen) }
        daemon = nil
        Unmanaged.passUnretained(self).release()
        return true
    }

    // MARK: request handling (called on libmicrohttpd threads)

    /// Per-request state kept in `*con_cls` across access-handler calls.
    final class RequestState {
        var body: [UInt8] = []
        /// Body bytes counted in `buffered`.
        var reserved = 0
        /// The body limit of the route.
        var limit = 0
        /// A refusal decided on the headers, sent on the final call (no body).
        var refusal: HTTPResponse? = nil
        /// A reply is queued; later calls only discard data.
        var queued = false
        /// The body came with a Content-Length, reserved whole in `buffered`.
        var announced = false
        /// Close the connection after the reply (Content-Length with chunked).
        var closeAfter = false
        let start = ContinuousClock.now
        var route: Route? = nil
        var method = ""
        var status = 0
        var bytesIn = 0
        var bytesOut = 0
    }

    func access(_ connection: OpaquePointer, _ url: String, _ method: String, _ upload: UnsafePointer<CChar>?,
                _ uploadSize: UnsafeMutablePointer<Int>, _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        guard let raw = conCls.pointee else { return headers(connection, url, method, conCls) }
        let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()
        let n = uploadSize.pointee
        uploadSize.pointee = 0
        if state.queued { return MHD_Result.YES }
        if n > 0 {
            state.bytesIn += n
            if state.refusal != nil { return MHD_Result.YES }
            // A chunked body passing a limit. libmicrohttpd 0.9.75 refuses to
            // queue a reply while a body is arriving, so the connection is
            // closed at once instead (no reply, no more of the body read).
            if state.body.count + n > state.limit {
                logger.debug("chunked body over the limit; closing", metadata: ["limit": .stringConvertible(state.limit)])
                release(state)
                return MHD_Result.NO
            }
            if !state.announced {
                if buffered.add(n, ordering: .relaxed).newValue > config.bufferLimit {
                    buffered.subtract(n, ordering: .relaxed)
                    logger.debug("chunked body over the shared buffer limit; closing")
                    release(state)
                    return MHD_Result.NO
                }
                state.reserved += n
            }
            if let upload {
                upload.withMemoryRebound(to: UInt8.self, capacity: n) { state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
            }
            return MHD_Result.YES
        }
        if let r = state.refusal { return send(connection, state, r, route: state.route) }
        deadlines?.running(connection)
        handling.add(1, ordering: .relaxed)
        let auth = app.config.authToken == nil ? nil : header(connection, "Authorization")
        var request = HTTPRequest(method: method, path: url, body: state.body, authorization: auth)
        for name in HTTPRequest.queryNames {
            if let v = MHD_lookup_connection_value(connection, MHD_ValueKind.GET_ARGUMENT_KIND, name) { request.query[name] = String(cString: v) }
        }
        var (response, route) = app.handle(request)
        handling.subtract(1, ordering: .relaxed)
        if state.closeAfter { response.headers.append(("Connection", "close")) }
        release(state)
        let result = send(connection, state, response, route: route)
        deadlines?.restart(connection)  // the reply must be taken within the deadline too
        return result
    }

    /// First call, headers only: authentication, route, method and the
    /// announced length are checked before a byte of the body is read.
    func headers(_ connection: OpaquePointer, _ url: String, _ method: String,
                 _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        let state = RequestState()
        state.method = method
        conCls.pointee = Unmanaged.passRetained(state).toOpaque()
        inFlight.add(1, ordering: .relaxed)
        let auth = app.config.authToken == nil ? nil : header(connection, "Authorization")
        let (preflightRefusal, route) = app.preflight(method: method, path: url, authorization: auth)
        state.route = route
        state.limit = config.limit(for: route)
        let chunked = header(connection, "Transfer-Encoding") != nil
        // With both, the body is read as chunked and the connection closed
        // after the reply (RFC 9112 section 6.3): the length is ignored.
        let length = chunked ? nil : header(connection, "Content-Length")
        state.closeAfter = chunked && header(connection, "Content-Length") != nil
        let hasBody = chunked || (length != nil && length != "0")
        var refusal = preflightRefusal
        switch memcgd_header_fault(connection) {
        case 1: refusal = HTTPError.invalid("a header name holds a space or a tab").response
        case 2: refusal = HTTPError.invalid("two Content-Length headers with different values").response
        default: break
        }
        if let refusal {
            // With a body coming, answer now and close: the body is never read.
            if hasBody { return refuse(connection, state, refusal) }
            state.refusal = refusal
            return MHD_Result.YES
        }
        if let length {
            // Digits only, no sign; anything longer than 15 digits is over every limit.
            let u = length.utf8
            guard !u.isEmpty, u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return refuse(connection, state, HTTPError.invalid("Content-Length must be a decimal number of bytes").response)
            }
            guard u.count <= 15, let n = Int(length), n <= state.limit else { return refuse(connection, state, tooLarge(state.limit)) }
            // The announced length is taken from the shared budget now, so a
            // body that does not fit is refused (503) before it is read.
            if n > 0 {
                if buffered.add(n, ordering: .relaxed).newValue > config.bufferLimit {
                    buffered.subtract(n, ordering: .relaxed)
                    return refuse(connection, state, busy())
                }
                state.reserved = n
                state.announced = true
                state.body.reserveCapacity(n)
            }
        }
        return MHD_Result.YES
    }

    /// Sends an error from the headers-only call and closes the connection
    /// after it: libmicrohttpd then reads none of the body.
    func refuse(_ connection: OpaquePointer, _ state: RequestState, _ r: HTTPResponse) -> MHD_Result {
        release(state)
        var r = r
        r.headers.append(("Connection", "close"))
        return send(connection, state, r, route: state.route)
    }

    /// Gives the body's bytes back to the shared budget.
    func release(_ state: RequestState) {
        if state.reserved > 0 { buffered.subtract(state.reserved, ordering: .relaxed) }
        state.reserved = 0
        state.body = []
    }

    func tooLarge(_ limit: Int) -> HTTPResponse {
        HTTPError(413, "E2BIG", "the request body is larger than this route's limit of \(limit) bytes").response
    }

    func busy() -> HTTPResponse {
        var e = HTTPError(503, "EAGAIN", "the server holds \(config.bufferLimit) bytes of request bodies already; retry later")
        e.headers = [("Retry-After", "1")]
        return e.response
    }

    func header(_ connection: OpaquePointer, _ name: String) -> String? {
        guard let v = MHD_lookup_connection_value(connection, MHD_ValueKind.HEADER_KIND, name) else { return nil }
        return String(cString: v)
    }

    func send(_ connection: OpaquePointer, _ state: RequestState, _ r: HTTPResponse, route: Route?) -> MHD_Result {
        state.route = route
        state.status = r.status
        state.bytesOut = r.body.count
        state.queued = true
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
        release(state)
        inFlight.subtract(1, ordering: .relaxed)
        guard state.status != 0 else { return }
        let duration = ContinuousClock.now - state.start
        app.metrics.observe(route: state.route, method: state.method, status: state.status, duration: duration,
                            bytesIn: state.bytesIn, bytesOut: state.bytesOut)
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
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    if let connection { server.deadlines?.restart(connection) }
    server.completed(conCls, code)
}

func memcgdConnectionNotify(cls: UnsafeMutableRawPointer?, connection: OpaquePointer?,
                            socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, code: MHD_ConnectionNotificationCode) {
    guard let cls else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    if code == MHD_ConnectionNotificationCode.CONNECTION_NOTIFY_STARTED {
        server.app.metrics.connectionOpened()
        if let connection { server.deadlines?.opened(connection, fd: memcgd_connection_fd(connection)) }
    } else {
        server.app.metrics.connectionClosed()
        if let connection { server.deadlines?.closed(connection) }
    }
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

