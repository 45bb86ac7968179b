import Detector
import Foundation
import Testing
import TfdriftCore

/// How the detector uses the generated catalog: classified calls, the models' read-only operations,
/// account/region singletons, sensitive attributes, identifiers of generated entries on real records.
@Suite("detection with the generated catalog")
struct CatalogDetectionTests {
    static func record(
        _ source: String, _ name: String, readOnly: String = "false", region: String = "us-east-1",
        request: String = "{}", response: String = "null"
    ) -> CloudTrailRecord {
        let json = """
            {"eventSource":"\(source)","eventName":"\(name)","eventID":"\(UUID().uuidString)",\(readOnly == "absent" ? "" : "\"readOnly\":\(readOnly),")
             "eventTime":"2026-01-01T00:00:00Z","awsRegion":"\(region)","recipientAccountId":"123456789012",
             "userAgent":"aws-cli/2.15.0","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/mallory","accountId":"123456789012"},
             "requestParameters":\(request),"responseElements":\(response)}
            """
        return Fixtures.decode(json: json).records[0]
    }

    @Test("a classified call counts as not_a_resource_change, not not_in_catalog")
    func classifiedCallsAreNotUncovered() throws {
        var evaluator = try StateBuilder().evaluator()
        #expect(evaluator.evaluate(Self.record("ssm.amazonaws.com", "SendCommand")).isEmpty)
        #expect(evaluator.evaluate(Self.record("ssm.amazonaws.com", "StartSession")).isEmpty)
        #expect(evaluator.evaluate(Self.record("signin.amazonaws.com", "ConsoleLogin")).isEmpty)
        #expect(evaluator.summary.skipped["not_a_resource_change"] == 3)
        #expect(evaluator.summary.skipped["not_in_catalog"] == nil)
        #expect(evaluator.summary.uncoveredEvents.isEmpty)
        #expect(evaluator.summary.mutating == 3)
    }

