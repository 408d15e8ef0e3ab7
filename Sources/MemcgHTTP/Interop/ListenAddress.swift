#if canImport(Glibc)
import Glibc
#endif

/// An address to listen on or connect to: an IPv4 or IPv6 literal
/// (`127.0.0.1`, `::1`, `[::1]`, `::`) or a host name such as `localhost`
/// (resolved once, IPv4 preferred, the way `localhost` is usually meant).
public enum ListenAddress: Sendable {
    case v4(sockaddr_in)
    case v6(sockaddr_in6)

    public init?(_ host: String, port: UInt16 = 0) {
        var h = host
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        guard !h.isEmpty, h.utf8.count <= 253 else { return nil }
        var a4 = sockaddr_in()
        if inet_pton(AF_INET, h, &a4.sin_addr) == 1 {
            a4.sin_family = sa_family_t(AF_INET)
            a4.sin_port = port.bigEndian
            self = .v4(a4)
            return
        }
        var a6 = sockaddr_in6()
        if inet_pton(AF_INET6, h, &a6.sin6_addr) == 1 {
            a6.sin6_family = sa_family_t(AF_INET6)
            a6.sin6_port = port.bigEndian
            self = .v6(a6)
            return
        }
        // A name: only letters, digits, dots and hyphens (no service lookups).
        guard h.utf8.allSatisfy({ b in (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x2E || b == 0x2D }) else { return nil }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(h, nil, &hints, &res) == 0, let first = res else { return nil }
        defer { freeaddrinfo(first) }
        var found: ListenAddress?
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            if ai.pointee.ai_family == AF_INET, let sa = ai.pointee.ai_addr {
                var a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                a.sin_port = port.bigEndian
                found = .v4(a)
                break
            }
            if ai.pointee.ai_family == AF_INET6, found == nil, let sa = ai.pointee.ai_addr {
                var a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                a.sin6_port = port.bigEndian
                found = .v6(a)
            }
            p = ai.pointee.ai_next
        }
        guard let found else { return nil }
        self = found
    }

    public var isIPv6: Bool { if case .v6 = self { true } else { false } }

    /// The unspecified address (`0.0.0.0`, `::`): listens on every interface.
    public var isWildcard: Bool {
        switch self {
        case .v4(let a): return a.sin_addr.s_addr == 0
        case .v6(var a): return withUnsafeBytes(of: &a.sin6_addr) { $0.allSatisfy { $0 == 0 } }
        }
    }

    /// Where a client on this host reaches a server listening here: the
    /// loopback address of the same family when listening on every interface.
    public var forConnecting: ListenAddress {
        guard isWildcard else { return self }
        switch self {
        case .v4(var a): a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian; return .v4(a)
        case .v6(var a): withUnsafeMutableBytes(of: &a.sin6_addr) { b in for i in 0..<16 { b[i] = 0 }; b[15] = 1 }; return .v6(a)
        }
    }

    public var family: Int32 { isIPv6 ? AF_INET6 : AF_INET }

    /// Calls `body` with the address as a `sockaddr` and its length.
    public func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        switch self {
        case .v4(var a):
            return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        case .v6(var a):
            return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
    }
}
