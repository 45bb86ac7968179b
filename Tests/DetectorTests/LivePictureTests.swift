import Foundation
import Testing
import TfdriftCore

@testable import Detector

/// The live picture's contract (SPEC §4 "Every out-of-band change is accounted for"), one behaviour per
/// test, with CloudTrail records shaped as AWS writes them.
@Suite("the live picture of each resource")
struct LivePictureTests {
    /// A successful call by a human (not Terraform) at `second` past 2026-01-01T00:00.
    static func call(
        _ name: String, source: String = "iam.amazonaws.com", id: String, second: Int = 0, request: String,
        response: String = "null", user: String = "mallory"
    ) -> String {
        let time = Timestamp.format(Date(timeIntervalSince1970: 1_767_225_600 + Double(second)))
        return
            #"{"eventVersion":"1.08","eventTime":"\#(time)","eventSource":"\#(source)","eventName":"\#(name)","eventID":"\#(id)","readOnly":false,"eventType":"AwsApiCall","awsRegion":"us-east-1","recipientAccountId":"123456789012","userAgent":"aws-cli/2.15","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/\#(user)","userName":"\#(user)","accountId":"123456789012"},"requestParameters":\#(request),"responseElements":\#(response)}"#
    }

    /// The lines an engine makes of `records` (NDJSON, one batch), against `state`.
    /// With a `reorderWindow`, as a replay runs it (calls held across inputs, then `finishInput`).
    static func lines(
        _ records: [String], state: StateBuilder = StateBuilder(), explain: Bool = false, reorderWindow: Double? = nil
    ) async throws -> (events: [DriftEvent], report: BatchReport) {
        var evaluator = try state.evaluator()
        evaluator.explains = explain
        let sink = CollectingSink()
        let engine = DetectionEngine(evaluator: evaluator, sinks: [sink], reorderWindow: reorderWindow)
        let report = await engine.process(
            RecordBatch.decoding(JSONBytes(string: records.joined(separator: "\n")), name: "test", source: "file"))
        if reorderWindow != nil { await engine.finishInput() }
        return (await sink.events, report)
    }

    static func securityGroup() -> StateBuilder {
        var state = StateBuilder()
        let https: JSONValue = [
            "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [],
            "security_groups": [], "prefix_list_ids": [], "self": false,
        ]
        state.add("aws_security_group", "web", ["id": "sg-0123", "name": "web", "ingress": [https]])
        return state
    }

    static let ssh =
        #"{"groupId":"sg-0123","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}"#

    @Test("a change and its revert: the revert is drift_resolved (revert), by the actor who closed the window")
    func revert() async throws {
        let (events, _) = try await Self.lines(
            [
                Self.call("AuthorizeSecurityGroupIngress", source: "ec2.amazonaws.com", id: "open", request: Self.ssh),
                Self.call(
                    "RevokeSecurityGroupIngress", source: "ec2.amazonaws.com", id: "close", second: 300, request: Self.ssh,
                    user: "alice"),
            ], state: Self.securityGroup())
        #expect(events.map(\.action) == [.detected, .resolved])
        #expect(events[0].diff["ingress"]?.actual == ["tcp 22 from 0.0.0.0/0", "tcp 443 from 0.0.0.0/0"])
        #expect(events[1].resolvedBy == .revert)
        #expect(events[1].changedBy == "alice")
        #expect(events[1].eventID == "close")
        #expect(events[1].resourceAddress == "aws_security_group.web")
        #expect(events[1].jsonLine().contains(#""resolved_by":"revert""#))
        #expect(events[1].message.contains("returned to what Terraform's state says"))
    }

