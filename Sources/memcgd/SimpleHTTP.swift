import MemcgHTTP
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 GET over a socket, enough for a health check.
enum SimpleHTTP {
    static func get(_ addr: ListenAddress, host: String, path: String) -> Int? {
        let fd = socket(addr.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard addr.withSockaddr({ connect(fd, $0, $1) }) == 0 else { return nil }
        let hostHeader = addr.isIPv6 && !host.hasPrefix("[") ? "[\(host)]" : host
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var buf = [UInt8](repeating: 0, count: 64)
        var got = 0
        while got < 12 {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, 64 - got, 0) }
            guard n > 0 else { return nil }
            got += n
        }
        guard buf[0..<5].elementsEqual("HTTP/".utf8) else { return nil }
        return Int(String(decoding: buf[9..<12], as: UTF8.self))
    }
}
