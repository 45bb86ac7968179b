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
        var logger = Logger(label: "grafana-simulator")
        logger.logLevel = .critical
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await respond(simulator, request)
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: responder, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }, logger: logger)
        let server = Task { try await app.run() }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            _ = await server.result
            throw SimulatorServerError(reason: "the Grafana simulator did not start")
        }
        do {
            let result = try await body(URL(string: "http://127.0.0.1:\(port)")!)
            server.cancel()
            _ = await server.result
            return result
        } catch {
            server.cancel()
            _ = await server.result
            throw error
        }
    }

    struct SimulatorServerError: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
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
