import AWSClient
import Detector
import Foundation
import HTTPTransportAHC
import Testing
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// One engine behind every source: the same real trail file through `replay`, `run` over files, HTTP
/// ingest and SQS (S3 notification → trail file in S3, on moto) gives the same drift lines and the same
/// accounting — records, skips by reason, new drift and resolutions — from the summary or the metrics.
@Suite("one engine: every source gives the same lines and the same accounting", .serialized)
struct OneEngineTests {
    static let trail = CLITests.repository.appendingPathComponent(
        "Tests/Fixtures/cloudtrail/invictus-ir-aws_dataset/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1230Z_lHgkh3VeI3XnjZSL.json.gz"
    )
    static let state = CLITests.repository.appendingPathComponent("Tests/Fixtures/labelled/invictus-2023-07-10/terraform.tfstate")

    /// What a path reports about its input.
    struct Accounting: Equatable, CustomStringConvertible {
        var records = 0
        var skipped: [String: Int] = [:]
        var detected = 0
        var resolved = 0
        var description: String { "records \(records), skipped \(skipped), detected \(detected), resolved \(resolved)" }
    }

    /// A drift line without the time it was written, keys sorted: what must not depend on the path.
    static func stable(_ line: Substring) throws -> String {
        var object = try CLITests.json(String(line))
        object["detected_at"] = nil
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func lines(ofLog path: String) -> [Substring] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
    }

