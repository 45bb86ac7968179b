import Crypto
import Foundation
import TfdriftCore

/// AWS Signature Version 4 (HMAC-SHA256), as specified in the AWS General Reference and checked
/// against the official test suite (`Tests/Fixtures/aws-sigv4`): Authorization-header signing and
/// presigned (query) signing, S3's rules (no path normalisation, no second path encoding,
/// `x-amz-content-sha256`, `UNSIGNED-PAYLOAD`) and session tokens (signed, or added after signing).
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// How the payload enters the canonical request.
    public enum Payload: Sendable, Equatable {
        /// hex(SHA256(body)).
        case signed
        /// The literal `UNSIGNED-PAYLOAD` (S3 over TLS, presigned URLs).
        case unsigned
        /// A hash the caller already computed.
        case precomputed(String)
    }

    public struct Options: Sendable, Equatable {
        /// Remove `.`/`..` segments and empty segments from the path (every service but S3).
        public var normalizePath: Bool
        /// URI-encode the request's (already encoded) path once more (every service but S3).
        public var encodePath: Bool
        public var payload: Payload
        /// Add and sign `x-amz-content-sha256` (S3 requires it on every request).
        public var addContentSHA256Header: Bool
        /// `false`: `X-Amz-Security-Token` is added after signing (a few services want that).
        public var signSessionToken: Bool

        public init(
            normalizePath: Bool = true, encodePath: Bool = true, payload: Payload = .signed,
            addContentSHA256Header: Bool = false, signSessionToken: Bool = true
        ) {
            self.normalizePath = normalizePath
            self.encodePath = encodePath
            self.payload = payload
            self.addContentSHA256Header = addContentSHA256Header
            self.signSessionToken = signSessionToken
        }

        public static let standard = Options()
        /// S3: the path is signed exactly as sent, and the payload hash travels in `x-amz-content-sha256`.
        public static let s3 = Options(normalizePath: false, encodePath: false, addContentSHA256Header: true)
        public static let s3UnsignedPayload = Options(
            normalizePath: false, encodePath: false, payload: .unsigned, addContentSHA256Header: true)
    }

    /// A request as it goes on the wire: the path and query exactly as sent (percent-encoded).
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Without the leading `?`; nil or empty when there is none.
        public var query: String?
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(
            method: String, path: String, query: String? = nil, headers: [(name: String, value: String)] = [],
            body: [UInt8] = []
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    /// Everything the signer derived; tests compare each step with the official vectors.
    public struct Signed: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        /// The headers to send (header signing: with `Authorization`, `X-Amz-Date`, maybe the token).
        public var headers: [(name: String, value: String)]
        /// The query to send (presigning: the original query plus the `X-Amz-*` parameters).
        public var query: String?
        public var signedHeaders: String
    }

    public let service: String
    public let region: String

    public init(service: String, region: String) {
        self.service = service
        self.region = region
    }

    /// Headers that proxies and clients rewrite; signing them would break the signature in transit.
    static let unsignableHeaders: Set<String> = [
        "authorization", "user-agent", "x-amzn-trace-id", "expect", "connection", "transfer-encoding",
        "keep-alive", "proxy-authorization", "te", "upgrade",
    ]

    // MARK: header signing

    public func sign(_ request: Request, credentials: AWSCredentials, date: Date, options: Options = .standard) -> Signed {
        let stamp = AWSTimestamp(date)
        var headers = request.headers.filter {
            let name = $0.name.lowercased()
            return name != "x-amz-date" && name != "authorization"
                && !(name == "x-amz-security-token" && credentials.sessionToken != nil)
                && !(name == "x-amz-content-sha256" && options.addContentSHA256Header)
        }
        let payloadHash = payloadHash(request.body, options.payload)
        headers.append((name: "X-Amz-Date", value: stamp.dateTime))
        if options.addContentSHA256Header { headers.append((name: "x-amz-content-sha256", value: payloadHash)) }
        if let token = credentials.sessionToken, options.signSessionToken {
            headers.append((name: "X-Amz-Security-Token", value: token))
        }
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalPath(request.path, options),
            Self.canonicalQuery(request.query ?? ""),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(stamp.date)/\(region)/\(service)/aws4_request"
        let stringToSign = Self.stringToSign(stamp: stamp, scope: scope, canonicalRequest: canonicalRequest)
        let signature = signature(stringToSign, secret: credentials.secretAccessKey, date: stamp.date)
        if let token = credentials.sessionToken, !options.signSessionToken {
            headers.append((name: "X-Amz-Security-Token", value: token))
        }
        headers.append(
            (
                name: "Authorization",
                value:
                    "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
            ))
        return Signed(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, headers: headers,
            query: request.query, signedHeaders: signedHeaders)
    }

    // MARK: query signing (presigned URLs)

    public func presign(
        _ request: Request, credentials: AWSCredentials, date: Date, expires: Int, options: Options = .standard
    ) -> Signed {
        let stamp = AWSTimestamp(date)
        let scope = "\(stamp.date)/\(region)/\(service)/aws4_request"
        let headers = request.headers.filter { $0.name.lowercased() != "x-amz-date" && $0.name.lowercased() != "authorization" }
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        var parameters: [(String, String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
            ("X-Amz-Date", stamp.dateTime),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", signedHeaders),
        ]
        if let token = credentials.sessionToken, options.signSessionToken { parameters.append(("X-Amz-Security-Token", token)) }
        var query = request.query ?? ""
        for (name, value) in parameters {
            query += (query.isEmpty ? "" : "&") + AWSURIEncoding.encode(name) + "=" + AWSURIEncoding.encode(value)
        }
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalPath(request.path, options),
            Self.canonicalQuery(query),
            canonicalHeaders,
            signedHeaders,
            payloadHash(request.body, options.payload),
        ].joined(separator: "\n")
        let stringToSign = Self.stringToSign(stamp: stamp, scope: scope, canonicalRequest: canonicalRequest)
        let signature = signature(stringToSign, secret: credentials.secretAccessKey, date: stamp.date)
        if let token = credentials.sessionToken, !options.signSessionToken {
            query += "&X-Amz-Security-Token=" + AWSURIEncoding.encode(token)
        }
        query += "&X-Amz-Signature=" + signature
        return Signed(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, headers: headers,
            query: query, signedHeaders: signedHeaders)
    }

    // MARK: HTTPRequest convenience

    /// Signs an `HTTPRequest` in place: adds `Host` (when missing), `X-Amz-Date`, the token and `Authorization`.
    public func sign(_ request: inout HTTPRequest, credentials: AWSCredentials, date: Date, options: Options = .standard) {
        var wire = Self.wireRequest(request)
        if request.header("Host") == nil { wire.headers.insert((name: "Host", value: Self.hostHeader(request.url)), at: 0) }
        let signed = sign(wire, credentials: credentials, date: date, options: options)
        request.headers = signed.headers
    }

    /// A presigned URL for `request` (S3 GetObject links and the like), valid for `expires` seconds.
    public func presignedURL(
        _ request: HTTPRequest, credentials: AWSCredentials, date: Date, expires: Int, options: Options = .s3UnsignedPayload
    ) -> URL? {
        var wire = Self.wireRequest(request)
        if request.header("Host") == nil { wire.headers.insert((name: "Host", value: Self.hostHeader(request.url)), at: 0) }
        let signed = presign(wire, credentials: credentials, date: date, expires: expires, options: options)
        guard var components = URLComponents(url: request.url, resolvingAgainstBaseURL: false) else { return nil }
        components.percentEncodedQuery = signed.query
        return components.url
    }

    static func wireRequest(_ request: HTTPRequest) -> Request {
        var path = request.url.path(percentEncoded: true)
        if path.isEmpty { path = "/" }
        return Request(
            method: request.method, path: path, query: request.url.query(percentEncoded: true), headers: request.headers,
            body: request.body ?? [])
    }

    /// `host[:port]`, the port only when it is not the scheme's default.
    public static func hostHeader(_ url: URL) -> String {
        let host = url.host(percentEncoded: false) ?? ""
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port = url.port else { return bracketed }
        let scheme = url.scheme?.lowercased()
        if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) { return bracketed }
        return "\(bracketed):\(port)"
    }

    // MARK: steps

    func payloadHash(_ body: [UInt8], _ payload: Payload) -> String {
        switch payload {
        case .signed: return body.isEmpty ? Self.emptyPayloadHash : Hex.sha256(body)
        case .unsigned: return Self.unsignedPayload
        case .precomputed(let hash): return hash
        }
    }

    func canonicalPath(_ path: String, _ options: Options) -> String {
        var path = path.isEmpty ? "/" : path
        if options.normalizePath { path = Self.normalize(path) }
        if options.encodePath { return AWSURIEncoding.encode(path, keepSlash: true) }
        // S3: the path as sent; decoding and re-encoding only canonicalises the percent-escapes.
        return AWSURIEncoding.encode(AWSURIEncoding.decode(path), keepSlash: true)
    }

    /// Removes `.`, `..` and empty segments; keeps a trailing slash (as botocore and aws-c-auth do).
    static func normalize(_ path: String) -> String {
        var stack: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                _ = stack.popLast()
                continue
            }
            stack.append(segment)
        }
        var result = "/" + stack.joined(separator: "/")
        if path.hasSuffix("/") && !stack.isEmpty { result += "/" }
        return result
    }

    /// Sorted by encoded name, then encoded value; every name and value re-encoded with AWS's rules.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = AWSURIEncoding.encode(AWSURIEncoding.decode(String(parts[0])))
            let value = parts.count > 1 ? AWSURIEncoding.encode(AWSURIEncoding.decode(String(parts[1]))) : ""
            pairs.append((name, value))
        }
        pairs.sort { lhs, rhs in
            lhs.0 == rhs.0
                ? Array(lhs.1.utf8).lexicographicallyPrecedes(rhs.1.utf8)
                : Array(lhs.0.utf8).lexicographicallyPrecedes(rhs.0.utf8)
        }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Lower-case names, sorted; values trimmed with inner whitespace runs collapsed; repeated
    /// headers joined with commas in the order they appear.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (canonical: String, signed: String) {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if unsignableHeaders.contains(lower) { continue }
            if values[lower] == nil { order.append(lower) }
            values[lower, default: []].append(collapseWhitespace(value))
        }
        order.sort { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
        var canonical = ""
        for name in order { canonical += name + ":" + values[name]!.joined(separator: ",") + "\n" }
        return (canonical, order.joined(separator: ";"))
    }

    static func collapseWhitespace(_ value: String) -> String {
        var result = ""
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.unicodeScalars.append(" ")
                pendingSpace = false
            }
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    static func stringToSign(stamp: AWSTimestamp, scope: String, canonicalRequest: String) -> String {
        [algorithm, stamp.dateTime, scope, Hex.sha256(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    func signature(_ stringToSign: String, secret: String, date: String) -> String {
        let key = Self.signingKey(secret: secret, date: date, region: region, service: service)
        return Hex.encode(Self.hmac(key: key, Array(stringToSign.utf8)))
    }

    static func signingKey(secret: String, date: String, region: String, service: String) -> [UInt8] {
        var key = hmac(key: Array("AWS4\(secret)".utf8), Array(date.utf8))
        key = hmac(key: key, Array(region.utf8))
        key = hmac(key: key, Array(service.utf8))
        return hmac(key: key, Array("aws4_request".utf8))
    }

    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}

/// `yyyyMMdd` and `yyyyMMdd'T'HHmmss'Z'` in UTC, computed without a formatter.
struct AWSTimestamp: Sendable {
    let date: String
    let dateTime: String

    init(_ instant: Date) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        date = "\(year)\(two(month))\(two(day))"
        dateTime = "\(date)T\(two(secondOfDay / 3600))\(two(secondOfDay / 60 % 60))\(two(secondOfDay % 60))Z"
    }

    /// Howard Hinnant's days-to-civil algorithm.
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// AWS's URI encoding: every byte except `A-Z a-z 0-9 - _ . ~` (and `/` in paths) as `%XX`, upper-case hex.
public enum AWSURIEncoding {
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(Hex.upper[Int(byte >> 4)])
                out.append(Hex.upper[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-decoding; malformed escapes stay as they are. With `plusIsSpace`, `+` is a space
    /// (HTML form encoding, which S3 event notifications use for keys).
    public static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return text
        }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = Hex.value(bytes[index + 1]),
                let low = Hex.value(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum Hex {
    static let lower = Array("0123456789abcdef".utf8)
    static let upper = Array("0123456789ABCDEF".utf8)

    static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(lower[Int(byte >> 4)])
            out.append(lower[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func sha256(_ bytes: [UInt8]) -> String { encode(SHA256.hash(data: bytes)) }

    static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