    @Test("follow-up changes to a resource made by hand each get their line; its deletion resolves it")
    func unmanagedFollowUps() async throws {
        let user = #"{"userName":"intruder"}"#
        let policy = #"{"userName":"intruder","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#
        let (events, _) = try await Self.lines([
            Self.call("CreateUser", id: "u1", second: 0, request: user, response: #"{"user":{"userName":"intruder"}}"#),
            Self.call("AttachUserPolicy", id: "u2", second: 1, request: policy),
            Self.call(
                "CreateAccessKey", id: "u3", second: 2, request: user,
                response: #"{"accessKey":{"userName":"intruder","accessKeyId":"AKIAEXAMPLE1","status":"Active"}}"#),
            Self.call("DetachUserPolicy", id: "u4", second: 3, request: policy),
            Self.call("DeleteAccessKey", id: "u5", second: 4, request: #"{"userName":"intruder","accessKeyId":"AKIAEXAMPLE1"}"#),
            Self.call("DeleteUser", id: "u6", second: 5, request: user),
        ])
        #expect(events.map(\.eventID) == ["u1", "u2", "u3", "u4", "u5", "u6"])
        #expect(events.allSatisfy { $0.driftType == .unmanaged && $0.resourceAddress == nil })
        #expect(events.map(\.action) == [.detected, .detected, .detected, .resolved, .resolved, .resolved])
        #expect(events[1].diff["managed_policy_arns"]?.actual == ["arn:aws:iam::aws:policy/AdministratorAccess"])
        #expect(events.map(\.resolvedBy) == [nil, nil, nil, .revert, .deleted, .deleted])
    }

    @Test("records of one second apply creations first, whatever their order in the file")
    func sameSecondOrder() async throws {
        let (events, _) = try await Self.lines([
            Self.call(
                "AttachUserPolicy", id: "attach",
                request: #"{"userName":"x","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}"#),
            Self.call("CreateUser", id: "create", request: #"{"userName":"x"}"#),
        ])
        #expect(events.map(\.eventID) == ["create", "attach"])
    }

    /// The engine as a replay runs it: `batches` one after another, then `finishInput`; the lines each
    /// step delivered.
    static func replayed(_ batches: [[String]], maxHeld: Int = 100_000) async throws -> (
        steps: [[DriftEvent]], summary: DetectionSummary
    ) {
        let sink = CollectingSink()
        let engine = DetectionEngine(
            evaluator: try StateBuilder().evaluator(), sinks: [sink], reorderWindow: 3600, maxHeld: maxHeld)
        var steps: [[DriftEvent]] = []
        for batch in batches {
            let report = await engine.process(
                RecordBatch.decoding(JSONBytes(string: batch.joined(separator: "\n")), name: "test", source: "file"))
            steps.append(report.events)
        }
        steps.append(await engine.finishInput().events)
        return (steps, await engine.summary)
    }

    static func createUser(_ id: String, _ user: String, second: Int) -> String {
        call("CreateUser", id: id, second: second, request: #"{"userName":"\#(user)"}"#)
    }

    @Test("in a replay, calls that arrive later than the reorder window still apply in order among themselves")
    func lateCallsInOrder() async throws {
        // Several detonations concatenated: a newer call first; then, a day earlier, a same-second pair
        // in the wrong order and calls written newest first, over two batches; then a call two days on,
        // which releases the late run mid-stream, in time order, before the newer calls.
        let attach = Self.call(
            "AttachUserPolicy", id: "attach", request: #"{"userName":"x","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}"#)
        let (steps, summary) = try await Self.replayed([
            [Self.createUser("newer", "other", second: 86_400), attach, Self.createUser("create", "x", second: 0)],
            [
                Self.call("DeleteUser", id: "delete-y", second: -60, request: #"{"userName":"y"}"#),
                Self.createUser("create-y", "y", second: -120),
            ],
            [Self.createUser("later", "z", second: 3 * 86_400)],
        ])
        #expect(steps[0].isEmpty && steps[1].isEmpty, "the late run waits for a later call")
        #expect(steps[2].map(\.eventID) == ["create-y", "delete-y", "create", "attach", "newer"])
        #expect(steps[2].map(\.action) == [.detected, .resolved, .detected, .detected, .detected])
        #expect(steps[3].map(\.eventID) == ["later"])
        #expect(summary.reorderOverflow == 0)
        #expect(summary.driftEvents == 5 && summary.resolved == 1 && summary.byResolvedBy == ["deleted": 1])
    }

    @Test("past the held-calls bound the oldest is applied early and counted, never lost")
    func heldBound() async throws {
        let calls = (0..<5).map { Self.createUser("u\($0)", "user\($0)", second: 100 - $0) }  // newest first
        let (steps, summary) = try await Self.replayed([calls], maxHeld: 2)
        #expect(steps.flatMap { $0 }.count == 5)
        #expect(summary.reorderOverflow == 3)
        // Each call past the bound is the oldest, applied at once; the two held to the end come out in
        // time order.
        #expect(steps[0].map(\.eventID) == ["u2", "u3", "u4"])
        #expect(steps.last?.map(\.eventID) == ["u1", "u0"])
    }

    @Test("a call without eventTime does not move the reorder window to the wall clock")
    func undatedCall() async throws {
        var undated = Self.createUser("undated", "n", second: 0)
        undated = undated.replacingOccurrences(of: #""eventTime":"2026-01-01T00:00:00Z","#, with: "")
        #expect(!undated.contains("eventTime"))
        // Two calls an hour apart around the undated one: they stay held until the input ends.
        let (steps, summary) = try await Self.replayed([
            [Self.createUser("a", "a", second: 60), undated, Self.createUser("b", "b", second: 0)]
        ])
        #expect(steps[0].isEmpty, "nothing released: the window did not jump to now")
        #expect(Set(steps[1].map(\.eventID)) == ["a", "b", "undated"])
        #expect(steps[1].first?.eventID == "b")
        #expect(summary.reorderOverflow == 0)
    }

    @Test("records apply in eventTime order within a batch, not file order")
    func timeOrder() async throws {
        let (events, _) = try await Self.lines(
            [
                Self.call(
                    "RevokeSecurityGroupIngress", source: "ec2.amazonaws.com", id: "close", second: 600, request: Self.ssh),
                Self.call(
                    "AuthorizeSecurityGroupIngress", source: "ec2.amazonaws.com", id: "open", second: 60, request: Self.ssh),
            ], state: Self.securityGroup())
        #expect(events.map(\.eventID) == ["open", "close"])
        #expect(events.map(\.action) == [.detected, .resolved])
    }

    static func instance() -> StateBuilder {
        var state = StateBuilder()
        state.add("aws_instance", "app", ["id": "i-0abc", "instance_type": "t3.micro"])
        return state
    }

    static func resize(_ id: String, _ type: String, second: Int) -> String {
        call(
            "ModifyInstanceAttribute", source: "ec2.amazonaws.com", id: id, second: second,
            request: #"{"instanceId":"i-0abc","instanceType":{"value":"\#(type)"}}"#)
    }

    @Test("values that alternate are changes each time; returning to the state's value resolves")
    func alternation() async throws {
        let (events, _) = try await Self.lines(
            [
                Self.resize("a1", "t3.large", second: 0), Self.resize("b", "t3.xlarge", second: 10),
                Self.resize("a2", "t3.large", second: 20), Self.resize("back", "t3.micro", second: 30),
            ], state: Self.instance())
        #expect(events.map(\.eventID) == ["a1", "b", "a2", "back"])
        #expect(events.map(\.action) == [.detected, .detected, .detected, .resolved])
        #expect(events.map { $0.diff["instance_type"]?.actual } == ["t3.large", "t3.xlarge", "t3.large", "t3.micro"])
        #expect(events.allSatisfy { $0.diff["instance_type"]?.expected == "t3.micro" })
    }

    @Test("an exact repeat gives no line; its id rides in event_ids of the next line about the resource")
    func repeats() async throws {
        let (events, report) = try await Self.lines(
            [
                Self.resize("first", "t3.large", second: 0), Self.resize("again", "t3.large", second: 5),
                Self.resize("next", "t3.xlarge", second: 10),
            ], state: Self.instance())
        #expect(events.map(\.eventID) == ["first", "next"])
        #expect(events[1].eventIDs == ["again"])
        #expect(events[1].jsonLine().contains(#""event_ids":["again"]"#))
        #expect(report.skipped["duplicate_drift"] == 1)
    }

    @Test("setting what the state says on an undrifted resource is no change: no line")
    func noEffectiveChange() async throws {
        let (events, report) = try await Self.lines([Self.resize("same", "t3.micro", second: 0)], state: Self.instance())
        #expect(events.isEmpty)
        #expect(report.skipped["no_effective_change"] == 1)
    }

    @Test("a second share of the same snapshot to another account is its own line")
    func secondShare() async throws {
        var state = StateBuilder()
        state.add("aws_ebs_snapshot", "backup", ["id": "snap-0abc"])
        func share(_ id: String, _ account: String, second: Int) -> String {
            Self.call(
                "ModifySnapshotAttribute", source: "ec2.amazonaws.com", id: id, second: second,
                request:
                    #"{"snapshotId":"snap-0abc","attributeType":"CREATE_VOLUME_PERMISSION","createVolumePermission":{"add":{"items":[{"userId":"\#(account)"}]}}}"#
            )
        }
        let (events, _) = try await Self.lines(
            [share("s1", "111111111111", second: 0), share("s2", "222222222222", second: 60)], state: state)
        #expect(events.map(\.eventID) == ["s1", "s2"])
        #expect(events[1].diff["create_volume_permission"]?.actual == ["111111111111", "222222222222"])
        #expect(events.allSatisfy { $0.severity == .critical })
    }

    @Test("the picture survives a restart: a revert after it is still recognised, a deletion still resolves")
    func restart() async throws {
        let first = try await Self.lines(
            [
                Self.call("AuthorizeSecurityGroupIngress", source: "ec2.amazonaws.com", id: "open", request: Self.ssh),
                Self.call("CreateUser", id: "create", request: #"{"userName":"temp"}"#),
            ], state: Self.securityGroup())
        #expect(first.events.count == 2)
        // What `run` writes at shutdown, and reads at the next start.
        var evaluator = try Self.securityGroup().evaluator()
        let engine = DetectionEngine(evaluator: evaluator, sinks: [])
        await engine.process(
            RecordBatch.decoding(
                JSONBytes(
                    string: [
                        Self.call("AuthorizeSecurityGroupIngress", source: "ec2.amazonaws.com", id: "open", request: Self.ssh),
                        Self.call("CreateUser", id: "create", request: #"{"userName":"temp"}"#),
                    ].joined(separator: "\n")), name: "before", source: "http"))
        let saved = await engine.picture.lines().joined(separator: "\n")
        let restored = try LivePicture.reading(saved, capacity: 100, file: "live-picture.jsonl")
        #expect(restored.count == 2)
        let before = await engine.picture
        #expect(restored.keysByTouch == before.keysByTouch)
        for key in before.keysByTouch {
            #expect(restored[key]?.observed == before[key]?.observed)
            #expect(restored[key]?.expected == before[key]?.expected)
            #expect(restored[key]?.exists == before[key]?.exists)
            #expect(restored[key]?.lastLine?.eventID == before[key]?.lastLine?.eventID)
        }
        evaluator = try Self.securityGroup().evaluator()
        evaluator.restore(restored)
        let sink = CollectingSink()
        let after = DetectionEngine(evaluator: evaluator, sinks: [sink])
        await after.process(
            RecordBatch.decoding(
                JSONBytes(
                    string: [
                        Self.call(
                            "RevokeSecurityGroupIngress", source: "ec2.amazonaws.com", id: "close", second: 60, request: Self.ssh),
                        Self.call("DeleteUser", id: "delete", second: 60, request: #"{"userName":"temp"}"#),
                    ].joined(separator: "\n")), name: "after", source: "http"))
        let events = await sink.events
        #expect(events.map(\.resolvedBy) == [.revert, .deleted])
        #expect(await after.openDriftCount == 0)
    }

    @Test("a saved picture that does not read is an error naming the line")
    func unreadablePicture() {
        let error = #expect(throws: LivePicture.FileError.self) {
            _ = try LivePicture.reading(#"{"tfdrift_live_picture":1}"# + "\n{\"type\":", capacity: 10, file: "p.jsonl")
        }
        #expect(error?.description.contains("p.jsonl:2") == true)
    }

    @Test("--explain says what became of every mutating record, and why")
    func explain() async throws {
        var terraform = Self.resize("tf", "t3.large", second: 0)
        terraform = terraform.replacingOccurrences(of: "aws-cli/2.15", with: "APN/1.0 HashiCorp/1.0 Terraform/1.9.8")
        let readOnly = Self.call("GetUser", id: "read", request: #"{"userName":"x"}"#)
            .replacingOccurrences(of: #""readOnly":false"#, with: #""readOnly":true"#)
        let (_, report) = try await Self.lines(
            [
                terraform, readOnly, Self.resize("mine", "t3.xlarge", second: 5), Self.resize("again", "t3.xlarge", second: 6),
                Self.call("MadeUpCall", source: "example.amazonaws.com", id: "unknown", request: "{}"),
            ], state: Self.instance(), explain: true)
        let outcomes = Dictionary(uniqueKeysWithValues: report.explanations.compactMap { e in e.eventID.map { ($0, e) } })
        #expect(outcomes["read"] == nil, "read-only calls are not explained: they are not changes")
        #expect(outcomes["tf"]?.outcome == .expectedChange)
        #expect(outcomes["mine"]?.outcome == .detected)
        #expect(outcomes["mine"]?.resource == "aws_instance.app i-0abc")
        #expect(outcomes["again"]?.outcome == .repeat)
        #expect(outcomes["unknown"]?.outcome == .skipped(.notInCatalog))
        #expect(outcomes["unknown"]?.detail.contains("example.amazonaws.com:MadeUpCall is not in the event catalog") == true)
        #expect(outcomes["again"]?.jsonLine.contains(#""outcome":"repeat""#) == true)
    }

    @Test("calls by AWS service-linked roles are AWS's own, not drift")
    func serviceLinkedRole() async throws {
        let record = Self.call("CreateUser", id: "slr", request: #"{"userName":"svc"}"#).replacingOccurrences(
            of:
                #""userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/mallory","userName":"mallory","accountId":"123456789012"}"#,
            with:
                #""userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForRDS/SLRManagement","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"}}}"#
        )
        let (events, report) = try await Self.lines([record])
        #expect(events.isEmpty)
        #expect(report.skipped["aws_service"] == 1)
    }
}