    /// The summary object `--output json` writes as the last line of stderr; its counts of new drift and
    /// resolutions must also be what the lines say.
    static func accounting(summaryLine: String, lines: [String]) throws -> Accounting {
        let summary = try #require(try CLITests.json(summaryLine)["summary"] as? [String: Any])
        let result = Accounting(
            records: summary["records"] as? Int ?? -1, skipped: summary["skipped"] as? [String: Int] ?? [:],
            detected: summary["drift_events"] as? Int ?? -1, resolved: summary["resolved"] as? Int ?? -1)
        let resolvedLines = lines.filter { $0.contains(#""action":"drift_resolved""#) }.count
        #expect(result.resolved == resolvedLines && result.detected == lines.count - resolvedLines, "\(result)")
        return result
    }

    /// The same figures from `/metrics` (non-zero series only).
    static func accounting(metrics: String) -> Accounting {
        var result = Accounting()
        for line in metrics.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]), value > 0 else {
                continue
            }
            let series = line[..<space]
            let count = Int(value)
            if series.hasPrefix("tfdrift_events_received_total{") {
                result.records += count
            } else if series.hasPrefix("tfdrift_events_skipped_total{reason=\"") {
                let reason = series.dropFirst("tfdrift_events_skipped_total{reason=\"".count).prefix { $0 != "\"" }
                result.skipped[String(reason), default: 0] += count
            } else if series.hasPrefix("tfdrift_drift_events_total{") {
                result.detected += count
            } else if series.hasPrefix("tfdrift_drift_resolved_total{") {
                result.resolved += count
            }
        }
        return result
    }

    /// `tfdriftctl run` with `config` until its drift log holds `expected` lines; returns them and the metrics.
    static func runService(
        config: (Int) -> String, directory: URL, log: String, expected: Int, environment: [String: String] = [:],
        feed: (Int, AHCTransport) async throws -> Void = { _, _ in }
    ) async throws -> (lines: [Substring], metrics: String) {
        let transport = try AHCTransport()
        let server = try await ServiceTests.start(
            directory: directory, transport: transport, environment: environment, configYAML: config)
        let process = server.process
        let port = server.port
        let base = "http://127.0.0.1:\(port)"
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = ContinuousClock.now + .seconds(60)
        try await feed(port, transport)
        var lines: [Substring] = []
        while ContinuousClock.now < deadline, process.isRunning {
            lines = Self.lines(ofLog: log)
            if lines.count >= expected { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Nothing more than expected arrives (a repeat would be a second line).
        try await Task.sleep(for: .milliseconds(500))
        lines = Self.lines(ofLog: log)
        let metrics = try await transport.send(
            HTTPRequest(method: "GET", url: URL(string: "\(base)/metrics")!, timeout: .seconds(5)))
        let status = await server.terminate()
        let messages = String(decoding: server.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(status == 0, "\(messages)")
        return (lines, String(decoding: metrics.body, as: UTF8.self))
    }

    @Test("replay, run over files, HTTP ingest and SQS: the same drift lines and the same accounting")
    func samePathResults() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stateLine = "    state: {local_path: \(Self.state.path)}"

        // 1. replay
        let replayConfig = directory.appendingPathComponent("replay.yaml")
        try "providers:\n  aws:\n\(stateLine)\n".write(to: replayConfig, atomically: true, encoding: .utf8)
        let replay = try await CLITests.run([
            "replay", "--config", replayConfig.path, "--output", "json", "--no-progress", Self.trail.path,
        ])
        #expect(replay.status == 2, "\(replay.stderr)")
        let reference = try replay.stdoutLines.map { try Self.stable(Substring($0)) }
        let referenceAccounting = try Self.accounting(
            summaryLine: try #require(replay.stderrLines.last), lines: replay.stdoutLines)
        // The file holds new drift and resolutions (deleted hand-made resources) and many skips.
        #expect(referenceAccounting.detected >= 2 && referenceAccounting.resolved >= 2, "\(referenceAccounting)")
        #expect(referenceAccounting.records > 50 && referenceAccounting.skipped["read_only", default: 0] > 0)

        // 2. run over files (one-shot)
        let fileDirectory = directory.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: fileDirectory, withIntermediateDirectories: true)
        let fileLog = fileDirectory.appendingPathComponent("drifts.log").path
        let runConfig = fileDirectory.appendingPathComponent("tfdrift.yaml")
        try """
        providers:
          aws:
        \(stateLine)
            cloudtrail: {log_paths: [\(Self.trail.path)]}
        outputs: {stdout: false, file: {path: \(fileLog)}}
        """.write(to: runConfig, atomically: true, encoding: .utf8)
        let run = try await CLITests.run(["run", "--config", runConfig.path, "--output", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let runLines = Self.lines(ofLog: fileLog)
        #expect(try runLines.map(Self.stable) == reference)
        #expect(
            try Self.accounting(summaryLine: try #require(run.stderrLines.last), lines: runLines.map(String.init))
                == referenceAccounting)

        // 3. HTTP ingest: the trail file's records posted as one request
        let httpDirectory = directory.appendingPathComponent("http")
        try FileManager.default.createDirectory(at: httpDirectory, withIntermediateDirectories: true)
        let httpLog = httpDirectory.appendingPathComponent("drifts.log").path
        let inflated = try InputFiles.read(Self.trail.path)
        let body = Array(UnsafeBufferPointer(start: inflated.base, count: inflated.count))
        let http = try await Self.runService(
            config: { port in
                """
                providers:
                  aws:
                \(stateLine)
                server: {listen: "127.0.0.1:\(port)"}
                outputs: {stdout: false, file: {path: \(httpLog)}}
                """
            }, directory: httpDirectory, log: httpLog, expected: reference.count,
            feed: { port, transport in
                let response = try await transport.send(
                    HTTPRequest(
                        method: "POST", url: URL(string: "http://127.0.0.1:\(port)/api/v1/events")!,
                        headers: [("Content-Type", "application/json")], body: body, timeout: .seconds(10)))
                #expect(response.status == 202, "\(String(decoding: response.body, as: UTF8.self))")
            })
        #expect(try http.lines.map(Self.stable) == reference)
        #expect(Self.accounting(metrics: http.metrics) == referenceAccounting)

        // 4. SQS: the gzip'd trail file in S3, announced by an S3 notification (moto, signatures checked)
        let moto = try AWSPipelineTests.moto()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let factory = AWSClientFactory(
            environment: AWSEnvironment(variables: AWSPipelineTests.awsEnvironment(moto)), transport: try AHCTransport())
        let credentials = factory.defaultCredentials()
        let s3 = try factory.s3(region: nil, endpoint: nil, credentials: credentials)
        let bucket = "one-engine-\(suffix)"
        try await s3.createBucket(bucket)
        let key = "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/\(Self.trail.lastPathComponent)"
        let gzipped = Array(try Data(contentsOf: Self.trail))
        try await s3.putObject(bucket: bucket, key: key, body: gzipped)
        let queueName = "one-engine-\(suffix)"
        let creator = try factory.sqs(
            queue: "arn:aws:sqs:us-east-1:123456789012:\(queueName)", region: nil, endpoint: nil, credentials: credentials)
        let queueURL = try await creator.createQueue(name: queueName, attributes: ["VisibilityTimeout": "30"])
        let sqs = try factory.sqs(queue: queueURL, region: "us-east-1", endpoint: nil, credentials: credentials)
        _ = try await sqs.sendMessage(
            body:
                #"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2023-07-10T12:35:00.000Z","eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"\#(bucket)","arn":"arn:aws:s3:::\#(bucket)"},"object":{"key":"\#(key)","size":\#(gzipped.count)}}}]}"#
        )
        let sqsDirectory = directory.appendingPathComponent("sqs")
        try FileManager.default.createDirectory(at: sqsDirectory, withIntermediateDirectories: true)
        let sqsLog = sqsDirectory.appendingPathComponent("drifts.log").path
        let queued = try await Self.runService(
            config: { port in
                """
                providers:
                  aws:
                \(stateLine)
                    cloudtrail: {sqs_queue: "\(queueURL)", region: us-east-1}
                server: {listen: "127.0.0.1:\(port)"}
                outputs: {stdout: false, file: {path: \(sqsLog)}}
                """
            }, directory: sqsDirectory, log: sqsLog, expected: reference.count,
            environment: AWSPipelineTests.awsEnvironment(moto))
        #expect(try queued.lines.map(Self.stable) == reference)
        #expect(Self.accounting(metrics: queued.metrics) == referenceAccounting)
    }
}
