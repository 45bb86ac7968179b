import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP port held by a bound socket that never listens: connecting to it is refused, and nobody
/// else (another test's server) can take the port while this object lives. With `listening`, connections
/// are accepted by the kernel (the handshake completes) but never answered: an address nothing serves,
/// as a client sees it until its deadline.
public final class ReservedLoopbackPort: Sendable {
    public let port: Int
    private let descriptor: Int32

    public init(listening: Bool = false) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound, !listening || listen(fd, 16) == 0 else {
            let code = POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE
            close(fd)
            throw POSIXError(code)
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// A loopback TCP port that was free a moment ago (reserved, then released) for a server a test starts.
public func freeLoopbackPort() throws -> Int { try ReservedLoopbackPort().port }
