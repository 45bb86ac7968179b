import Foundation
import Synchronization
import TfdriftCore

@testable import AWSClient

/// A transport that answers from a script and records what it was sent.
final class RecordingTransport: HTTPTransport {
    typealias Responder = @Sendable (HTTPRequest, Int) throws -> HTTPResponse
    let responder: Responder
    let log = Mutex<[HTTPRequest]>([])

    init(_ responder: @escaping Responder) {
        self.responder = responder
    }

    /// Answers with `responses` in order (the last one repeats).
    convenience init(responses: [HTTPResponse]) {
        self.init { _, index in responses[min(index, responses.count - 1)] }
    }

    var requests: [HTTPRequest] { log.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = log.withLock {
            $0.append(request)
            return $0.count - 1
        }
        return try responder(request, index)
    }
}

/// Collects the sleeps a retry policy asked for, without sleeping.
final class SleepRecorder: Sendable {
    let delays = Mutex<[Duration]>([])
    var recorded: [Duration] { delays.withLock { $0 } }
    var policy: RetryPolicy {
        RetryPolicy(
            maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(1),
            sleep: { [self] delay in self.delays.withLock { $0.append(delay) } }, random: { $0 })
    }
}

func xmlResponse(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers + [("Content-Type", "text/xml")], body: Array(body.utf8))
}

func jsonResponse(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers + [("Content-Type", "application/x-amz-json-1.0")], body: Array(body.utf8))
}

let testCredentials = AWSCredentials(
    accessKeyID: "AKIDEXAMPLE12345", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", source: "test")

func fakeClient(
    _ service: AWSService, transport: any HTTPTransport, endpoint: String? = nil, retry: RetryPolicy = SleepRecorder().policy,
    credentials: (any AWSCredentialProvider)? = StaticCredentialProvider(testCredentials), region: String = "us-east-1"
) -> AWSServiceClient {
    let url = endpoint.map { URL(string: $0)! } ?? AWSEndpointResolver.defaultURL(service: service, region: region)
    return AWSServiceClient(
        service: service, region: region, endpoint: AWSEndpoint(url: url, overridden: endpoint != nil, origin: "test"),
        transport: transport, credentials: credentials, retry: retry)
}

/// A temporary directory removed at deinit.
final class TemporaryDirectory: Sendable {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "tfdrift-aws-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}

/// Test data from other projects, copied into the repository with its provenance (Tests/Fixtures/*/SOURCE.md).
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")
