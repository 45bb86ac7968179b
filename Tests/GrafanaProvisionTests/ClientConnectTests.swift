import Foundation
import GrafanaProvision
import Synchronization
import TestSupport
import Testing
import TfdriftCore

@testable import HTTPTransportAHC

/// What a user with a wrong Grafana URL (or a Grafana that is down) sees, and how long they wait.
@Suite("Grafana client: unreachable Grafana")
struct ClientConnectTests {
    /// A transport that can never connect, and counts how often it was asked to.
    final class Unreachable: HTTPTransport {
        let attempts = Mutex(0)
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            attempts.withLock { $0 += 1 }
            throw HTTPTransportError(kind: .connect, url: request.url.absoluteString, reason: "connection refused")
        }
    }

    @Test("a connection failure is retried once, not five times: each attempt already lasted a connect timeout")
    func connectAttempts() async throws {
        let transport = Unreachable()
        let waits = Mutex<[Duration]>([])
        let client = GrafanaClient(
            baseURL: URL(string: "http://127.0.0.1:9")!, auth: .token(Secret("t")), transport: transport,
            sleep: { wait in waits.withLock { $0.append(wait) } })
        let error = await #expect(throws: HTTPTransportError.self) { try await client.send("GET", "/api/health") }
        #expect(error?.kind == .connect)
        #expect(transport.attempts.withLock { $0 } == RetryPolicy().maxConnectAttempts)
        #expect(RetryPolicy().maxConnectAttempts == 2)
        #expect(waits.withLock { $0.count } == 1)
        // A policy that allows fewer attempts in total caps the connect attempts too.
        #expect(RetryPolicy(maxAttempts: 1).maxConnectAttempts == 1)
    }

    @Test("NIO's wording for a refused connection is translated into what happened")
    func connectWording() {
        let nio = "connection reset (error set): Connection refused (errno: 111)"
        #expect(AHCTransport.connectFailure(nio) == "connection refused: nothing is listening at that host and port")
        #expect(AHCTransport.connectFailure("connection reset (error set): No route to host (errno: 113)") == "no route to host")
        #expect(AHCTransport.connectFailure("HTTPClientError.connectTimeout")?.hasPrefix("could not connect") == true)
        #expect(AHCTransport.connectFailure("certificate verify failed") == nil)
    }

    @Test("a refused port through the real transport: a plain reason, and no retry storm")
    func refusedPort() async throws {
        // Held (bound, never listening) for the whole test: a released port could be taken by another
        // test's server in the meantime.
        let reserved = try ReservedLoopbackPort()
        defer { withExtendedLifetime(reserved) {} }
        let port = reserved.port
        let transport = try AHCTransport()
        let client = GrafanaClient(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, auth: .token(Secret("t")), transport: transport,
            retry: RetryPolicy(maxConnectAttempts: 1))
        let error = await #expect(throws: HTTPTransportError.self) { try await client.send("GET", "/api/health") }
        #expect(error?.kind == .connect)
        #expect(error?.description.contains("connection refused: nothing is listening") == true, "\(String(describing: error))")
        #expect(error?.description.contains("connection reset") == false)
    }
}
