import Logging
import MemcgEngine
@testable import MemcgHTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A reply parsed from raw bytes.
struct Reply {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> JSONValue { try JSONValue.parse(body) }

    /// Follows a path of object keys into the JSON body.
    func value(_ path: String...) throws -> JSONValue {
        var v = try json()
        for k in path {
            guard case .object(let o) = v, let next = o[k] else { throw JSONError("no \(k) in \(text.prefix(300))") }
            v = next
        }
        return v
    }

    func int(_ path: String...) throws -> Int? {
        var v = try json()
        for k in path {
            guard case .object(let o) = v, let next = o[k] else { return nil }
            v = next
        }
        if case .int(let i) = v { return i }
        return nil
    }

    var code: String? {
        guard case .object(let o)? = try? json(), case .string(let c)? = o["code"] else { return nil }
        return c
    }
}

/// Talks to an `App` in-process, through the route table.
struct InProcess {
    let app: App

    init(frames: Int = 4096, swapPages: Int = 0, token: String? = nil, maxBatchPages: Int = AppConfig.defaultMaxBatchPages,
         cgroup: CgroupVersion = .v2) throws {
        let machine = try Machine(pageSize: 4096, memoryBytes: frames * 4096, swapBytes: swapPages * 4096, cgroup: cgroup)
        app = try App(config: AppConfig(machine: machine, authToken: token, maxBatchPages: maxBatchPages))
    }

    @discardableResult
    func call(_ method: String, _ path: String, _ body: String? = nil, auth: String? = nil) -> Reply {
        let (r, _) = app.handle(HTTPRequest(method: method, path: path, body: Array((body ?? "").utf8), authorization: auth))
        var headers = ["content-type": r.contentType]
        for (k, v) in r.headers { headers[k.lowercased()] = v }
        return Reply(status: r.status, headers: headers, body: r.body)
    }
}

/// A real memcgd server (libmicrohttpd) on an ephemeral loopback port.
final class LiveServer: @unchecked Sendable {
    let server: HTTPServer
    var port: UInt16 { server.boundPort }

    init(frames: Int = 4096, swapPages: Int = 0, bodyLimit: Int = 1 << 20, timeout: Int = 30, threads: Int = 2,
         token: String? = nil, requestTimeout: Int = 30, bufferLimit: Int = 64 << 20, connectionsPerIP: Int = 64,
         maxBatchPages: Int = AppConfig.defaultMaxBatchPages, stallSeconds: Double = 2, cgroup: CgroupVersion = .v2) throws {
        let machine = try Machine(pageSize: 4096, memoryBytes: frames * 4096, swapBytes: swapPages * 4096, cgroup: cgroup)
        let app = try App(config: AppConfig(machine: machine, authToken: token, maxBatchPages: maxBatchPages, stallSeconds: stallSeconds))
        var logger = Logger(label: "memcgd-test")
        logger.logLevel = .critical
        server = HTTPServer(app: app, config: ServerConfig(host: "127.0.0.1", port: 0, threads: threads, bodyLimit: bodyLimit,
                                                           bufferLimit: bufferLimit, connectionTimeout: timeout,
                                                           requestTimeout: requestTimeout, connectionsPerIP: connectionsPerIP),
                            logger: logger)
        try server.start()
    }

    deinit { server.stop(drain: .seconds(2)) }

    @discardableResult
    func call(_ method: String, _ path: String, _ body: String? = nil) throws -> Reply {
        try RawHTTP.request(port: port, method: method, path: path, body: body.map { Array($0.utf8) })
    }
}

struct SocketError: Error { var what: String }

/// A tiny blocking HTTP/1.1 client over a real socket (one request per connection).
enum RawHTTP {
    static func connectTo(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(what: "socket") }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else { close(fd); throw SocketError(what: "connect") }
        return fd
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw SocketError(what: "send") }
            off += n
        }
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    static func parse(_ raw: [UInt8]) throws -> Reply {
        guard let split = raw.indices.first(where: { i in i + 3 < raw.count && raw[i] == 13 && raw[i + 1] == 10 && raw[i + 2] == 13 && raw[i + 3] == 10 }) else {
            throw SocketError(what: "no header end in \(raw.count) bytes")
        }
        let head = String(decoding: raw[0..<split], as: UTF8.self).split(separator: "\r\n")
        let status = Int(head[0].split(separator: " ")[1])!
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            if let c = line.firstIndex(of: ":") {
                headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: " ")
            }
        }
        return Reply(status: status, headers: headers, body: Array(raw[(split + 4)...]))
    }

    static func request(port: UInt16, method: String, path: String, body: [UInt8]?, extraHeaders: String = "") throws -> Reply {
        let fd = try connectTo(port: port)
        defer { close(fd) }
        var req = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\(extraHeaders)"
        if let body { req += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        req += "\r\n"
        // A refusal on the headers closes the connection while the body is
        // still being sent: read the reply the server sent before that.
        try? sendAll(fd, Array(req.utf8) + (body ?? []))
        return try parse(readAll(fd))
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
