import Detector
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import TfdriftCore

/// A Loki stand-in for tests that validates every push against Loki's documented push API
/// (`POST /loki/api/v1/push`, JSON body, optional gzip): `streams` with a `stream` label map whose
/// names are valid label names, `values` as `[<unix nanoseconds as a string>, <line>]`. Invalid pushes
/// get 400 with the reason, as Loki answers. It can be told to fail (down, 429, 500, slow) and
/// records what it accepted.
public final class LokiSimulator: Sendable {
    public enum Mode: Sendable, Equatable {
        case healthy
        case rateLimited
        case serverError
        case slow(Duration)
    }

    public struct Entry: Sendable, Equatable {
        public var labels: [String: String]
        public var timestamp: String
        public var line: String
    }

    struct State {
        var mode: Mode = .healthy
        var accepted: [Entry] = []
        var rejected: [String] = []
        var requests = 0
        var tenants: Set<String> = []
        var authorizations: Set<String> = []
    }

    private let state = Mutex(State())
    /// When set, every API route but `/ready` answers 401 without these basic-auth credentials (a Loki
    /// behind an authenticating gateway, seed 1.7).
    public let requiredAuth: (user: String, password: String)?
    /// What `GET /config` answers (Loki's running configuration, YAML); nil answers 404.
    public let configYAML: String?
    /// Loki's `limits_config.max_line_size` (256 KB by default).
    public let maxLineBytes: Int
    /// Entries whose line contains this are refused as Loki refuses out-of-window entries (tests of a
    /// 400 that concerns some entries of a push, not all).
    public let refusedMarker: String?
    private let log = Mutex<[String]>([])

    public init(maxLineBytes: Int = 256_000, refusedMarker: String? = nil) {
        requiredAuth = nil
        configYAML = nil
        self.maxLineBytes = maxLineBytes
        self.refusedMarker = refusedMarker
    }

    public init(requiredAuth: (user: String, password: String)?, configYAML: String?) {
        self.requiredAuth = requiredAuth
        self.configYAML = configYAML
        maxLineBytes = 256_000
        refusedMarker = nil
    }

    /// Every request as "METHOD path", in order.
    public var requestLog: [String] { log.withLock { $0 } }
    /// Requests that could change Loki (pushes, deletes).
    public var writeRequests: [String] { requestLog.filter { !$0.hasPrefix("GET ") && !$0.hasPrefix("HEAD ") } }

    func admitted(_ request: Request) -> Bool {
        log.withLock { $0.append("\(request.method.rawValue) \(request.uri.path)") }
        guard let requiredAuth else { return true }
        let expected = "Basic " + Data("\(requiredAuth.user):\(requiredAuth.password)".utf8).base64EncodedString()
        return request.headers[.authorization] == expected
    }

