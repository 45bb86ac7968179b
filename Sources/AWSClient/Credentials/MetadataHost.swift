import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which hosts may serve credentials over plain HTTP. The SDKs accept `AWS_CONTAINER_CREDENTIALS_FULL_URI`
/// over http only for a loopback address or the agents' link-local addresses (ECS 169.254.170.2, EKS Pod
/// Identity 169.254.170.23 and fd00:ec2::23): anything else could be a network path an attacker controls.
/// Addresses are compared as bytes, so `fd00:ec2:0::23` and `[::1]` are recognised; names other than
/// `localhost` are not resolved (botocore's rule; https is the way to use any other host).
enum MetadataHost {
    static let ecsAgent: [UInt8] = [169, 254, 170, 2]
    static let podIdentityAgentV4: [UInt8] = [169, 254, 170, 23]
    static let podIdentityAgentV6: [UInt8] = [0xFD, 0, 0x0E, 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23]

    static func isAllowedForPlainHTTP(_ host: String) -> Bool {
        let bare = unbracketed(host)
        if bare.lowercased() == "localhost" { return true }
        if let v4 = ipv4(bare) {
            return v4[0] == 127 || v4 == ecsAgent || v4 == podIdentityAgentV4
        }
        if let v6 = ipv6(bare) {
            let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
            return v6 == loopback || v6 == podIdentityAgentV6
        }
        return false
    }

    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// `scheme://host[:port]` of a credentials URL: its path can be a capability (the ECS agent's
    /// `/v2/credentials/<id>`), so messages and the credentials' source show no more than this.
    static func shown(_ url: URL) -> String {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false), let host = components.host else {
            return "<credentials endpoint>"
        }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(components.scheme ?? "http")://\(bracketed)\(port)"
    }
}
