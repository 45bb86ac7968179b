import Foundation
import Testing
import TfdriftCore

@testable import Detector

@Suite("open drifts are bounded")
struct OpenDriftsTests {
    static func drift(_ id: String) -> DriftEvent {
        var actor = Actor()
        actor.type = "IAMUser"
        actor.arn = "arn:aws:iam::123456789012:user/alice"
        return DriftEvent(
            timestamp: Date(timeIntervalSince1970: 1_700_000_000), detectedAt: Date(), driftType: .unmanaged, severity: .medium,
            resourceType: "aws_vpc", resourceID: id, resourceAddress: nil, state: nil, diff: [:],
            actor: actor, eventName: "CreateVpc",
            eventSource: "ec2.amazonaws.com", eventID: "e-\(id)", region: "us-east-1", accountID: "123456789012",
            maintenanceWindow: nil, message: "aws_vpc \(id) is not managed by Terraform")
    }

    static func stateJSON(serial: Int = 1, extraResource: String = "") -> String {
        """
        {"version":4,"terraform_version":"1.9.8","serial":\(serial),"lineage":"t","outputs":{},"resources":[
         {"mode":"managed","type":"aws_security_group","name":"bastion","provider":"provider[\\"registry.terraform.io/hashicorp/aws\\"]",
          "instances":[{"schema_version":1,"attributes":{"id":"sg-003dc7f1f1c686164","name":"bastion","ingress":[]}}]}\(extraResource)
        ]}
        """
    }

    static func createVpc(_ n: Int) -> String {
        #"{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","eventID":"vpc-event-\#(n)","readOnly":false,"eventType":"AwsApiCall","awsRegion":"us-east-1","recipientAccountId":"123456789012","userAgent":"aws-cli/2.15","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","userName":"alice"},"responseElements":{"vpc":{"vpcId":"vpc-\#(n)"}}}"#
    }

    @Test("past capacity the oldest is forgotten and counted; a reopened drift is not evicted by its old slot")
    func eviction() {
        var open = OpenDrifts(capacity: 3)
        for id in ["a", "b", "c"] { open.open(Self.drift(id), attributesFingerprint: nil) }
        // "a" drifts again: it is now the newest.
        open.open(Self.drift("a"), attributesFingerprint: nil)
        #expect(open.count == 3)
        open.open(Self.drift("d"), attributesFingerprint: nil)
        #expect(open.count == 3)
        #expect(open.evicted == 1)
        #expect(Set(open.entries.keys) == ["aws_vpc|a", "aws_vpc|c", "aws_vpc|d"])
        // Kept slim: the message is rewritten by the resolution anyway.
        #expect(open.entries["aws_vpc|a"]?.event.message == "")
        open.close("aws_vpc|c")
        for n in 0..<10_000 { open.open(Self.drift("n\(n)"), attributesFingerprint: n) }
        #expect(open.count == 3)
        #expect(open.evicted == 1 + 2 + 9_997)
    }

    @Test("the engine reports only tracked drifts resolved, and how many it stopped tracking")
    func engineEviction() async throws {
        let state = try StateParser.parse(JSONBytes(string: Self.stateJSON()), name: "main", origin: "main.tfstate")
        let evaluator = DriftEvaluator(catalog: Fixtures.catalog, index: StateIndex(states: [state]), config: TfdriftConfig())
        let sink = CollectingSink()
        let engine = DetectionEngine(evaluator: evaluator, sinks: [sink], maxOpenDrifts: 2)
        let batch = RecordBatch.decoding(
            JSONBytes(string: (1...4).map(Self.createVpc).joined(separator: "\n")), name: "body", source: "http")
        #expect(batch.records.count == 4)
        let outcome = await engine.process(batch)
        #expect(outcome.events.count == 4)
        #expect(await sink.events.count == 4)
        #expect(outcome.openDrifts == 2)
        #expect(outcome.evictedOpenDrifts == 2)
        // `terraform import` adopted all four VPCs.
        let vpcs = (1...4).map {
            #",{"mode":"managed","type":"aws_vpc","name":"v\#($0)","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[{"schema_version":1,"attributes":{"id":"vpc-\#($0)"}}]}"#
        }.joined()
        let adopted = try StateParser.parse(
            JSONBytes(string: Self.stateJSON(serial: 2, extraResource: vpcs)), name: "main", origin: "main.tfstate")
        let resolved = await engine.replaceState(StateIndex(states: [adopted]))
        #expect(resolved.map(\.resourceID).sorted() == ["vpc-3", "vpc-4"])
        #expect(resolved.allSatisfy { $0.action == .resolved && $0.message.contains("drift resolved") })
        #expect(await engine.openDriftCount == 0)
    }
}
