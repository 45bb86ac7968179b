import AWSClient
import Detector
import Foundation
import HTTPTransportAHC
import Testing
import TfdriftCore

/// `tfdriftctl replay s3://bucket/prefix` against moto_server (signature checking on): the invictus day
/// as an organisation trail; the drift lines are those of replaying the same files from disk.
@Suite("replay straight from an S3 trail bucket (moto)", .serialized)
struct S3ReplayTests {
    static let invictus = CLITests.repository.appendingPathComponent(
        "Tests/Fixtures/cloudtrail/invictus-ir-aws_dataset/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10")
    static let state = CLITests.repository.appendingPathComponent(
        "Tests/Fixtures/labelled/invictus-2023-07-10/terraform.tfstate")

    static func config(_ directory: URL, moto: AWSPipelineTests.Moto) throws -> String {
        let path = directory.appendingPathComponent("tfdrift.yaml").path
        try """
        providers:
          aws:
            state:
              local_path: \(state.path)
            cloudtrail:
              region: us-east-1
              endpoint: \(moto.url)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func stable(_ lines: [String]) throws -> [String] {
        try lines.map { line in
            var object = try CLITests.json(line)
            object["detected_at"] = nil
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
        }
    }

    // moto's signature check rejects every ListObjectsV2 whose query holds an encoded "/" (a prefix or the
    // "/" delimiter: boto3's own requests fail the same way), so the pruned listing — which needs both — is
    // tested against a bucket model in TfdriftAppTests/S3TrailTests; here the whole bucket is listed.
    @Test(
        "an organisation trail from S3, fetched concurrently: the same lines as from disk; unreadable objects and wrong credentials are errors"
    )
    func replay() async throws {
        let moto = try AWSPipelineTests.moto()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let factory = AWSClientFactory(
            environment: AWSEnvironment(variables: AWSPipelineTests.awsEnvironment(moto)), transport: try AHCTransport())
        let s3 = try factory.s3(region: nil, endpoint: nil, credentials: factory.defaultCredentials())
        let bucket = "org-trail-\(suffix)"
        try await s3.createBucket(bucket)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.invictus.path).filter { $0.hasSuffix(".json.gz") }
        #expect(files.count == 55)
        let day = "AWSLogs/o-test123/123837392027/CloudTrail/us-east-1/2023/07/10/"
        for file in files {
            let body = Array(try Data(contentsOf: Self.invictus.appendingPathComponent(file)))
            try await s3.putObject(bucket: bucket, key: day + file, body: body)
        }
        // Not a log: skipped like a local digest folder.
        try await s3.putObject(
            bucket: bucket, key: "AWSLogs/o-test123/123837392027/CloudTrail-Digest/us-east-1/2023/07/10/d.json.gz",
            body: Array("{}".utf8))

        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.config(directory, moto: moto)
        let environment = AWSPipelineTests.awsEnvironment(moto)
        let replay = ["replay", "--config", config, "--output", "json", "--no-progress"]
        let fromS3 = try await CLITests.run(replay + ["s3://\(bucket)"], environment: environment)
        #expect(fromS3.status == 2, "\(fromS3.stderr)")
        let last = try #require(fromS3.stderrLines.last)
        let summary = try #require(try CLITests.json(last)["summary"] as? [String: Any])
        #expect(summary["records"] as? Int == 2900, "\(summary)")
        #expect(summary["unreadable"] as? Int == 0, "\(summary)")
        let fromDisk = try await CLITests.run(replay + [Self.invictus.path], environment: environment)
        #expect(fromDisk.status == 2, "\(fromDisk.stderr)")
        #expect(try Self.stable(fromS3.stdoutLines) == Self.stable(fromDisk.stdoutLines))
        #expect(fromS3.stdoutLines.count > 20)

        // An object that is not gzip it claims to be: the replay says which, and fails unless partial.
        let broken = day + "123837392027_CloudTrail_us-east-1_20230710T2359Z_broken.json.gz"
        try await s3.putObject(bucket: bucket, key: broken, body: [0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02])
        let partial = try await CLITests.run(replay + ["s3://\(bucket)"], environment: environment)
        #expect(partial.status == 1, "\(partial.stderr)")
        #expect(partial.stderr.contains("s3://\(bucket)/\(broken): unreadable: gzip data is"), "\(partial.stderr)")
        #expect(partial.stderr.contains("--allow-partial"))
        let allowed = try await CLITests.run(replay + ["--allow-partial", "s3://\(bucket)"], environment: environment)
        #expect(allowed.status == 2, "\(allowed.stderr)")
        #expect(try Self.stable(allowed.stdoutLines) == Self.stable(fromDisk.stdoutLines))

        var wrong = environment
        wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let denied = try await CLITests.run(
            ["replay", "--config", config, "--no-progress", "s3://\(bucket)"], environment: wrong)
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("cannot list s3://\(bucket)/"), "\(denied.stderr)")
        #expect(denied.stderr.contains("SignatureDoesNotMatch"), "\(denied.stderr)")
        #expect(!denied.stderr.contains("not-the-secret"))
    }
}
