import Foundation
import Testing
import TfdriftCore

@testable import AWSClient

@Suite("CloudTrail notifications, keys, state locations, IAM policy")
struct NotificationTests {
    static let notifications = fixturesDirectory.appendingPathComponent("cloudtrail/notifications")
    static let key =
        "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1220Z_r7NFD65BgeDMqD23.json.gz"

    func sample(_ name: String) throws -> String {
        try String(contentsOf: Self.notifications.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("the shared message bodies (moto's S3, SNS and CloudTrail notifications) parse")
    func sharedSamples() throws {
        #expect(
            CloudTrailNotification.parse(try sample("moto-s3-objectcreated-via-sqs.json"))
                == .objects([S3ObjectLocation(bucket: "ct-logs", key: Self.key)]))
        #expect(
            CloudTrailNotification.parse(try sample("moto-sns-wrapped-s3-objectcreated.json"))
                == .objects([S3ObjectLocation(bucket: "ct-logs-sns", key: Self.key)]))
        #expect(
            CloudTrailNotification.parse(try sample("moto-sns-wrapped-cloudtrail-notification.json"))
                == .objects([S3ObjectLocation(bucket: "ct-logs", key: Self.key)]))
        #expect(CloudTrailNotification.parse(try sample("moto-s3-testevent-via-sqs.json")) == .ignored(reason: "s3:TestEvent"))
    }

    @Test("S3 keys are form-URL-decoded: + is a space, %2B a plus; real S3 leaves / unescaped")
    func keyDecoding() {
        let body = """
            {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventTime":"2024-01-01T00:00:00.000Z",
            "eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"AWSLogs/123456789012/my+file%2B1%C3%A9.json.gz","size":1}}},
            {"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"gone"}}}]}
            """
        #expect(
            CloudTrailNotification.parse(body)
                == .objects([S3ObjectLocation(bucket: "b", key: "AWSLogs/123456789012/my file+1é.json.gz")]))
        let removedOnly = """
            {"Records":[{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}
            """
        #expect(CloudTrailNotification.parse(removedOnly) == .ignored(reason: "S3 events other than ObjectCreated"))
    }

    @Test("EventBridge: CloudTrail API calls are handed over as-is; S3 Object Created names an object")
    func eventBridge() {
        let apiCall = """
            {"version":"0","id":"6a7e8feb","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","account":"123456789012",
             "time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress"}}
            """
        #expect(CloudTrailNotification.parse(apiCall) == .events)
        let objectCreated = """
            {"version":"0","detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"ct"},"object":{"key":"AWSLogs/1/a b.json.gz"}}}
            """
        #expect(
            CloudTrailNotification.parse(objectCreated)
                == .objects([S3ObjectLocation(bucket: "ct", key: "AWSLogs/1/a b.json.gz")]))
        let other = #"{"detail-type":"EC2 Instance State-change Notification","detail":{"state":"running"}}"#
        #expect(
            CloudTrailNotification.parse(other)
                == .ignored(reason: "EventBridge event \"EC2 Instance State-change Notification\" is not a CloudTrail API call"))
    }

    @Test("SNS subscription confirmations are ignored; garbage is unrecognised")
    func oddities() {
        #expect(
            CloudTrailNotification.parse(
                #"{"Type":"SubscriptionConfirmation","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"You have chosen…"}"#)
                == .ignored(
                    reason: "SNS SubscriptionConfirmation (confirm the subscription in SNS; raw delivery is not required)"))
        guard case .unrecognized = CloudTrailNotification.parse("not json") else {
            Issue.record("expected unrecognized")
            return
        }
        guard case .unrecognized = CloudTrailNotification.parse(#"{"hello":"world"}"#) else {
            Issue.record("expected unrecognized")
            return
        }
    }

    @Test("CloudTrail key layout: accounts of org and single-account trails, digest and insight files")
    func keys() {
        #expect(CloudTrailKey.account(of: Self.key) == "218007301253")
        #expect(
            CloudTrailKey.account(of: "prefix/AWSLogs/o-abc123def4/111122223333/CloudTrail/eu-west-1/2024/01/01/f.json.gz")
                == "111122223333")
        #expect(CloudTrailKey.account(of: "AWSLogs/o-abc123def4/") == nil)
        #expect(CloudTrailKey.account(of: "something/else.json") == nil)
        #expect(
            CloudTrailKey.isDigestOrInsight(
                "AWSLogs/1/CloudTrail-Digest/us-east-1/2024/01/01/1_CloudTrail-Digest_us-east-1_t_20240101T000000Z.json.gz"))
        #expect(CloudTrailKey.isDigestOrInsight("AWSLogs/1/CloudTrail-Insight/us-east-1/2024/01/01/x.json.gz"))
        #expect(!CloudTrailKey.isDigestOrInsight(Self.key))
    }

    @Test("Terraform S3 backend workspace keys")
    func stateKeys() {
        #expect(
            S3StateLocation.objectKey(bucket: "b", key: "apps/terraform.tfstate", workspace: nil, prefix: nil)
                == "apps/terraform.tfstate")
        #expect(
            S3StateLocation.objectKey(bucket: "b", key: "apps/terraform.tfstate", workspace: "default", prefix: "x")
                == "apps/terraform.tfstate")
        #expect(
            S3StateLocation.objectKey(bucket: "b", key: "apps/terraform.tfstate", workspace: "prod", prefix: nil)
                == "env:/prod/apps/terraform.tfstate")
        #expect(
            S3StateLocation.objectKey(bucket: "b", key: "apps/terraform.tfstate", workspace: "prod", prefix: "workspaces/")
                == "workspaces/prod/apps/terraform.tfstate")
        var state = StateSourceConfig(name: "apps", backend: .s3)
        state.bucket = "tf"
        state.key = "k.tfstate"
        state.workspace = "staging"
        #expect(S3StateLocation(state)?.description == "s3://tf/env:/staging/k.tfstate")
        #expect(S3StateLocation(StateSourceConfig(name: "l", backend: .local)) == nil)
    }

    func config(
        bucket: String? = "org-trail", prefix: String? = "AWSLogs/",
        queue: String? = "arn:aws:sqs:us-east-1:123456789012:cloudtrail-events",
        accounts: [String] = [], states: [StateSourceConfig] = []
    ) -> TfdriftConfig {
        var config = TfdriftConfig()
        config.cloudTrail.s3Bucket = bucket
        config.cloudTrail.s3Prefix = prefix
        config.cloudTrail.sqsQueue = queue
        config.cloudTrail.accounts = accounts
        config.states = states
        return config
    }

    func s3State(_ name: String, bucket: String, key: String, workspace: String? = nil, role: String? = nil) -> StateSourceConfig
    {
        var state = StateSourceConfig(name: name, backend: .s3)
        state.bucket = bucket
        state.key = key
        state.workspace = workspace
        state.assumeRoleARN = role
        return state
    }

    @Test("IAM policy: exact bucket prefix, queue ARN, state objects with workspaces, no KMS unless given")
    func policy() throws {
        let result = IAMPolicyBuilder.build(
            config: config(states: [
                s3State("net", bucket: "tf-state", key: "network/terraform.tfstate"),
                s3State("apps", bucket: "tf-state", key: "apps/terraform.tfstate", workspace: "prod"),
                StateSourceConfig(name: "local", backend: .local),
            ]))
        #expect(result.notes.isEmpty)
        let policy = try #require(result.policies.first)
        #expect(result.policies.count == 1)
        #expect(
            policy.statements == [
                IAMPolicyStatement(
                    sid: "ReadCloudTrailLogFiles", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::org-trail/AWSLogs/*"]),
                IAMPolicyStatement(
                    sid: "ConsumeCloudTrailNotifications",
                    actions: [
                        "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                        "sqs:ReceiveMessage",
                    ],
                    resources: ["arn:aws:sqs:us-east-1:123456789012:cloudtrail-events"]),
                IAMPolicyStatement(
                    sid: "ReadTerraformState", actions: ["s3:GetObject"],
                    resources: [
                        "arn:aws:s3:::tf-state/network/terraform.tfstate",
                        "arn:aws:s3:::tf-state/env:/prod/apps/terraform.tfstate",
                    ]),
            ])
        #expect(!policy.json.contains("kms:"))
        // The document is valid JSON with IAM's shape.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(policy.json.utf8)) as? [String: Any])
        #expect(object["Version"] as? String == "2012-10-17")
        #expect((object["Statement"] as? [[String: Any]])?.count == 3)
    }

    @Test("IAM policy: org-trail account allow-list, assumed roles get their own document, KMS with ViaService")
    func policyRolesAndKMS() throws {
        let result = IAMPolicyBuilder.build(
            config: config(
                accounts: ["222233334444", "111122223333"],
                states: [
                    s3State(
                        "other", bucket: "their-state", key: "t.tfstate", role: "arn:aws:iam::222233334444:role/tfdrift-reader")
                ]),
            kmsKeyARNs: ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
        #expect(result.policies.map(\.principal) == ["tfdriftctl", "arn:aws:iam::222233334444:role/tfdrift-reader"])
        let detector = result.policies[0]
        #expect(
            detector.statements[0].resources == [
                "arn:aws:s3:::org-trail/AWSLogs/111122223333/*", "arn:aws:s3:::org-trail/AWSLogs/o-*/111122223333/*",
                "arn:aws:s3:::org-trail/AWSLogs/222233334444/*", "arn:aws:s3:::org-trail/AWSLogs/o-*/222233334444/*",
            ])
        #expect(
            detector.statements.contains {
                $0.sid == "AssumeStateReaderRoles" && $0.resources == ["arn:aws:iam::222233334444:role/tfdrift-reader"]
            })
        #expect(!detector.statements.contains { $0.sid == "ReadTerraformState" }, "the role reads the state, not the detector")
        let kms = try #require(detector.statements.first { $0.actions == ["kms:Decrypt"] })
        #expect(kms.conditions["StringLike"]?["kms:ViaService"] == ["s3.*.amazonaws.com", "sqs.*.amazonaws.com"])
        #expect(result.policies[1].statements[0].resources == ["arn:aws:s3:::their-state/t.tfstate"])
        for policy in result.policies {
            #expect((try? JSONSerialization.jsonObject(with: Data(policy.json.utf8))) != nil, "\(policy.json)")
        }
    }

    @Test("IAM policy: a queue URL gives the ARN; a missing trail bucket is a note, not silence")
    func policyNotes() {
        let fromURL = IAMPolicyBuilder.build(
            config: config(bucket: nil, prefix: nil, queue: "https://sqs.eu-west-1.amazonaws.com/123456789012/ct"))
        #expect(fromURL.policies[0].statements[1].resources == ["arn:aws:sqs:eu-west-1:123456789012:ct"])
        #expect(fromURL.notes.contains { $0.contains("s3_bucket is not set") })
        let nothing = IAMPolicyBuilder.build(config: config(bucket: nil, prefix: nil, queue: nil))
        #expect(nothing.policies.isEmpty)
        #expect(nothing.notes.count == 1)
    }
}