    @Test("without readOnly in the record, the API model decides; naming conventions only for calls no model knows")
    func readOnlyFromTheModel() throws {
        var evaluator = try StateBuilder().evaluator()
        _ = evaluator.evaluate(Self.record("ec2.amazonaws.com", "DescribeInstances", readOnly: "absent"))
        #expect(evaluator.summary.skipped["read_only"] == 1)
        // `Test…` looks read-only, but ElastiCache's TestFailover fails a cluster over.
        _ = evaluator.evaluate(
            Self.record(
                "elasticache.amazonaws.com", "TestFailover", readOnly: "absent", request: #"{"replicationGroupId":"rg-1"}"#))
        #expect(evaluator.summary.skipped["read_only"] == 1)
        #expect(evaluator.summary.mutating == 1)
        // A call no model describes falls back to its name.
        _ = evaluator.evaluate(Self.record("example.amazonaws.com", "GetWidget", readOnly: "absent"))
        #expect(evaluator.summary.skipped["read_only"] == 2)
    }

    static func ebsDefaultState(region: String?) -> StateBuilder {
        var builder = StateBuilder()
        var attributes: [String: JSONValue] = ["id": "terraform-20260101000000000000000001", "enabled": .bool(true)]
        if let region { attributes["region"] = .string(region) }
        builder.add("aws_ebs_encryption_by_default", "default", attributes)
        return builder
    }

    @Test("a region singleton is matched by the record's region, whatever its random Terraform id")
    func regionSingleton() throws {
        var evaluator = try Self.ebsDefaultState(region: "us-east-1").evaluator()
        let events = evaluator.evaluate(Self.record("ec2.amazonaws.com", "DisableEbsEncryptionByDefault"))
        #expect(events.map(\.driftType) == [.modified])
        #expect(events.first?.resourceAddress == "aws_ebs_encryption_by_default.default")
        #expect(events.first?.resourceID == "us-east-1")
        #expect(events.first?.diff["enabled"] == AttributeChange(expected: .bool(true), actual: .bool(false)))
        // Another region's setting is not the one the state manages.
        let elsewhere = evaluator.evaluate(Self.record("ec2.amazonaws.com", "DisableEbsEncryptionByDefault", region: "eu-west-1"))
        #expect(elsewhere.map(\.driftType) == [.unmanaged])
        #expect(elsewhere.first?.resourceID == "eu-west-1")
    }

    @Test("a singleton in a state that does not record its region (provider < 6) matches any region")
    func singletonWithoutRegion() throws {
        // Only settings are singletons: an instance or a VPC is never matched by "any of its type".
        #expect(TerraformResourceTypes.singletonScopes["aws_ebs_encryption_by_default"] == .region)
        #expect(TerraformResourceTypes.singletonScopes["aws_s3_account_public_access_block"] == .account)
        for type in ["aws_instance", "aws_vpc", "aws_iam_user_login_profile", "aws_cognito_user"] {
            #expect(TerraformResourceTypes.singletonScopes[type] == nil, "\(type)")
        }
        var evaluator = try Self.ebsDefaultState(region: nil).evaluator()
        let events = evaluator.evaluate(Self.record("ec2.amazonaws.com", "DisableEbsEncryptionByDefault", region: "eu-west-1"))
        #expect(events.map(\.driftType) == [.modified])
        #expect(events.first?.resourceID == "eu-west-1")
    }

    @Test("an account singleton is matched by the record's account")
    func accountSingleton() throws {
        var builder = StateBuilder()
        builder.add(
            "aws_s3_account_public_access_block", "account",
            ["id": "123456789012", "account_id": "123456789012", "block_public_policy": .bool(true)])
        var evaluator = try builder.evaluator()
        let events = evaluator.evaluate(Self.record("s3.amazonaws.com", "DeleteAccountPublicAccessBlock"))
        #expect(events.map(\.driftType) == [.deleted])
        #expect(events.first?.resourceID == "123456789012")
    }

    @Test("an attribute the provider marks sensitive is never echoed, even when the state does not mark it")
    func sensitiveFromTheSchema() throws {
        var builder = StateBuilder()
        builder.add(
            "aws_docdbelastic_cluster", "main",
            [
                "id": "arn:aws:docdb-elastic:us-east-1:123456789012:cluster/abc", "name": "main",
                "arn": "arn:aws:docdb-elastic:us-east-1:123456789012:cluster/abc", "admin_user_password": "previous-secret",
                "auth_type": "PLAIN_TEXT",
            ])
        var evaluator = try builder.evaluator()
        let events = evaluator.evaluate(
            Self.record(
                "docdb-elastic.amazonaws.com", "UpdateCluster",
                request:
                    #"{"clusterArn":"arn:aws:docdb-elastic:us-east-1:123456789012:cluster/abc","adminUserPassword":"hunter2-new","authType":"SECRET_ARN"}"#
            ))
        let event = try #require(events.first)
        #expect(event.driftType == .modified)
        #expect(event.diff["admin_user_password"]?.actual == .string("(sensitive value)"))
        #expect(event.diff["admin_user_password"]?.expected == .string("(sensitive value)"))
        #expect(event.diff["auth_type"]?.actual == .string("SECRET_ARN"))
        let line = event.jsonLine()
        #expect(!line.contains("hunter2"))
        #expect(!line.contains("previous-secret"))
    }

    @Test("generated entries find their identifiers in real records (Stratus Red Team's serial console detonation)")
    func generatedIdentifiersOnRealRecords() throws {
        // EnableSerialConsoleAccess is generated (not curated): a region singleton.
        let record = try Fixtures.record(named: "EnableSerialConsoleAccess")
        let entry = try #require(Fixtures.catalog.entry(source: record.eventSource, name: record.eventName))
        #expect(entry.definedIn.hasPrefix("generated"))
        var evaluator = try StateBuilder().evaluator()
        var manual = record
        manual.userAgent = "aws-cli/2.15.0"
        let events = evaluator.evaluate(manual)
        #expect(events.map(\.resourceType) == ["aws_ec2_serial_console_access"])
        #expect(events.first?.resourceID == record.awsRegion)
    }
}
