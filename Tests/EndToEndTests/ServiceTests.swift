import Foundation
import HTTPTransportAHC
import Synchronization
import TestSupport
import Testing
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary as a long-running service: HTTP ingest, graceful shutdown, TLS and mTLS.
@Suite("tfdriftctl run as a service", .serialized)
struct ServiceTests {
    struct Server {
        let process: Process
        let port: Int
        let stderr: Pipe

        /// SIGTERM, then the exit status (waited for off the cooperative pool).
        func terminate() async -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            return await waitForExit(process)
        }
    }

    /// Starts `tfdriftctl run` with `configYAML(port)` on a free loopback port. The port is free when chosen
    /// but bound only when the detector starts; if a parallel test's server was given it meanwhile (the
    /// detector then says the address is in use), another port is tried.
    static func start(
        directory: URL, scheme: String = "http", transport: AHCTransport, environment: [String: String] = [:],
        configYAML: (Int) -> String
    ) async throws -> Server {
        var log = ""
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let config = directory.appendingPathComponent("tfdrift.yaml")
            try configYAML(port).write(to: config, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = ["run", "--config", config.path, "--log-level", "warning"]
            if !environment.isEmpty {
                var variables = ProcessInfo.processInfo.environment
                for (name, value) in environment { variables[name] = value }
                process.environment = variables
            }
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // Wait until /healthz answers (bounded).
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, process.isRunning {
                if let response = try? await transport.send(
                    HTTPRequest(method: "GET", url: URL(string: "\(scheme)://127.0.0.1:\(port)/healthz")!, timeout: .seconds(2))),
                    response.status == 200
                {
                    return Server(process: process, port: port, stderr: stderr)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            if process.isRunning { process.terminate() }
            log = String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self)
            if !log.contains("already in use") { break }
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(log)"])
    }

    /// A detector on `port` that writes its drift events to `log` only; `server` adds one line under `server:`.
    static func driftLogConfig(port: Int, log: String, server: String) -> String {
        """
        server:
          listen: "127.0.0.1:\(port)"
          \(server)
        outputs:
          stdout: false
          file:
            path: \(log)
        """
    }

    static func createVpc(_ n: Int) -> String {
        #"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","eventID":"e2e-\#(n)","readOnly":false,"eventType":"AwsApiCall","awsRegion":"us-east-1","recipientAccountId":"123456789012","userAgent":"aws-cli/2","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"},"responseElements":{"vpc":{"vpcId":"vpc-e2e-\#(n)"}}}"#
    }

    @Test("SIGTERM under load: every accepted event reaches the drift log, exit 0")
    func gracefulShutdown() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("drifts.log").path
        let transport = try AHCTransport()
        let server = try await Self.start(directory: directory, transport: transport) { port in
            Self.driftLogConfig(port: port, log: log, server: "token: e2e-token")
        }
        let port = server.port
        let accepted = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for n in 0..<150 {
                        let id = worker * 1000 + n
                        let request = HTTPRequest(
                            method: "POST", url: URL(string: "http://127.0.0.1:\(port)/api/v1/events")!,
                            headers: [("Authorization", "Bearer e2e-token"), ("Content-Type", "application/json")],
                            body: Array(Self.createVpc(id).utf8), timeout: .seconds(5))
                        guard let response = try? await transport.send(request) else { return }  // server gone
                        if response.status == 202 { accepted.add(1) }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(300))
                kill(server.process.processIdentifier, SIGTERM)
            }
            try await group.waitForAll()
        }
        #expect(await waitForExit(server.process) == 0)
        let lines = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n") ?? []
        #expect(accepted.value > 0)
        #expect(lines.count == accepted.value, "accepted \(accepted.value), logged \(lines.count)")
    }

    @Test("a crash (SIGKILL) loses no accepted event: the next start processes what the journal kept")
    func crashRecovery() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("drifts.log").path
        let transport = try AHCTransport()
        let configYAML = { (port: Int) in Self.driftLogConfig(port: port, log: log, server: "queue_capacity: 100000") }
        func loggedIDs() -> [String] {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["event_id"] as? String
            }
        }
        // 40 requests of 500 records: accepting one is a parse and an append; detecting 20,000 takes seconds,
        // so at the kill most accepted records are still waiting in the queue.
        let server = try await Self.start(directory: directory, transport: transport, configYAML: configYAML)
        let port = server.port
        let accepted = Collected()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for request in 0..<10 {
                        let ids = (0..<500).map { worker * 100_000 + request * 1_000 + $0 }
                        let body = ids.map(Self.createVpc).joined(separator: "\n")
                        let response = try await transport.send(
                            HTTPRequest(
                                method: "POST", url: URL(string: "http://127.0.0.1:\(port)/api/v1/events")!,
                                headers: [("Content-Type", "application/x-ndjson")], body: Array(body.utf8), timeout: .seconds(30)
                            ))
                        if response.status == 202 { accepted.add(ids.map { "e2e-\($0)" }) }
                    }
                }
            }
            try await group.waitForAll()
        }
        kill(server.process.processIdentifier, SIGKILL)
        _ = await waitForExit(server.process)
        let acceptedIDs = Set(accepted.value)
        #expect(acceptedIDs.count == 20_000)
        let beforeCrash = Set(loggedIDs())
        // The precondition that makes this test mean something: the crash did cut processing short.
        #expect(beforeCrash.count < acceptedIDs.count, "everything was processed before the kill; nothing to recover")

        let restarted = try await Self.start(directory: directory, transport: transport, configYAML: configYAML)
        defer { if restarted.process.isRunning { kill(restarted.process.processIdentifier, SIGKILL) } }
        let deadline = ContinuousClock.now + .seconds(120)
        while Set(loggedIDs()).count < acceptedIDs.count, ContinuousClock.now < deadline, restarted.process.isRunning {
            try await Task.sleep(for: .milliseconds(200))
        }
        let metrics = try await transport.send(
            HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(restarted.port)/metrics")!, timeout: .seconds(5)))
        let text = String(decoding: metrics.body, as: UTF8.self)
        let recovered =
            text.split(separator: "\n").first { $0.hasPrefix("tfdrift_ingest_journal_recovered_total ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(Int(recovered) >= acceptedIDs.count - beforeCrash.count, "\(text.prefix(2000))")
        #expect(await restarted.terminate() == 0)
        let afterRestart = Set(loggedIDs())
        let lost = acceptedIDs.subtracting(afterRestart)
        #expect(lost.isEmpty, "lost \(lost.count) accepted events, e.g. \(lost.sorted().prefix(5))")
        // A clean shutdown leaves nothing to recover: the journal holds no unprocessed request.
        let journal = directory.appendingPathComponent("tfdrift-journal").path
        let segments = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasPrefix("segment-") }
        let sizes = try segments.map {
            (try FileManager.default.attributesOfItem(atPath: (journal as NSString).appendingPathComponent($0))[.size] as? Int)
                ?? 0
        }
        #expect(sizes == [0], "\(segments): \(sizes)")
    }

    @Test("a server.listen port that is taken: exit 1 with a sentence naming the key, not NIO's bind error")
    func addressInUse() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let taken = try ReservedLoopbackPort()
        let config = directory.appendingPathComponent("tfdrift.yaml")
        try "server:\n  listen: \"127.0.0.1:\(taken.port)\"\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try await CLITests.run(["run", "--config", config.path, "--log-level", "warning"], in: directory)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("server.listen 127.0.0.1:\(taken.port): the address is already in use"), "\(result.stderr)")
        #expect(!result.stderr.contains("bind(descriptor"))
        withExtendedLifetime(taken) {}
    }

    @Test("TLS and mTLS on the listener with certificates the test generates; wrong or missing token is 401")
    func tlsAndMutualTLS() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Certificates.generate(in: directory)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let trusted = try AHCTransport(
            tls: TLSClientSettings(caFile: path("ca.pem"), certificateFile: path("client.pem"), keyFile: path("client.key")))
        let server = try await Self.start(directory: directory, scheme: "https", transport: trusted) { port in
            """
            server:
              listen: "127.0.0.1:\(port)"
              token: tls-token
              tls_cert_file: \(path("server.pem"))
              tls_key_file: \(path("server.key"))
              client_ca_file: \(path("ca.pem"))
            outputs:
              stdout: false
            """
        }
        let port = server.port
        // If an expectation throws, the server must not outlive the test (SIGKILL: nothing to wait for).
        defer { if server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) } }
        let url = URL(string: "https://127.0.0.1:\(port)/api/v1/events")!
        func post(_ transport: AHCTransport, token: String?) async throws -> Int {
            var headers = [(name: "Content-Type", value: "application/json")]
            if let token { headers.append(("Authorization", "Bearer \(token)")) }
            return try await transport.send(
                HTTPRequest(method: "POST", url: url, headers: headers, body: Array(Self.createVpc(1).utf8))
            ).status
        }
        #expect(try await post(trusted, token: "tls-token") == 202)
        #expect(try await post(trusted, token: nil) == 401)
        #expect(try await post(trusted, token: "nope") == 401)
        // Without a client certificate the handshake is refused (mTLS).
        let anonymous = try AHCTransport(tls: TLSClientSettings(caFile: path("ca.pem")))
        await #expect(throws: HTTPTransportError.self) { _ = try await post(anonymous, token: "tls-token") }
        // Without trusting the CA the client refuses the server.
        let untrusting = try AHCTransport()
        await #expect(throws: HTTPTransportError.self) { _ = try await post(untrusting, token: "tls-token") }
        // Plain HTTP to the TLS port gets no answer.
        let plain = try AHCTransport()
        await #expect(throws: HTTPTransportError.self) {
            _ = try await plain.send(
                HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/healthz")!, timeout: .seconds(3)))
        }
        #expect(await server.terminate() == 0)
    }
}

final class Counter: Sendable {
    private let storage = Mutex(0)
    func add(_ n: Int) { storage.withLock { $0 += n } }
    var value: Int { storage.withLock { $0 } }
}

/// Event ids collected by concurrent clients.
final class Collected: Sendable {
    private let storage = Mutex<[String]>([])
    func add(_ ids: [String]) { storage.withLock { $0 += ids } }
    var value: [String] { storage.withLock { $0 } }
}

/// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl.
enum Certificates {
    static func generate(in directory: URL) async throws {
        let script = """
            set -e
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=tfdrift-test-ca 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=falco 2>/dev/null
            printf 'extendedKeyUsage=clientAuth\\n' > client.ext
            openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 -extfile client.ext 2>/dev/null
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = directory
        try process.run()
        #expect(await waitForExit(process) == 0, "openssl failed")
    }
}
