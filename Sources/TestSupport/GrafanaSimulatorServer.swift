import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Serves a `GrafanaSimulator` over HTTP on 127.0.0.1 with a free port, for tests that go through the
/// real transport. `with` starts it, runs the body, and stops it.
public enum GrafanaSimulatorServer {
    /// The spec is parsed once per process (the document is 700 kB).
    private static let cachedSpec = Mutex<OpenAPISpec?>(nil)

    public static func spec() throws -> OpenAPISpec {
        try cachedSpec.withLock { cached in
            if let cached { return cached }
            let loaded = try OpenAPISpec.load()
            cached = loaded
            return loaded
        }
    }

    public static func with<T: Sendable>(
        _ simulator: GrafanaSimulator, _ body: @Sendable (_ baseURL: URL) async throws -> T
    ) async throws -> T {
        let logger = {
            var logger = Logger(label: "grafana-simulator")
            logger.logLevel = .critical
            return logger
        }()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await respond(simulator, request)
        }
        return try await withServer("the Grafana simulator") { reportPort in
            let app = Application(
                responder: responder, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { reportPort($0.localAddress?.port ?? 0) }, logger: logger)
            try await app.run()
        } _: { port in
            try await body(URL(string: "http://127.0.0.1:\(port)")!)
        }
    }

    static func respond(_ simulator: GrafanaSimulator, _ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 32 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        var query: [String: [String]] = [:]
        if let components = URLComponents(string: "http://x\(request.uri.description)") {
            for item in components.queryItems ?? [] { query[item.name, default: []].append(item.value ?? "") }
        }
        let answer = await simulator.handle(
            method: request.method.rawValue, path: request.uri.path, query: query, headers: headers,
            body: Array(buffer: body))
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
        }
        guard let json = answer.body else {
            return Response(status: HTTPResponse.Status(code: answer.status), headers: fields)
        }
        fields[.contentType] = "application/json"
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}
