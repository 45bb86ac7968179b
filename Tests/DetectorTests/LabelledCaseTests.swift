import Detector
import Foundation
import Testing
import TfdriftCore

/// The labelled real trails (Tests/Fixtures/labelled, FORMAT.md there): every successful mutating call of
/// each case, with the line SPEC §4 says it must produce, against a Terraform state written from the
/// technique's main.tf. The detector runs as `replay` does (triage, the live picture, ordering across files)
/// and every label is checked; `scripts/labels/score.py` prints the same comparison for a built binary.
@Suite("labelled real trails")
struct LabelledCaseTests {
    static let root = Fixtures.repository.appendingPathComponent("Tests/Fixtures/labelled")

    /// Calls whose right line this build cannot produce yet, with why. Each one is a known gap, not a
    /// pass: the test fails when one starts to pass, so the list only shrinks.
    static let knownGaps: [String: String] = [
        // CloudTrail's default selectors (All + management events) are what the state's empty
        // event_selector means; the catalog does not know that equivalence, so the restore reads as a change.
        "3d6df238-f83c-4a34-bea8-45cf80a2050b": "PutEventSelectors back to the default is reported as a change"
    ]

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/labels.yaml").path)
        }.sorted()
    }

    struct Expectation {
        var eventID: String
        var outcome: String
        /// The label's reading, then its `also_accept` alternatives.
        var readings: [[String: [String]]]
    }

    static func labels(_ directory: URL) throws -> (records: [String], state: String, labels: [Expectation]) {
        let file = directory.appendingPathComponent("labels.yaml").path
        let root = try #require(try YAMLNode.root(yaml: String(contentsOfFile: file, encoding: .utf8), file: file))
        let fields = try root.fields(["case", "records", "state", "labels"])
        let records = try fields.required("records").list().map { try $0.string() }
        var labels: [Expectation] = []
        for node in try fields.required("labels").list() {
            let label = try node.fields([
                "event_id", "event_name", "outcome", "drift_type", "resource_type", "resource_id", "resolved_by", "also_accept",
                "why",
            ])
            func values(_ fields: Fields, _ key: String) throws -> [String]? {
                guard let value = fields[key] else { return nil }
                return value.isList ? try value.list().map { try $0.string() } : [try value.string()]
            }
            var reading: [String: [String]] = [:]
            for key in ["drift_type", "resource_type", "resource_id", "resolved_by"] { reading[key] = try values(label, key) }
            var readings = [reading]
            for alternative in try label["also_accept"]?.list() ?? [] {
                let alternativeFields = try alternative.fields(["drift_type", "resource_type", "resource_id", "resolved_by"])
                var merged = reading
                for key in ["drift_type", "resource_type", "resource_id", "resolved_by"] {
                    if let value = try values(alternativeFields, key) { merged[key] = value }
                }
                readings.append(merged)
            }
            labels.append(
                Expectation(
                    eventID: try label.required("event_id").string(), outcome: try label.required("outcome").string(),
                    readings: readings))
        }
        return (records.map { directory.appendingPathComponent($0).path }, try fields.required("state").string(), labels)
    }

    /// The drift lines of one case, replayed as `tfdriftctl replay` does.
    static func replay(_ directory: URL, records: [String], state: String) async throws -> [DriftEvent] {
        var source = StateSourceConfig(name: "default", backend: .local)
        source.localPath = directory.appendingPathComponent(state).path
        var config = TfdriftConfig()
        config.states = [source]
        let setup = try DetectorSetup(catalog: Fixtures.catalog, loaded: StateLoader.loadLocal(source))
        let sink = CollectingSink()
        let engine = DetectionEngine(
            evaluator: DriftEvaluator(catalog: setup.catalog, index: setup.index, config: config), sinks: [sink],
            reorderWindow: 3600)
        try await FileSource(paths: records).run(into: engine)
        await engine.finishInput()
        return await sink.events
    }

    static func matches(_ event: DriftEvent, _ expectation: Expectation) -> Bool {
        let action = expectation.outcome == "drift_resolved" ? DriftAction.resolved : .detected
        guard event.action == action else { return false }
        return expectation.readings.contains { reading in
            func accepts(_ key: String, _ value: String?) -> Bool {
                guard let allowed = reading[key] else { return true }
                return value.map(allowed.contains) ?? false
            }
            return accepts("drift_type", event.driftType.rawValue) && accepts("resource_type", event.resourceType)
                && accepts("resource_id", event.resourceID)
                && (action == .detected || accepts("resolved_by", event.resolvedBy?.rawValue))
        }
    }

    @Test("each case: every out-of-band call reported with its event id and the right line, nothing else", arguments: cases)
    func labelledCase(_ name: String) async throws {
        let directory = Self.root.appendingPathComponent(name)
        let (records, state, labels) = try Self.labels(directory)
        let events = try await Self.replay(directory, records: records, state: state)
        let byID = Dictionary(grouping: events) { $0.eventID ?? "" }
        let carried = Set(events.flatMap(\.eventIDs))
        let silent = Set(labels.filter { ["expected_change", "none"].contains($0.outcome) }.map(\.eventID))
        let labelled = Set(labels.map(\.eventID))
        for label in labels {
            let lines = byID[label.eventID] ?? []
            let gap = Self.knownGaps[label.eventID]
            switch label.outcome {
            case "drift_detected", "drift_resolved":
                let exact = lines.count == 1 && Self.matches(lines[0], label)
                if let gap {
                    #expect(!exact, "\(name): \(label.eventID) now passes; remove it from knownGaps (\(gap))")
                } else {
                    #expect(
                        exact,
                        "\(name): \(label.eventID) \(label.outcome) \(label.readings[0]); got \(lines.map { $0.jsonLine() })")
                }
            case "repeat":
                #expect(
                    lines.isEmpty && carried.contains(label.eventID), "\(name): repeat \(label.eventID) must ride in event_ids")
            default:
                #expect(
                    lines.isEmpty,
                    "\(name): \(label.eventID) must stay silent (\(label.outcome)); got \(lines.map { $0.jsonLine() })")
            }
        }
        // No line for a record that is not a labelled out-of-band change (read-only, failed, Terraform's own).
        let unexpected = events.filter { event in
            guard let id = event.eventID else { return true }
            return silent.contains(id) || !labelled.contains(id)
        }
        #expect(unexpected.isEmpty, "\(name): false alerts \(unexpected.map { $0.jsonLine() })")
    }
}
