/// Runs a server on a free port for the length of `body`, then stops it (cancels and awaits it).
///
/// `run` builds and runs the server; it calls `reportPort` once the server listens (Hummingbird's
/// `onServerRunning`). If the server ends before that, the wait ends too and this throws.
public func withServer<T: Sendable>(
    _ name: String,
    run: @escaping @Sendable (_ reportPort: @escaping @Sendable (Int) -> Void) async throws -> Void,
    _ body: (_ port: Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = Task {
        defer { continuation.finish() }
        try await run { port in
            continuation.yield(port)
            continuation.finish()
        }
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next(), port > 0 else {
        server.cancel()
        let outcome = await server.result
        throw ServerStartError(name: name, outcome: "\(outcome)")
    }
    do {
        let result = try await body(port)
        server.cancel()
        _ = await server.result
        return result
    } catch {
        server.cancel()
        _ = await server.result
        throw error
    }
}

public struct ServerStartError: Error, CustomStringConvertible {
    public let name: String
    public let outcome: String
    public var description: String { "\(name) did not start (\(outcome))" }
}
