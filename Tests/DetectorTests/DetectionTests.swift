import Detector
import Foundation
import Testing
import TfdriftCore

@Suite("drift detection on real CloudTrail records")
struct DetectionTests {
    @Test("Terraform's own calls, plain and bracketed (S3), are expected changes, not drift")
    func terraformAgentSuppression() throws {
        var evaluator = try StateBuilder().evaluator()
        var expected = 0
        for record in Fixtures.corpus where record.userAgent?.contains("Terraform/") == true {
            #expect(evaluator.evaluate(record).isEmpty, "\(record.eventName) \(record.eventID ?? "")")
            expected += 1
        }
        #expect(expected > 700)
        #expect(evaluator.summary.expectedChanges > 100)
        #expect(evaluator.summary.driftEvents == 0)
        let bracketed = try Fixtures.record(named: "PutBucketTagging") { $0.userAgent?.hasPrefix("[APN/1.0 HashiCorp") == true }
        var fresh = try StateBuilder().evaluator()
        #expect(fresh.evaluate(bracketed).isEmpty)
        #expect(fresh.summary.expectedChanges == 1)
    }

    @Test("OpenTofu, terraform-provider-aws and configured CI actors are expected too")
    func otherAutomation() throws {
        var record = try Fixtures.record(eventID: "9fd68588-ecbf-4528-a345-199fa6bb0821")
        for agent in ["OpenTofu/1.8.0 (+https://opentofu.org)", "APN/1.0 HashiCorp/1.0 terraform-provider-aws/5.40.0"] {
            record.userAgent = agent
            var evaluator = try StateBuilder().evaluator()
            #expect(evaluator.evaluate(record).isEmpty)
            #expect(evaluator.summary.expectedChanges == 1)
        }
        var config = TfdriftConfig()
        config.detection.expectedActors = ["arn:aws:iam::*:user/christophe"]
        var evaluator = try StateBuilder().evaluator(config: config)
        #expect(evaluator.evaluate(try Fixtures.record(eventID: "9fd68588-ecbf-4528-a345-199fa6bb0821")).isEmpty)
        #expect(evaluator.summary.expectedChanges == 1)
    }

    @Test("failed and read-only calls are not changes")
    func failedAndReadOnly() throws {
        var evaluator = try StateBuilder().evaluator()
        for record in Fixtures.corpus where record.errorCode != nil { #expect(evaluator.evaluate(record).isEmpty) }
        #expect(evaluator.summary.skipped["failed_call"] == 352)
        for record in Fixtures.corpus where record.readOnly == true && record.errorCode == nil {
            #expect(evaluator.evaluate(record).isEmpty)
        }
        #expect(evaluator.summary.driftEvents == 0)
    }

    @Test("a security group opened to the world: modified, critical, rule-level diff")
    func securityGroupIngress() throws {
        var builder = StateBuilder()
        builder.add(
            "aws_security_group", "bastion", module: "module.net",
            [
                "id": "sg-003dc7f1f1c686164", "name": "bastion",
                "ingress": [["protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"], "self": false]],
            ])
        var evaluator = try builder.evaluator()
        let events = evaluator.evaluate(try Fixtures.record(eventID: "9fd68588-ecbf-4528-a345-199fa6bb0821"))
        let event = try #require(events.first)
        #expect(events.count == 1)
        #expect(event.driftType == .modified)
        #expect(event.severity == .critical)
        #expect(event.resourceAddress == "module.net.aws_security_group.bastion")
        #expect(event.resourceID == "sg-003dc7f1f1c686164")
        #expect(event.state == "test")
        #expect(event.diff["ingress"]?.expected == ["tcp 443 from 10.0.0.0/8"])
        #expect(event.diff["ingress"]?.actual == ["tcp 22 from 208.236.235.254/0", "tcp 443 from 10.0.0.0/8"])
        #expect(event.changedBy == "christophe")
        #expect(event.actor.type == "IAMUser")
    }

