import Detector
import Foundation
import Testing
import TfdriftCore

@Suite("input forms")
struct InputFormTests {
    @Test("every record of the shared real CloudTrail sample parses")
    func sharedCorpus() throws {
        let (records, malformed, _) = try Fixtures.decode(Fixtures.corpusPaths)
        #expect(malformed.isEmpty, "\(malformed)")
        // SOURCE.md: 2900 invictus (the whole day) + 310 Stratus + 103 OTRF records.
        #expect(records.count == 3313)
        #expect(records.allSatisfy { !$0.eventName.isEmpty && !$0.eventSource.isEmpty })
        #expect(records.filter { $0.errorCode != nil }.count == 352)
        #expect(records.filter { $0.readOnly == nil }.count == 90)
    }

    @Test("a value whose first line looks like a whole object but goes on is read whole, not cut at the line")
    func multiLineValueNotCut() throws {
        let text = """
            {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/a"}
            ,"eventTime":"2026-01-01T00:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","eventID":"m1"}
            {"eventTime":"2026-01-01T00:00:01Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","eventID":"m2"}
            """
        // Through the streaming splitter (what replay and run read files with), whole and in small windows.
        for window in [1 << 20, 64, 150] {
            let batch = try StreamingTests.split(Array(text.utf8), window: window, name: "pretty.json")
            #expect(batch.malformedCount == 0, "window \(window): \(batch.malformed)")
            #expect(batch.records.map(\.eventID) == ["m1", "m2"], "window \(window)")
            #expect(batch.records.first?.userIdentity != nil)
        }
    }

    @Test("trail files in the S3 layout: gzip by magic bytes, sorted, 55 files")
    func s3Layout() throws {
        let listing = InputFiles.list([Fixtures.cloudTrail.appendingPathComponent("invictus-ir-aws_dataset").path])
        #expect(listing.files.count == 55)
        #expect(listing.files == listing.files.sorted())
        let (records, malformed, _) = try Fixtures.decode(listing.files)
        #expect(records.count == 2900)
        #expect(malformed.isEmpty)
        #expect(records[0].location.file.hasSuffix(".json.gz"))
        #expect(records[0].location.index == 0)
    }

    @Test("organisation trails: records read, digest and insight files skipped, gzip named .json read")
    func organisationTrail() throws {
        let (records, malformed, skips) = try Fixtures.decode([Fixtures.path("inputs/org-trail")])
        #expect(malformed.isEmpty)
        #expect(!records.isEmpty)
        #expect(records.allSatisfy { $0.recipientAccountID == "111122223333" })
        #expect(skips.contains(.digestFile))
        #expect(skips.contains(.insightFile))
        #expect(Set(records.map(\.location.file)).contains { $0.hasSuffix(".json") })
    }

    @Test("a record whose eventTime is not a time is malformed; a record without one is read")
    func eventTimes() {
        let good = #"{"eventTime":"2023-07-10T12:40:05Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc"}"#
        let bad = #"{"eventTime":"10/07/2023","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc"}"#
        let none = #"{"eventSource":"ec2.amazonaws.com","eventName":"CreateVpc"}"#
        let (records, malformed) = Fixtures.decode(json: [good, bad, none].joined(separator: "\n"))
        #expect(records.count == 2)
        #expect(records.first?.eventDate == Timestamp.parse("2023-07-10T12:40:05Z"))
        #expect(malformed.count == 1)
        #expect(malformed.first?.location.line == 2)
        #expect(malformed.first?.reason.contains("eventTime \"10/07/2023\" is not an RFC 3339 time") == true)
    }

    @Test("a single bare record")
    func singleRecord() throws {
        let (records, malformed, _) = try Fixtures.decode([Fixtures.path("inputs/single-record.json")])
        #expect(records.count == 1)
        #expect(malformed.isEmpty)
        #expect(records[0].requestParameters != nil)
    }

    @Test("NDJSON with a malformed line: counted with its line, the rest goes on")
    func ndjsonWithMalformedLine() throws {
        let (records, malformed, _) = try Fixtures.decode([Fixtures.path("inputs/records-ndjson.jsonl")])
        #expect(records.count == 5)
        #expect(malformed.count == 1)
        #expect(malformed.first?.location.line == 3)
        #expect(malformed.first?.location.file.hasSuffix("records-ndjson.jsonl") == true)
    }