    static let unauthorized = Response(
        status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"loki\""],
        body: ResponseBody(byteBuffer: ByteBuffer(string: "authentication required\n")))

    public func setMode(_ mode: Mode) { state.withLock { $0.mode = mode } }
    public var accepted: [Entry] { state.withLock { $0.accepted } }
    public var rejected: [String] { state.withLock { $0.rejected } }
    public var requestCount: Int { state.withLock { $0.requests } }
    public var tenants: Set<String> { state.withLock { $0.tenants } }
    public var authorizations: Set<String> { state.withLock { $0.authorizations } }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/loki/api/v1/push") { request, _ -> Response in
            guard self.admitted(request) else { return Self.unauthorized }
            var request = request
            let mode = self.state.withLock { state -> Mode in
                state.requests += 1
                if let tenant = request.headers[HTTPField.Name("X-Scope-OrgID")!] { state.tenants.insert(tenant) }
                if let authorization = request.headers[.authorization] { state.authorizations.insert(authorization) }
                return state.mode
            }
            switch mode {
            case .rateLimited:
                return Response(
                    status: .tooManyRequests, body: ResponseBody(byteBuffer: ByteBuffer(string: "Ingestion rate limit exceeded")))
            case .serverError:
                return Response(
                    status: .internalServerError, body: ResponseBody(byteBuffer: ByteBuffer(string: "internal error")))
            case .slow(let delay): try await Task.sleep(for: delay)
            case .healthy: break
            }
            let body = try await request.collectBody(upTo: 64 << 20)
            var bytes = Array(body.readableBytesView)
            if request.headers[.contentEncoding] == "gzip" {
                guard let inflated = try? Self.gunzip(bytes) else { return self.reject("body is not valid gzip") }
                bytes = inflated
            }
            guard request.headers[.contentType]?.hasPrefix("application/json") == true else {
                return self.reject("unsupported Content-Type (this simulator validates the JSON push API)")
            }
            switch Self.validate(bytes) {
            case .failure(let invalid): return self.reject(invalid.reason)
            case .success(let entries):
                // As Loki's distributor: each entry is validated on its own; the valid ones are stored
                // (an exact repeat of a stored entry — same stream, time and line — is dropped), and a
                // push with any invalid entry is answered 400 naming them.
                var problems: [String] = []
                self.state.withLock { state in
                    for entry in entries {
                        if entry.line.utf8.count > self.maxLineBytes {
                            problems.append(
                                "max line size (\(self.maxLineBytes)) exceeded while adding (\(entry.line.utf8.count)) size line for stream \(entry.labels)"
                            )
                            continue
                        }
                        if let marker = self.refusedMarker, entry.line.contains(marker) {
                            problems.append("entry for stream \(entry.labels) has timestamp too old: \(entry.timestamp)")
                            continue
                        }
                        if state.accepted.contains(entry) { continue }
                        state.accepted.append(entry)
                    }
                }
                if !problems.isEmpty { return self.reject(problems.joined(separator: "\n")) }
                return Response(status: .noContent)
            }
        }
        router.get("/ready") { request, _ in
            _ = self.admitted(request)
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready")))
        }
        router.get("/loki/api/v1/labels") { request, _ -> Response in
            guard self.admitted(request) else { return Self.unauthorized }
            let names = Set(self.accepted.flatMap(\.labels.keys)).sorted()
            let body = "{\"status\":\"success\",\"data\":[" + names.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body))
            )
        }
        router.get("/config") { request, _ -> Response in
            guard self.admitted(request) else { return Self.unauthorized }
            guard let yaml = self.configYAML else { return Response(status: .notFound) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: yaml)))
        }
        return router
    }

    func reject(_ reason: String) -> Response {
        state.withLock { $0.rejected.append(reason) }
        return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: reason)))
    }

    struct Invalid: Error {
        let reason: String
    }

    static func validate(_ bytes: [UInt8]) -> Result<[Entry], Invalid> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            return .failure(Invalid(reason: "body is not a JSON object"))
        }
        guard let streams = object["streams"] as? [[String: Any]], !streams.isEmpty else {
            return .failure(Invalid(reason: "\"streams\" must be a non-empty array"))
        }
        var entries: [Entry] = []
        for stream in streams {
            guard let labels = stream["stream"] as? [String: String], !labels.isEmpty else {
                return .failure(Invalid(reason: "each stream needs a non-empty \"stream\" label map of strings"))
            }
            for name in labels.keys where !isValidLabelName(name) {
                return .failure(Invalid(reason: "invalid label name \"\(name)\""))
            }
            guard let values = stream["values"] as? [[Any]], !values.isEmpty else {
                return .failure(Invalid(reason: "each stream needs non-empty \"values\""))
            }
            for value in values {
                guard value.count == 2 || value.count == 3, let timestamp = value[0] as? String, let line = value[1] as? String
                else {
                    return .failure(Invalid(reason: "each value must be [\"<unix epoch nanoseconds>\", \"<log line>\"]"))
                }
                guard timestamp.count >= 18, timestamp.allSatisfy(\.isNumber) else {
                    return .failure(Invalid(reason: "timestamp \"\(timestamp)\" is not unix epoch nanoseconds as a string"))
                }
                entries.append(Entry(labels: labels, timestamp: timestamp, line: line))
            }
        }
        return .success(entries)
    }

    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }

    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let inflated = try bytes.withUnsafeBufferPointer { buffer in
            try Gzip.decompress(buffer.baseAddress!, count: buffer.count)
        }
        return Array(UnsafeBufferPointer(start: inflated.base, count: inflated.count))
    }
}
