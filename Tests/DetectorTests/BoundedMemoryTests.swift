import Foundation
import Testing
import TfdriftCore

@testable import Detector

/// The evaluator's memories must not grow with every record a long-running detector sees.
@Suite("bounded detection memory")
struct BoundedMemoryTests {
    @Test("event ids: UUIDs are one key in either case, other ids are kept verbatim, the oldest are forgotten")
    func recentEventIDs() {
        var ids = RecentEventIDs(capacity: 3)
        func insert(_ id: String) -> Bool { ids.insert(id) }
        #expect(insert("9fd68588-ecbf-4528-a345-199fa6bb0821"))
        #expect(!insert("9FD68588-ECBF-4528-A345-199FA6BB0821"))
        #expect(insert("9fd68588-ecbf-4528-a345-199fa6bb0822"))
        #expect(insert("falco-1"))
        #expect(!insert("falco-1"))
        #expect(ids.count == 3)
        // A fourth id pushes out the first; it is new again.
        #expect(insert("falco-2"))
        #expect(ids.count == 3)
        #expect(insert("9fd68588-ecbf-4528-a345-199fa6bb0821"))
        #expect(!insert("falco-2"))
        // Almost-UUIDs are not mistaken for the UUID they resemble.
        #expect(RecentEventIDs.Key("9fd68588-ecbf-4528-a345-199fa6bb082g") == .text("9fd68588-ecbf-4528-a345-199fa6bb082g"))
        #expect(RecentEventIDs.Key("9fd68588xecbf-4528-a345-199fa6bb0821") == .text("9fd68588xecbf-4528-a345-199fa6bb0821"))
        #expect(
            RecentEventIDs.Key("00000000-0000-0000-0000-000000000001")
                != RecentEventIDs.Key("00000000-0000-0001-0000-000000000000"))
    }

    @Test("uncovered event names are counted by name up to a bound, then together")
    func uncoveredBound() throws {
        var evaluator = try StateBuilder().evaluator()
        let total = DriftEvaluator.maxUncoveredNames + 50
        for n in 0..<total {
            let json =
                #"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"example.amazonaws.com","eventName":"MadeUpCall\#(n)","eventID":"u-\#(n)","readOnly":false,"eventType":"AwsApiCall","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/a"}}"#
            let records = Fixtures.decode(json: json).records
            try #require(records.count == 1)
            let events = evaluator.evaluate(records[0])
            #expect(events.isEmpty)
        }
        #expect(evaluator.summary.skipped["not_in_catalog"] == total)
        #expect(evaluator.summary.uncoveredEvents.count == DriftEvaluator.maxUncoveredNames + 1)
        #expect(evaluator.summary.uncoveredEvents[DriftEvaluator.otherUncovered] == 50)
        #expect(evaluator.summary.uncoveredEvents.values.reduce(0, +) == total)
    }
}