    @Test("the same call through Falco's http_output gives the same drift")
    func falcoEquivalence() throws {
        var builder = StateBuilder()
        builder.add("aws_security_group", "bastion", ["id": "sg-003dc7f1f1c686164", "ingress": []])
        let (records, _, _) = try Fixtures.decode([Fixtures.path("inputs/falco-alerts.jsonl")])
        let alert = try #require(records.first { $0.eventID == "9fd68588-ecbf-4528-a345-199fa6bb0821" })
        var fromFalco = try builder.evaluator()
        var fromTrail = try builder.evaluator()
        let viaFalco = fromFalco.evaluate(alert)
        let viaTrail = fromTrail.evaluate(try Fixtures.record(eventID: "9fd68588-ecbf-4528-a345-199fa6bb0821"))
        #expect(viaFalco.map(\.diff) == viaTrail.map(\.diff))
        #expect(viaFalco.first?.resourceAddress == "aws_security_group.bastion")
    }

    @Test("upstream's Falco alert without ct.src resolves the source from the catalog")
    func falcoWithoutSource() throws {
        var builder = StateBuilder()
        builder.add("aws_instance", "web", ["id": "i-0moneyshotdemo01", "instance_type": "t3.micro"])
        let (records, _, _) = try Fixtures.decode([Fixtures.path("inputs/falco-alerts.jsonl")])
        let alert = try #require(
            records.first {
                $0.eventName == "ModifyInstanceAttribute" && $0.eventSource.isEmpty
                    && (try? $0.requestParameters?.decode()["instanceId"]) != nil
            })
        var evaluator = try builder.evaluator()
        let event = try #require(evaluator.evaluate(alert).first)
        #expect(event.eventSource == "ec2.amazonaws.com")
        #expect(event.diff["instance_type"] == AttributeChange(expected: "t3.micro", actual: "t3.xlarge"))
        #expect(event.severity == .high)
    }

    @Test("a trust policy rewritten: the diff compares policy documents, not strings")
    func trustPolicy() throws {
        // The detonation's backdoor (the invictus day also holds the restore, which a later test uses).
        let record = try Fixtures.record(named: "UpdateAssumeRolePolicy") {
            $0.location.file.hasSuffix("stratus-red-team-detonation-logs.json.gz")
        }
        let roleName = try #require(try record.requestParameters?.decode()["roleName"]?.stringValue)
        var builder = StateBuilder()
        let original =
            #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#
        builder.add(
            "aws_iam_role", "app", ["id": .string(roleName), "name": .string(roleName), "assume_role_policy": .string(original)])
        var evaluator = try builder.evaluator()
        let event = try #require(evaluator.evaluate(record).first)
        let change = try #require(event.diff["assume_role_policy"])
        #expect(change.expected["Statement"]?.arrayValue?.count == 1)
        #expect((change.actual["Statement"]?.arrayValue?.count ?? 0) >= 2)
        #expect(event.severity == .critical)
        // The same document in a different layout is no change at all.
        var same = StateBuilder()
        let actual = try record.requestParameters!.decode()["policyDocument"]!.stringValue!
        same.add(
            "aws_iam_role", "app",
            ["id": .string(roleName), "assume_role_policy": .string(actual.replacingOccurrences(of: "\n", with: " "))])
        var quiet = try same.evaluator()
        #expect(quiet.evaluate(record).isEmpty)
        #expect(quiet.summary.skipped["no_effective_change"] == 1)
    }

    @Test("a managed resource deleted: deleted, at least high")
    func deletion() throws {
        let record = try Fixtures.record(eventID: "ee73c230-44bc-4492-8542-cfb189eae287")  // DeleteTrail
        var builder = StateBuilder()
        builder.add(
            "aws_cloudtrail", "org",
            [
                "id": "stratus-red-team-cloudtraild-trail-kvrwohmiai", "name": "stratus-red-team-cloudtraild-trail-kvrwohmiai",
                "arn": "arn:aws:cloudtrail:megov-westwest-1r:847129010505:trail/stratus-red-team-cloudtraild-trail-kvrwohmiai",
            ])
        var evaluator = try builder.evaluator()
        let event = try #require(evaluator.evaluate(record).first)
        #expect(event.driftType == .deleted)
        #expect(event.resourceID == "stratus-red-team-cloudtraild-trail-kvrwohmiai")
        #expect(event.severity == .critical)
        #expect(event.diff.isEmpty)
        #expect(event.message.contains("deleted outside Terraform"))
    }

    @Test("a resource of another account (by its ARN) is not matched: the deletion is of an unmanaged resource there")
    func accountScoping() throws {
        let record = try Fixtures.record(eventID: "ee73c230-44bc-4492-8542-cfb189eae287")  // DeleteTrail in 847129010505
        var builder = StateBuilder()
        builder.add(
            "aws_cloudtrail", "other_account",
            [
                "id": "stratus-red-team-cloudtraild-trail-kvrwohmiai",
                "arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/stratus-red-team-cloudtraild-trail-kvrwohmiai",
            ])
        var evaluator = try builder.evaluator()
        let event = try #require(evaluator.evaluate(record).first)
        #expect(event.resourceAddress == nil)
        #expect(event.driftType == .unmanaged)
        #expect(event.action == .resolved && event.resolvedBy == .deleted)
    }

    @Test("StopLogging on a managed trail: enable_logging true → false")
    func stopLogging() throws {
        var builder = StateBuilder()
        builder.add("aws_cloudtrail", "main", ["id": "stratus-red-team-ct-stop-trail-buykxbqejv", "enable_logging": true])
        var evaluator = try builder.evaluator()
        let event = try #require(evaluator.evaluate(try Fixtures.record(eventID: "10163ed2-2253-469d-a5ee-cbc6651f8934")).first)
        #expect(event.diff["enable_logging"] == AttributeChange(expected: true, actual: false))
        #expect(event.severity == .critical)
    }

    @Test("Lambda's version-suffixed event names are normalised")
    func lambdaNames() throws {
        #expect(EventCatalog.normalisedEventName("UpdateFunctionConfiguration20150331v2") == "UpdateFunctionConfiguration")
        #expect(EventCatalog.normalisedEventName("CreateFunction20150331") == "CreateFunction")
        #expect(EventCatalog.normalisedEventName("UpdateDistribution2020_05_31") == "UpdateDistribution")
        #expect(EventCatalog.normalisedEventName("CreateVpc") == "CreateVpc")
        #expect(EventCatalog.normalisedEventName("AssociateIamInstanceProfile") == "AssociateIamInstanceProfile")
        let record = try Fixtures.record(eventID: "da929d96-8e20-475c-a810-973addd64769")
        var builder = StateBuilder()
        builder.add(
            "aws_lambda_function", "simple",
            [
                "id": "stratus-red-team-lambda-layer-simpleLambda", "function_name": "stratus-red-team-lambda-layer-simpleLambda",
                "arn": "arn:aws:lambda:eugov-eastcentral-1r:712967571683:function:stratus-red-team-lambda-layer-simpleLambda",
                "layers": [],
            ])
        var evaluator = try builder.evaluator()
        let event = try #require(evaluator.evaluate(record).first)
        #expect(event.resourceAddress == "aws_lambda_function.simple")
        #expect(
            event.diff["layers"]?.actual == [
                "arn:aws:lambda:eugov-eastcentral-1r:712967571683:layer:stratus-red-team-lambda-layer-my-lambda-extension:1"
            ])
    }

    @Test("an unmanaged creation is low; an unmanaged deletion resolves (deleted), never folded away")
    func unmanaged() throws {
        var evaluator = try StateBuilder().evaluator()
        let created = evaluator.evaluate(try Fixtures.record(eventID: "d2905ac3-9898-433f-b10d-9302abe4e208"))  // CreateRole
        let event = try #require(created.first)
        #expect(event.driftType == .unmanaged)
        #expect(event.severity == .low)
        #expect(event.resourceAddress == nil)
        #expect(event.state == nil)
        let deletion = try Fixtures.record(eventID: "ee73c230-44bc-4492-8542-cfb189eae287")  // DeleteTrail, no state
        let resolved = try #require(evaluator.evaluate(deletion).first)
        #expect(resolved.action == .resolved && resolved.resolvedBy == .deleted && resolved.driftType == .unmanaged)
        #expect(resolved.jsonLine().contains(#""resolved_by":"deleted""#))
    }

    @Test("snapshot sharing is critical even unmanaged")
    func snapshotSharing() throws {
        var evaluator = try StateBuilder().evaluator()
        let event = try #require(evaluator.evaluate(try Fixtures.record(eventID: "6897ff63-d738-445c-9e86-43e5b1f8e12f")).first)
        #expect(event.resourceType == "aws_ebs_snapshot")
        #expect(event.severity == .critical)
    }

    @Test("sensitive values never reach a drift event")
    func sensitive() throws {
        let state = try StateParser.parse(
            try InputFiles.read(Fixtures.path("states/tf1x-modules.tfstate")), name: "orders", origin: "x")
        let evaluator = DriftEvaluator(catalog: Fixtures.catalog, index: StateIndex(states: [state]), config: TfdriftConfig())
        let json = """
            {"eventVersion":"1.08","eventTime":"2026-01-05T10:00:00Z","eventSource":"rds.amazonaws.com","eventName":"ModifyDBInstance",
             "eventID":"sens-1","eventType":"AwsApiCall","readOnly":false,"awsRegion":"us-east-1","recipientAccountId":"210987654321",
             "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::210987654321:assumed-role/Admin/alice","accountId":"210987654321"},
             "userAgent":"aws-cli/2.15.0","requestParameters":{"dBInstanceIdentifier":"orders-20240614081502339100000001",
             "masterUserPassword":"****","dBInstanceClass":"db.m6g.2xlarge","applyImmediately":true}}
            """
        var copy = evaluator
        let events = Fixtures.decode(json: json).records.flatMap { copy.evaluate($0) }
        let event = try #require(events.first)
        #expect(event.diff["instance_class"] == AttributeChange(expected: "db.m6g.large", actual: "db.m6g.2xlarge"))
        #expect(event.changedBy == "alice")
        let line = event.jsonLine()
        #expect(!line.contains("pr0d-Orders"))
        #expect(event.diff["password"] == nil || event.diff["password"]?.expected == "(sensitive value)")
    }

    @Test("withheld values (<sensitiveDataRemoved>) are reported as withheld")
    func withheld() throws {
        var builder = StateBuilder()
        builder.add("aws_instance", "victim", ["id": "i-DDd6c7B0e18F0E35f", "user_data": "3a2b1c"])
        var evaluator = try builder.evaluator()
        let event = try #require(evaluator.evaluate(try Fixtures.record(eventID: "f634894e-d625-4b7b-b1c1-50354cc1100e")).first)
        #expect(event.diff["user_data"] == AttributeChange(expected: "3a2b1c", actual: "(withheld by CloudTrail)"))
    }

    @Test("severity rules from config win over the defaults; ignore rules drop drift")
    func rules() throws {
        var builder = StateBuilder()
        builder.add("aws_security_group", "bastion", ["id": "sg-003dc7f1f1c686164", "ingress": []])
        var config = TfdriftConfig()
        config.detection.severityRules = [SeverityRule(resourceTypes: ["aws_security_group"], severity: .medium)]
        var evaluator = try builder.evaluator(config: config)
        let record = try Fixtures.record(eventID: "9fd68588-ecbf-4528-a345-199fa6bb0821")
        #expect(evaluator.evaluate(record).first?.severity == .medium)
        var ignoring = TfdriftConfig()
        var rule = IgnoreRule()
        rule.userAgents = ["stratus-red-team_*"]
        ignoring.detection.ignoreRules = [rule]
        var quiet = try builder.evaluator(config: ignoring)
        #expect(quiet.evaluate(record).isEmpty)
        #expect(quiet.summary.skipped["ignored_by_rule"] == 1)
    }

    @Test(
        "globs: literal, prefix, and fnmatch's full syntax",
        arguments: [
            ("aws_iam_*", "aws_iam_role", true), ("aws_iam_*", "aws_iam_", true), ("aws_iam_*", "aws_s3_bucket", false),
            ("aws_vpc", "aws_vpc", true), ("aws_vpc", "aws_vpc_peering", false), ("*", "anything", true),
            ("arn:aws:iam::*:role/ci-*", "arn:aws:iam::123456789012:role/ci-deploy", true),
            ("arn:aws:iam::*:role/ci-*", "arn:aws:iam::123456789012:role/admin", false),
            ("aws_?b", "aws_lb", true), ("aws_[ae]lb", "aws_alb", true), ("aws_[ae]lb", "aws_nlb", false),
            ("literal\\*", "literal*", true), ("literal\\*", "literally", false),
        ])
    func globs(pattern: String, text: String, expected: Bool) {
        #expect(Glob.matches(pattern, text) == expected)
    }

    @Test("dedup: the same change within the window is one event; a redelivered eventID is skipped")
    func dedup() throws {
        var builder = StateBuilder()
        builder.add("aws_security_group", "bastion", ["id": "sg-003dc7f1f1c686164", "ingress": []])
        var evaluator = try builder.evaluator()
        let record = try Fixtures.record(eventID: "9fd68588-ecbf-4528-a345-199fa6bb0821")
        #expect(evaluator.evaluate(record).count == 1)
        #expect(evaluator.evaluate(record).isEmpty)
        #expect(evaluator.summary.skipped["duplicate_event"] == 1)
        var again = record
        again.eventID = "another-delivery-of-the-same-change"
        #expect(evaluator.evaluate(again).isEmpty)
        #expect(evaluator.summary.skipped["duplicate_drift"] == 1)
        var later = again
        later.eventID = "an-hour-later"
        later.eventTime = "2024-08-01T13:30:00Z"
        #expect(evaluator.evaluate(later).count == 1)
    }

    @Test("drift inside a maintenance window carries its name")
    func maintenanceWindow() throws {
        var builder = StateBuilder()
        builder.add("aws_security_group", "bastion", ["id": "sg-003dc7f1f1c686164", "ingress": []])
        var config = TfdriftConfig()
        // The record is at 2024-08-01T12:23:55Z, a Thursday: 21:23 in Tokyo.
        config.maintenanceWindows = [
            MaintenanceWindow(
                name: "Thursday evening",
                schedule: .weekly(
                    weekdays: [5], startMinute: 21 * 60, endMinute: 22 * 60, timeZone: TimeZone(identifier: "Asia/Tokyo")!))
        ]
        var evaluator = try builder.evaluator(config: config)
        let event = try #require(evaluator.evaluate(try Fixtures.record(eventID: "9fd68588-ecbf-4528-a345-199fa6bb0821")).first)
        #expect(event.maintenanceWindow == "Thursday evening")
        #expect(event.jsonLine().contains(#""maintenance_window":"Thursday evening""#))
    }

    @Test("--since/--until filter by eventTime")
    func timeRange() throws {
        let record = try Fixtures.record(eventID: "d2905ac3-9898-433f-b10d-9302abe4e208")  // CreateRole, unmanaged
        for (since, until, drifts) in [
            ("2024-08-01T00:00:00Z", "2024-08-02T00:00:00Z", 1), ("2024-08-02T00:00:00Z", nil, 0),
            (nil, "2024-08-01T00:00:00Z", 0),
        ] {
            var evaluator = try StateBuilder().evaluator()
            evaluator.since = since.flatMap(Timestamp.parse)
            evaluator.until = until.flatMap(Timestamp.parse)
            #expect(evaluator.evaluate(record).count == drifts)
            #expect(evaluator.summary.skipped["out_of_time_range", default: 0] == 1 - drifts)
        }
    }

    @Test("the drift event line has SPEC §5's fields in order")
    func eventSchema() throws {
        var builder = StateBuilder()
        builder.add("aws_security_group", "bastion", ["id": "sg-003dc7f1f1c686164", "ingress": []])
        var evaluator = try builder.evaluator()
        let event = try #require(
            evaluator.evaluate(
                try Fixtures.record(eventID: "9fd68588-ecbf-4528-a345-199fa6bb0821"),
                now: Date(timeIntervalSince1970: 1_800_000_000)
            ).first)
        let line = event.jsonLine()
        let parsed = try JSONValue.parse(line)
        for field in [
            "timestamp", "detected_at", "action", "drift_type", "severity", "resource_type", "resource_id", "resource_address",
            "state", "diff", "changed_by", "actor", "event_name", "event_source", "event_id", "region", "account_id", "message",
        ] {
            #expect(parsed[field] != nil, "missing \(field)")
        }
        #expect(parsed["timestamp"] == "2024-08-01T12:23:55Z")
        #expect(parsed["detected_at"] == "2027-01-15T08:00:00.000Z")
        #expect(parsed["action"] == "drift_detected")
        #expect(parsed["actor"]?["arn"] == "arn:aws:iam::032092706103:user/christophe")
        #expect(parsed["account_id"] == "032092706103")
        let keys = [
            "\"timestamp\"", "\"detected_at\"", "\"action\"", "\"drift_type\"", "\"severity\"", "\"resource_type\"",
            "\"message\"",
        ]
        let positions = keys.map { line.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
    }
}
