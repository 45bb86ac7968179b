import AWSClient
import Foundation
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 13 item 12: `tfdriftctl run` with the SQS source, idle in a 20 s long poll, gets SIGTERM. It must
/// exit 0 within 5 s (the open receive is cancelled, not waited for), and a message sent just before is
/// never lost: either it was processed (its drift is in the log and the message deleted) or it is still
/// on the queue for the next consumer.
@Suite("tfdriftctl run with the SQS source: SIGTERM during a long poll (moto)", .serialized)
struct SQSShutdownTests {
    /// The Stratus Red Team record (an ingress rule opened on a managed security group) as EventBridge delivers it.
    static func eventBridgeBody() throws -> String {
        let fixture = CLITests.repository.appendingPathComponent("Tests/DetectorTests/Fixtures/inputs/eventbridge-ndjson.jsonl")
        let first = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").first
        return String(try #require(first))
    }

    static let state =
        #"{"version":4,"terraform_version":"1.9.8","serial":3,"lineage":"shutdown","outputs":{},"resources":[{"mode":"managed","type":"aws_security_group","name":"bastion","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[{"schema_version":1,"attributes":{"id":"sg-003dc7f1f1c686164","name":"bastion","ingress":[]}}]}]}"#

    @Test(
        "SIGTERM while idle in a 20 s long poll: exit 0 within 5 s; a message sent just before (or during the stop) is processed or still queued",
        arguments: [0, 400, -1])
    /// `millisecondsBeforeSignal`: how long before SIGTERM the message is sent; -1 sends it right after
    /// the signal, when the long poll is being cancelled (the other outcome: it stays on the queue).
    func sigtermDuringLongPoll(millisecondsBeforeSignal: Int) async throws {
        let moto = try AWSPipelineTests.moto()
        let factory = AWSClientFactory(
            environment: AWSEnvironment(variables: AWSPipelineTests.awsEnvironment(moto)), transport: try AHCTransport())
        let credentials = factory.defaultCredentials()
        let queueName = "shutdown-\(UUID().uuidString.prefix(8).lowercased())"
        let creator = try factory.sqs(
            queue: "arn:aws:sqs:us-east-1:123456789012:\(queueName)", region: nil, endpoint: nil, credentials: credentials)
        let queueURL = try await creator.createQueue(name: queueName, attributes: ["VisibilityTimeout": "60"])
        let sqs = try factory.sqs(queue: queueURL, region: "us-east-1", endpoint: nil, credentials: credentials)

        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let statePath = directory.appendingPathComponent("terraform.tfstate").path
        try Self.state.write(toFile: statePath, atomically: true, encoding: .utf8)
        let driftLog = directory.appendingPathComponent("drifts.log").path
        let stderrPath = directory.appendingPathComponent("stderr.log").path
        let config = directory.appendingPathComponent("tfdrift.yaml")
        try """
        providers:
          aws:
            cloudtrail: {sqs_queue: "\(queueURL)", region: us-east-1}
            state: {backend: local, local_path: "\(statePath)"}
        outputs: {stdout: false, file: {path: "\(driftLog)"}}
        """.write(to: config, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["run", "--config", config.path, "--log-level", "info"]
        process.environment = ProcessInfo.processInfo.environment.merging(AWSPipelineTests.awsEnvironment(moto)) { $1 }
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        defer { try? stderr.close() }
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        func log() -> String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        // Consuming: the queue was resolved and the pollers started; give their ReceiveMessage time to be open.
        let startDeadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < startDeadline, process.isRunning, !log().contains("consuming CloudTrail notifications") {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(log().contains("consuming CloudTrail notifications"), "\(log())")
        try await Task.sleep(for: .seconds(2))
        #expect(process.isRunning, "\(log())")

        let body = try Self.eventBridgeBody()
        if millisecondsBeforeSignal >= 0 { try await sqs.sendMessage(body: body) }
        if millisecondsBeforeSignal > 0 { try await Task.sleep(for: .milliseconds(millisecondsBeforeSignal)) }
        let signalled = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        if millisecondsBeforeSignal < 0 { try await sqs.sendMessage(body: body) }
        let status = await waitForExit(process)
        let shutdown = signalled.duration(to: .now)
        let sent = millisecondsBeforeSignal < 0 ? "right after the signal" : "\(millisecondsBeforeSignal) ms before"
        print("SIGTERM → exit with the SQS source idle in a 20 s long poll: \(shutdown) (message sent \(sent))")
        #expect(status == 0, "\(log())")
        #expect(shutdown < .seconds(5), "\(log())")

        // Never lost: processed (drift written, message deleted) or still on the queue (visible, or held by
        // the cancelled receive until its visibility timeout).
        let drifts = ((try? String(contentsOfFile: driftLog, encoding: .utf8)) ?? "").split(separator: "\n")
        let attributes = try await sqs.getQueueAttributes([
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
        ])
        let queued =
            (Int(attributes["ApproximateNumberOfMessages"] ?? "") ?? -1)
            + (Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? -1)
        if drifts.isEmpty {
            #expect(queued == 1, "not processed, so it must still be on the queue: \(attributes)\n\(log())")
        } else {
            #expect(drifts.count == 1)
            #expect(drifts.first?.contains("sg-003dc7f1f1c686164") == true)
            #expect(queued == 0, "processed, so it must have been deleted: \(attributes)")
        }
        print("outcome: \(drifts.isEmpty ? "still queued" : "processed and deleted")")
    }
}
