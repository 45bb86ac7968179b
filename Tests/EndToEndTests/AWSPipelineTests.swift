import AWSClient
import Detector
import Foundation
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// `tfdriftctl run` against moto_server (signature checking on): the Terraform state in S3, a trail
/// file in a bucket announced through SQS; the drift comes out and the message is deleted.
@Suite("tfdriftctl run with S3 state and CloudTrail through SQS (moto)", .serialized)
struct AWSPipelineTests {
    struct Moto {
        let url: String
        let accessKey: String
        let secretKey: String
    }

    static func moto() throws -> Moto {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["TFDRIFT_TEST_MOTO_URL"], let key = environment["TFDRIFT_TEST_MOTO_ACCESS_KEY_ID"],
            let secret = environment["TFDRIFT_TEST_MOTO_SECRET_ACCESS_KEY"]
        else {
            throw CocoaError(
                .featureUnsupported,
                userInfo: [
                    NSLocalizedDescriptionKey: "TFDRIFT_TEST_MOTO_URL is not set: run scripts/test.sh (it starts moto_server)"
                ])
        }
        return Moto(url: url, accessKey: key, secretKey: secret)
    }

    static func awsEnvironment(_ moto: Moto) -> [String: String] {
        [
            "AWS_ACCESS_KEY_ID": moto.accessKey, "AWS_SECRET_ACCESS_KEY": moto.secretKey, "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": moto.url, "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ]
    }

    @Test("state from S3, trail file from S3 via SQS → drift event in the log, message deleted, exit 0 on SIGTERM")
    func pipeline() async throws {
        let moto = try Self.moto()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let factory = AWSClientFactory(
            environment: AWSEnvironment(variables: Self.awsEnvironment(moto)), transport: try AHCTransport())
        let credentials = factory.defaultCredentials()
        let s3 = try factory.s3(region: nil, endpoint: nil, credentials: credentials)

        let stateBucket = "tf-state-\(suffix)"
        try await s3.createBucket(stateBucket)
        let state =
            #"{"version":4,"terraform_version":"1.9.8","serial":7,"lineage":"e2e","outputs":{},"resources":[{"mode":"managed","type":"aws_security_group","name":"bastion","module":"module.net","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[{"schema_version":1,"attributes":{"id":"sg-003dc7f1f1c686164","name":"bastion","ingress":[]}}]}]}"#
        try await s3.putObject(bucket: stateBucket, key: "workspaces/prod/network/terraform.tfstate", body: Array(state.utf8))

        // The real Stratus record, in a gzip'd trail file under the S3 layout.
        let logBucket = "ct-logs-\(suffix)"
        try await s3.createBucket(logBucket)
        let corpus = try InputFiles.read(
            CLITests.repository.appendingPathComponent("Tests/Fixtures/cloudtrail/stratus-red-team-detonation-logs.json.gz").path)
        var records: [String] = []
        let text = String(decoding: UnsafeBufferPointer(start: corpus.base, count: corpus.count), as: UTF8.self)
        let value = try JSONValue.parse(text)
        for record in value["Records"]?.arrayValue ?? []
        where record["eventID"] == .string("9fd68588-ecbf-4528-a345-199fa6bb0821") {
            records.append(JSONWriter.encode(record))
        }
        #expect(records.count == 1)
        let trail = try Gzip.compress(Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8))
        let key =
            "AWSLogs/032092706103/CloudTrail/us-east-1/2024/08/01/032092706103_CloudTrail_us-east-1_20240801T1225Z_e2e\(suffix).json.gz"
        try await s3.putObject(bucket: logBucket, key: key, body: trail)

        let queueName = "ct-events-\(suffix)"
        let creator = try factory.sqs(
            queue: "arn:aws:sqs:us-east-1:123456789012:\(queueName)", region: nil, endpoint: nil, credentials: credentials)
        let queueURL = try await creator.createQueue(name: queueName, attributes: ["VisibilityTimeout": "30"])
        let sqs = try factory.sqs(queue: queueURL, region: "us-east-1", endpoint: nil, credentials: credentials)
        let notification =
            #"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2024-08-01T12:30:00.000Z","eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"\#(logBucket)","arn":"arn:aws:s3:::\#(logBucket)"},"object":{"key":"\#(key)","size":\#(trail.count)}}}]}"#
        _ = try await sqs.sendMessage(body: notification)

        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("drifts.log").path
        let config = directory.appendingPathComponent("tfdrift.yaml")
        try """
        providers:
          aws:
            states:
              - name: network
                backend: s3
                bucket: \(stateBucket)
                key: network/terraform.tfstate
                workspace: prod
                # moto's signature check mangles ':' in keys, so not the default env:/ prefix here.
                workspace_key_prefix: workspaces
                region: us-east-1
            cloudtrail:
              sqs_queue: "\(queueURL)"
              region: us-east-1
        outputs:
          stdout: false
          file:
            path: \(log)
        """.write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["run", "--config", config.path, "--log-level", "warning"]
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in Self.awsEnvironment(moto) { environment[name] = value }
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        var lines: [Substring] = []
        while ContinuousClock.now < deadline, process.isRunning {
            lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            if !lines.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        kill(process.processIdentifier, SIGTERM)
        let status = await waitForExit(process)
        let messages = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(status == 0, "\(messages)")
        #expect(lines.count == 1, "\(messages)")
        let event = try JSONValue.parse(String(try #require(lines.first)))
        #expect(event["resource_address"] == "module.net.aws_security_group.bastion")
        #expect(event["state"] == "network")
        #expect(event["diff"]?["ingress"]?["actual"] == ["tcp 22 from 208.236.235.254/0"])
        // Handled, so deleted: nothing comes back even after the visibility timeout would allow it.
        let remaining = try await sqs.receiveMessages(maxMessages: 10, waitTimeSeconds: 1, visibilityTimeout: 0)
        #expect(remaining.isEmpty)
    }
}