    @Test("EventBridge envelopes, single and NDJSON; other detail types are skipped")
    func eventBridge() throws {
        let single = try Fixtures.decode([Fixtures.path("inputs/eventbridge-envelope.json")])
        #expect(single.records.count == 1)
        #expect(single.records[0].eventSource.hasSuffix(".amazonaws.com"))
        let many = try Fixtures.decode([Fixtures.path("inputs/eventbridge-ndjson.jsonl")])
        #expect(many.records.count >= 2)
        #expect(many.malformed.isEmpty)
        var skips: [InputSkip] = []
        RecordDecoder(onRecord: { _ in }, onMalformed: { _ in }, onSkip: { skips.append($0) })
            .decode(JSONBytes(string: #"{"detail-type":"EC2 Instance State-change Notification","detail":{}}"#), file: "x")
        #expect(skips == [.otherEventBridgeEvent])
    }

    @Test("Falco http_output alerts: ct.* fields, <NA> and null as missing, ct.request as JSON")
    func falcoAlerts() throws {
        let (records, malformed, _) = try Fixtures.decode([Fixtures.path("inputs/falco-alerts.jsonl")])
        #expect(malformed.isEmpty, "\(malformed)")
        #expect(records.count == 7)
        let first = records[0]
        #expect(first.eventName == "ModifyInstanceAttribute")
        #expect(try first.requestParameters?.decode()["instanceid"] == .string("i-1234567890abcdef0"))
        let withRequest = try #require(records.first { $0.eventID == "9fd68588-ecbf-4528-a345-199fa6bb0821" })
        #expect(withRequest.eventSource == "ec2.amazonaws.com")
        #expect(withRequest.errorCode == nil)  // "<NA>"
        #expect(withRequest.readOnly == false)
        #expect(try withRequest.requestParameters?.decode()["groupId"] == .string("sg-003dc7f1f1c686164"))
        #expect(try withRequest.responseElements?.decode()["securityGroupRuleSet"] != nil)
        let noRequest = try #require(records.first { $0.eventName == "AuthorizeSecurityGroupIngress" && $0.eventSource.isEmpty })
        #expect(noRequest.requestParameters == nil)  // ct.request.name was null
    }

    @Test("S3 notifications and SNS envelopes are recognised, not malformed")
    func notifications() throws {
        let (records, malformed, skips) = try Fixtures.decode([Fixtures.cloudTrail.appendingPathComponent("notifications").path])
        #expect(records.isEmpty)
        #expect(malformed.isEmpty, "\(malformed)")
        #expect(skips.filter { $0 == .s3Notification }.count == 1)
        #expect(skips.filter { $0 == .s3TestEvent }.count == 1)
        #expect(skips.filter { $0 == .logDeliveryNotification }.count == 2)
    }

    @Test("a truncated trail file is reported with its line; records before the break are kept")
    func truncatedFile() throws {
        let json = """
            {"Records": [
            {"eventName": "CreateVpc", "eventSource": "ec2.amazonaws.com", "eventID": "1"},
            {"eventName": "DeleteVpc", "eventSource": "ec2.amazonaws.com", "even
            """
        let (records, malformed) = Fixtures.decode(json: json, name: "trail.json")
        #expect(records.count == 1)
        #expect(malformed.count == 1)
        #expect(malformed[0].location.line == 1)
        #expect(malformed[0].description.hasPrefix("trail.json:1"))
        #expect(malformed[0].reason.hasSuffix("at line 3"))
    }

    @Test("a record without eventName is malformed, and its neighbours survive")
    func recordWithoutName() {
        let json =
            #"{"Records":[{"eventSource":"ec2.amazonaws.com"},{"eventName":"CreateVpc","eventSource":"ec2.amazonaws.com"},42]}"#
        let (records, malformed) = Fixtures.decode(json: json)
        #expect(records.map(\.eventName) == ["CreateVpc"])
        #expect(malformed.count == 2)
        #expect(malformed[0].location.index == 0)
        #expect(malformed[1].location.index == 2)
    }

    @Test("corrupt gzip is an error naming the file")
    func corruptGzip() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("corrupt-\(UUID().uuidString).json.gz")
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02, 0x03]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: InputFiles.ReadError.self) { try InputFiles.read(url.path) }
        #expect(error?.path == url.path)
    }
}
