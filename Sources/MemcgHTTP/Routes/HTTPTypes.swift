import MemcgEngine

/// A request as the routes see it: plain Swift values, no C pointers.
public struct HTTPRequest: Sendable {
    public var method: String
    public var path: String
    public var body: [UInt8]
    /// The `Authorization` header, if any.
    public var authorization: String?
    /// The query arguments the routes read (`queryNames`), decoded.
    public var query: [String: String] = [:]

    /// Query arguments any route reads (GET /journal's `from` and `limit`).
    public static let queryNames = ["from", "limit"]

    public init(method: String, path: String, body: [UInt8] = [], authorization: String? = nil, query: [String: String] = [:]) {
        self.method = method
        self.path = path
        self.body = body
        self.authorization = authorization
        self.query = query
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, contentType: String = "application/json", headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ w: JSONWriter, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: w.bytes)
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// An error reply (RFC 9457 problem details) with an errno-style code.
public struct HTTPError: Error, Sendable {
    public var status: Int
    public var code: String?
    public var detail: String
    public var headers: [(String, String)] = []
    /// Pages evicted before the failure (a limit write that gave up).
    public var evicted: [Int]? = nil

    public init(_ status: Int, _ code: String?, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    static func invalid(_ detail: String) -> HTTPError { HTTPError(400, "EINVAL", detail) }

    /// The one mapping from engine errors to HTTP statuses.
    init(_ e: EngineError) {
        let status = switch e.code {
        case .EINVAL, .EOPNOTSUPP: 400
        case .ENOENT, .ESRCH: 404
        case .EEXIST, .EBUSY, .ENOMEM: 409
        }
        self.init(status, e.code.rawValue, e.detail)
        if !e.evicted.isEmpty { evicted = e.evicted }
    }

    init(_ e: JSONError) { self.init(400, "EINVAL", e.message) }

    static func title(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }

    var response: HTTPResponse {
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.member("type", "about:blank")
        w.member("title", Self.title(status))
        w.member("status", status)
        if let code { w.member("code", code) }
        w.member("detail", detail)
        if let evicted {
            w.key("evicted")
            w.beginObject()
            w.member("count", evicted.count)
            w.key("pages"); w.beginArray(); for p in evicted { w.int(p) }; w.endArray()
            w.endObject()
        }
        w.endObject()
        return HTTPResponse(status: status, contentType: "application/problem+json", headers: headers, body: w.bytes)
    }
}
