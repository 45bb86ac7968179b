import AWSClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import TestSupport

/// Keys a simulator hands out, rendered as the endpoints document them.
struct ServedCredentials: Sendable {
    var accessKeyID: String
    var secretAccessKey: String
    var token: String
    var expiration: Date

    init(accessKeyID: String, secretAccessKey: String, token: String, expiration: Date) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.token = token
        self.expiration = expiration
    }

    /// Temporary credentials from a real STS (moto): what the ECS agent and IMDS hand out too.
    init(_ credentials: AWSCredentials) {
        accessKeyID = credentials.accessKeyID
        secretAccessKey = credentials.secretAccessKey
        token = credentials.sessionToken ?? ""
        expiration = credentials.expiration ?? Date().addingTimeInterval(3600)
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    func document(_ extra: [String: String]) throws -> ByteBuffer {
        var object = extra
        object["AccessKeyId"] = accessKeyID
        object["SecretAccessKey"] = secretAccessKey
        object["Token"] = token
        object["Expiration"] = Self.iso8601(expiration)
        return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}

enum SimulatorServer {
    static let logger: Logger = {
        var logger = Logger(label: "metadata-simulator")
        logger.logLevel = .critical
        return logger
    }()

    /// Serves `respond` on 127.0.0.1 at a free port for the length of `body`.
    @discardableResult
    static func with<T: Sendable>(
        _ name: String, _ respond: @escaping @Sendable (Request) async throws -> Response,
        _ body: (_ baseURL: String) async throws -> T
    ) async throws -> T {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in try await respond(request) }
        return try await withServer(name) { reportPort in
            let app = Application(
                responder: responder, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { reportPort($0.localAddress?.port ?? 0) }, logger: logger)
            try await app.run()
        } _: { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/plain"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ status: HTTPResponse.Status, _ body: ByteBuffer) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }
}

/// The EC2 instance metadata service with IMDSv2 required (`HttpTokens=required`), as the EC2 user guide
/// documents it: `PUT /latest/api/token` needs `X-aws-ec2-metadata-token-ttl-seconds` (1 to 21600, else
/// 400) and refuses forwarded requests (403); every GET needs a live token in `X-aws-ec2-metadata-token`
/// (else 401); `…/iam/security-credentials/` lists the role (404 without an instance profile) and
/// `…/<role>` answers the credentials document with `Code: Success`.
final class IMDSSimulator: Sendable {
    struct State {
        var role: String? = "tfdrift-instance"
        /// Served in order, the last one repeating (rotation).
        var credentials: [ServedCredentials]
        var served = 0
        var tokens: [String: Date] = [:]
        /// Every request as "METHOD path", plus the TTL header of token requests.
        var requests: [String] = []
        var ttlHeaders: [String] = []
        var unauthorized = 0
        /// The next this many tokens run out before they are used (a token kept past its TTL).
        var tokensOutlived = 0
    }

    let state: Mutex<State>

    init(credentials: [ServedCredentials]) {
        state = Mutex(State(credentials: credentials))
    }

    var requests: [String] { state.withLock { $0.requests } }
    var ttlHeaders: [String] { state.withLock { $0.ttlHeaders } }
    /// How many requests were refused for a missing, unknown or expired token.
    var unauthorized: Int { state.withLock { $0.unauthorized } }
    func setRole(_ role: String?) { state.withLock { $0.role = role } }
    func outliveNextTokens(_ count: Int) { state.withLock { $0.tokensOutlived = count } }

    static let tokenHeader = HTTPField.Name("X-aws-ec2-metadata-token")!
    static let ttlHeader = HTTPField.Name("X-aws-ec2-metadata-token-ttl-seconds")!
    static let rolesPath = "/latest/meta-data/iam/security-credentials/"

    func respond(_ request: Request) throws -> Response {
        let path = request.uri.path
        state.withLock { $0.requests.append("\(request.method.rawValue) \(path)") }
        if path == "/latest/api/token" {
            guard request.method == .put else { return SimulatorServer.text(.methodNotAllowed, "") }
            if request.headers[HTTPField.Name("X-Forwarded-For")!] != nil { return SimulatorServer.text(.forbidden, "") }
            let ttlText = request.headers[Self.ttlHeader]
            state.withLock { $0.ttlHeaders.append(ttlText ?? "<missing>") }
            guard let ttlText, let ttl = Int(ttlText), (1...21_600).contains(ttl) else {
                return SimulatorServer.text(.badRequest, "")
            }
            let token = "AQAEA" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            state.withLock { state in
                let outlived = state.tokensOutlived > 0
                if outlived { state.tokensOutlived -= 1 }
                state.tokens[token] = outlived ? .distantPast : Date().addingTimeInterval(TimeInterval(ttl))
            }
            return SimulatorServer.text(.ok, token, headers: [Self.ttlHeader: ttlText])
        }
        guard request.method == .get else { return SimulatorServer.text(.methodNotAllowed, "") }
        let tokenValid = state.withLock { state -> Bool in
            guard let token = request.headers[Self.tokenHeader], let expiry = state.tokens[token], expiry > Date() else {
                state.unauthorized += 1
                return false
            }
            return true
        }
        guard tokenValid else { return SimulatorServer.text(.unauthorized, "") }
        guard path.hasPrefix(Self.rolesPath) else { return SimulatorServer.text(.notFound, "") }
        let requested = String(path.dropFirst(Self.rolesPath.count)).removingPercentEncoding ?? ""
        let (role, served) = state.withLock { state -> (String?, ServedCredentials?) in
            guard let role = state.role else { return (nil, nil) }
            guard !requested.isEmpty, requested == role else { return (role, nil) }
            let credentials = state.credentials[min(state.served, state.credentials.count - 1)]
            state.served += 1
            return (role, credentials)
        }
        guard let role else { return SimulatorServer.text(.notFound, "") }
        if requested.isEmpty { return SimulatorServer.text(.ok, role) }
        guard let served else { return SimulatorServer.text(.notFound, "") }
        return SimulatorServer.json(
            .ok,
            try served.document([
                "Code": "Success", "Type": "AWS-HMAC", "LastUpdated": ServedCredentials.iso8601(Date().addingTimeInterval(-60)),
            ]))
    }

    @discardableResult
    func with<T: Sendable>(_ body: (_ endpoint: String) async throws -> T) async throws -> T {
        try await SimulatorServer.with("the IMDS simulator", { try self.respond($0) }, body)
    }
}

/// The ECS agent's (and EKS Pod Identity agent's) credentials endpoint: `GET <path>` answers the
/// credentials document with `RoleArn`; an unknown path gets 400 with `{"code", "message"}` as the ECS
/// agent's v2 handler answers; with a required token, a missing or different `Authorization` gets 401.
final class ContainerAgentSimulator: Sendable {
    struct State {
        var requiredAuthorization: String?
        var credentials: [ServedCredentials]
        var served = 0
        var failuresToServe = 0
        /// The Authorization header of every request (nil when absent).
        var authorizations: [String?] = []
        var accepts: [String?] = []
    }

    let path: String
    let state: Mutex<State>

    init(path: String, requiredAuthorization: String? = nil, credentials: [ServedCredentials]) {
        self.path = path
        state = Mutex(State(requiredAuthorization: requiredAuthorization, credentials: credentials))
    }

    var authorizations: [String?] { state.withLock { $0.authorizations } }
    var accepts: [String?] { state.withLock { $0.accepts } }
    var served: Int { state.withLock { $0.served } }
    func requireAuthorization(_ token: String?) { state.withLock { $0.requiredAuthorization = token } }
    /// The next `count` requests get 500 (an agent restarting).
    func fail(next count: Int) { state.withLock { $0.failuresToServe = count } }

    static func error(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        let body = "{\"code\":\"\(code)\",\"message\":\"\(message)\"}"
        return SimulatorServer.json(status, ByteBuffer(string: body))
    }

    func respond(_ request: Request) throws -> Response {
        let authorization = request.headers[.authorization]
        let answer = state.withLock { state -> (Response?, ServedCredentials?) in
            state.authorizations.append(authorization)
            state.accepts.append(request.headers[.accept])
            if state.failuresToServe > 0 {
                state.failuresToServe -= 1
                return (Self.error(.internalServerError, code: "InternalError", message: "agent restarting"), nil)
            }
            if let required = state.requiredAuthorization, authorization != required {
                return (Self.error(.unauthorized, code: "AccessDeniedException", message: "invalid authorization token"), nil)
            }
            guard request.method == .get, request.uri.path == path else {
                return (Self.error(.badRequest, code: "InvalidIdInRequest", message: "credentials not found"), nil)
            }
            let credentials = state.credentials[min(state.served, state.credentials.count - 1)]
            state.served += 1
            return (nil, credentials)
        }
        if let response = answer.0 { return response }
        return SimulatorServer.json(.ok, try answer.1!.document(["RoleArn": "arn:aws:iam::123456789012:role/tfdrift-task"]))
    }

    @discardableResult
    func with<T: Sendable>(_ body: (_ baseURL: String) async throws -> T) async throws -> T {
        try await SimulatorServer.with("the container credentials simulator", { try self.respond($0) }, body)
    }
}
