import Foundation
import Testing

/// `iam-policy --output json` is what deployments attach (deploy/ecs/task-role-policy.json, IRSA):
/// one plain IAM policy document per principal, never a wrapper.
@Suite("tfdriftctl iam-policy")
struct IAMPolicyCLITests {
    static let stateRole = "arn:aws:iam::222222222222:role/tfdriftctl-state-reader"

    static func config(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("tfdrift.yaml").path
        let yaml = """
            providers:
              aws:
                states:
                  - name: own
                    bucket: own-tfstate
                    key: own/terraform.tfstate
                    region: us-east-1
                  - name: member
                    bucket: member-tfstate
                    key: member/terraform.tfstate
                    region: us-east-1
                    assume_role_arn: \(stateRole)
                cloudtrail:
                  sqs_queue: "arn:aws:sqs:us-east-1:111111111111:cloudtrail-events"
                  s3_bucket: trail-logs
                  s3_prefix: AWSLogs/
            """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func statements(_ document: [String: Any]) throws -> [String: [String: Any]] {
        #expect(Set(document.keys) == ["Version", "Statement"], "not a plain policy document: \(document.keys)")
        #expect(document["Version"] as? String == "2012-10-17")
        let list = try #require(document["Statement"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["Sid"] as? String ?? "", $0) })
    }

    @Test("--output json: the detector's own plain document; the assumed role is named on stderr")
    func detectorDocument() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await CLITests.run(["iam-policy", "--config", try Self.config(in: directory), "--output", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let statements = try Self.statements(try CLITests.json(result.stdout))
        #expect(
            statements["ConsumeCloudTrailNotifications"]?["Resource"] as? [String] == [
                "arn:aws:sqs:us-east-1:111111111111:cloudtrail-events"
            ])
        #expect(statements["ReadTerraformState"]?["Resource"] as? [String] == ["arn:aws:s3:::own-tfstate/own/terraform.tfstate"])
        #expect(statements["AssumeStateReaderRoles"]?["Resource"] as? [String] == [Self.stateRole])
        #expect(result.stderr.contains("--role \(Self.stateRole)"))
    }

    @Test("--role ARN prints that role's plain document; an unknown role is an error naming the known ones")
    func assumedRoleDocument() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.config(in: directory)
        let result = try await CLITests.run(["iam-policy", "--config", config, "--output", "json", "--role", Self.stateRole])
        #expect(result.status == 0, "\(result.stderr)")
        let statements = try Self.statements(try CLITests.json(result.stdout))
        #expect(Array(statements.keys) == ["ReadTerraformState"])
        #expect(
            statements["ReadTerraformState"]?["Resource"] as? [String] == ["arn:aws:s3:::member-tfstate/member/terraform.tfstate"]
        )

        let unknown = try await CLITests.run(["iam-policy", "--config", config, "--role", "arn:aws:iam::1:role/nope"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("arn:aws:iam::1:role/nope") && unknown.stderr.contains(Self.stateRole))
        #expect(unknown.stdout.isEmpty)
    }
}
