import Foundation
import Testing
import TfdriftCore

@testable import Detector

@Suite("the live picture is bounded")
struct LivePictureBoundTests {
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

    @Test("past capacity the resource touched longest ago is forgotten and counted; a touched one keeps its place")
    func eviction() {
        var picture = LivePicture(capacity: 3)
        func resource(_ id: String) -> LivePicture.Resource {
            LivePicture.Resource(resourceType: "aws_vpc", resourceID: id, exists: true)
        }
        for id in ["a", "b", "c"] { picture.store(resource(id), under: id) }
        // "a" is touched again: it is now the newest.
        picture.store(resource("a"), under: "a")
        #expect(picture.count == 3)
        picture.store(resource("d"), under: "d")
        #expect(picture.count == 3)
        #expect(picture.evicted == 1)
        #expect(Set(picture.resources.keys) == ["a", "c", "d"])
        #expect(picture.driftedCount == 3)
        picture.remove("c")
        #expect(picture.driftedCount == 2)
        for n in 0..<10_000 { picture.store(resource("n\(n)"), under: "n\(n)") }
        #expect(picture.count == 3)
        #expect(picture.driftedCount == 3)
        #expect(picture.evicted == 1 + 2 + 9_997)
    }

    @Test("the engine resolves only what the picture still holds after a state reload, and counts what it forgot")
    func engineEviction() async throws {
        let state = try StateParser.parse(JSONBytes(string: Self.stateJSON()), name: "main", origin: "main.tfstate")
        let evaluator = DriftEvaluator(
            catalog: Fixtures.catalog, index: StateIndex(states: [state]), config: TfdriftConfig(), pictureCapacity: 2)
        let sink = CollectingSink()
        let engine = DetectionEngine(evaluator: evaluator, sinks: [sink])
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
        #expect(resolved.allSatisfy { $0.action == .resolved && $0.resolvedBy == .stateReload })
        #expect(resolved.allSatisfy { $0.message.contains("drift resolved by a state reload") })
        #expect(await engine.openDriftCount == 0)
    }
}
