import Detector
import Foundation
import GrafanaProvision
import TfdriftCore

/// `state.*` and `coverage.*`: the states load, how many resources, how fast (seed 2.2), how fresh,
/// and which of their resource types the event catalog can observe (seed 1.3).
struct StateChecks {
    let context: DoctorContext
    let readiness: DetectorReadiness?

    struct Loaded {
        var states: [StateLoader.Loaded] = []
        var failures: [String] = []
        var notRead: [String] = []
    }

    func load() -> Loaded {
        var loaded = Loaded()
        for source in context.config.states {
            switch source.backend {
            case .local:
                do {
                    loaded.states += try StateLoader.loadLocal(source)
                } catch {
                    loaded.failures.append("\(source.name): \(error)")
                }
            case .s3:
                loaded.notRead.append("\(source.name): s3://\(source.bucket ?? "")/\(source.key ?? "")")
            }
        }
        return loaded
    }

    func run(_ recorder: Recorder) async {
        let stateIDs = ["state.loads", "state.resource_count", "state.load_time", "coverage.resource_types"]
        guard !context.config.states.isEmpty else {
            for id in stateIDs {
                recorder.skip(
                    id, evidence: "no Terraform state configured",
                    fix:
                        "set providers.aws.state.local_path (or providers.aws.states): without a state every change is \"unmanaged\""
                )
            }
            await recorder.check("state.freshness") { freshness() }
            return
        }
        let loaded = load()
        let notReadText =
            loaded.notRead.isEmpty
            ? ""
            : "; not read by doctor (S3 backends are read by the running detector): \(loaded.notRead.joined(separator: ", "))"
        await recorder.check("state.loads") {
            if !loaded.failures.isEmpty {
                return .fail(
                    loaded.failures.joined(separator: "; ") + notReadText,
                    fix:
                        "fix the path or the file (tfdriftctl state inspect shows the same error); a detector keeps the last good state"
                )
            }
            if loaded.states.isEmpty {
                return .manual(
                    "no local state to read" + notReadText,
                    fix: "check the running detector: /readyz state.loaded, or run doctor with --detector-url")
            }
            let names = loaded.states.map {
                "\($0.state.name) (\($0.state.origin), serial \($0.state.serial.map(String.init) ?? "?"))"
            }
            return .pass("loaded \(Text.count(loaded.states.count, "state")): \(names.joined(separator: ", "))" + notReadText)
        }
        let total = loaded.states.reduce(0) { $0 + $1.state.instances.count }
        await recorder.check("state.resource_count") {
            guard !loaded.states.isEmpty else { return .skip("no state loaded") }
            let perState = loaded.states.map { "\($0.state.name) \($0.state.instances.count)" }.joined(separator: ", ")
            if total > 10_000 {
                return .warn(
                    "\(Text.count(total, "managed resource instance")) (\(perState)); the seed calls > 10,000 a large environment that needs performance verification",
                    fix: "split the state by component or account, and watch tfdrift_state_load_seconds and memory")
            }
            return .pass("\(Text.count(total, "managed resource instance")) (\(perState))")
        }
        await recorder.check("state.load_time") {
            guard !loaded.states.isEmpty else { return .skip("no state loaded") }
            let slowest = loaded.states.max { $0.seconds < $1.seconds }!
            let evidence =
                "slowest: \(slowest.state.name) \(Text.seconds(slowest.seconds)) for \(Text.bytes(slowest.state.byteCount)), \(slowest.state.instances.count) instances (measured now, on this host)"
            if slowest.seconds <= 5 { return .pass(evidence + "; ideal ≤ 5 s") }
            if slowest.seconds <= 30 {
                return .warn(evidence + "; above the 5 s ideal", fix: "consider splitting the state (seed 2.2)")
            }
            return .fail(evidence + "; above 30 s", fix: "split the state: one state per component or account (seed 2.2)")
        }
        await recorder.check("state.freshness") { freshness() }
        await recorder.check("coverage.resource_types") { coverage(loaded) }
    }

    func freshness() -> Outcome {
        guard let readiness else {
            return .skip(
                "no running detector to ask (pass --detector-url)", fix: "tfdriftctl doctor --detector-url https://detector:8080")
        }
        guard let state = readiness.body["state"]?.objectValue else {
            return .fail("/readyz has no state section: \(readiness.summary)", fix: "upgrade the detector")
        }
        if state["loaded"]?.boolValue == false, !context.config.states.isEmpty {
            return .fail("the detector has not loaded its state (/readyz state.loaded = false)", fix: "see the detector's logs")
        }
        if let error = state["error"]?.stringValue {
            return .fail(
                "the last state reload failed: \(error); the detector judges against the last good state",
                fix: "fix the state source; POST /api/v1/reload-state retries immediately")
        }
        guard let lastText = state["last_success"]?.stringValue, let last = Timestamp.parse(lastText) else {
            return context.config.states.isEmpty
                ? .skip("the detector has no state configured") : .warn("/readyz reports no successful load time", fix: "")
        }
        let age = context.now.timeIntervalSince(last)
        let interval = context.config.stateReloadInterval
        let evidence =
            "last successful load \(lastText), \(Text.duration(max(age, 0))) ago; reload interval \(Text.duration(interval))"
        if age > max(1800, 2 * interval) {
            return .warn(
                evidence,
                fix:
                    "states reload when their content changes; call POST /api/v1/reload-state after terraform apply in CI (seed 1.5)"
            )
        }
        return .pass(evidence)
    }

    func coverage(_ loaded: Loaded) -> Outcome {
        guard !loaded.states.isEmpty else { return .skip("no state loaded") }
        let catalog: EventCatalog
        do {
            catalog = try CatalogLoader.load(extraPaths: context.config.detection.catalogPaths)
        } catch {
            return .fail("the event catalog does not load: \(error)", fix: "fix detection.catalog_paths")
        }
        var counts: [String: Int] = [:]
        for state in loaded.states {
            for (type, count) in state.state.resourceCountsByType { counts[type, default: 0] += count }
        }
        let observable = catalog.observableResourceTypes
        let uncovered = counts.keys.filter { !observable.contains($0) }.sorted()
        let covered = counts.count - uncovered.count
        guard !uncovered.isEmpty else {
            return .pass(
                "all \(Text.count(counts.count, "resource type")) in the states are observed by the catalog (\(catalog.count) calls)"
            )
        }
        let byService = Dictionary(grouping: uncovered, by: CoverageReport.service(of:)).sorted { $0.key < $1.key }
        let listing = byService.map { service, types in
            "\(service): "
                + types.map { "\($0) (\(counts[$0] ?? 0))\(CoverageReport.isSecurityCritical($0) ? " [security-critical]" : "")" }
                .joined(separator: ", ")
        }
        let critical = uncovered.filter(CoverageReport.isSecurityCritical)
        let evidence =
            "\(covered) of \(counts.count) resource types observed; not observed, by service — \(listing.joined(separator: "; "))"
        if !critical.isEmpty {
            return .fail(
                evidence,
                fix:
                    "changes to \(critical.joined(separator: ", ")) go unseen: add catalog entries (detection.catalog_paths, see docs/event-catalog.md) or cover them with AWS Config rules / GuardDuty (seed 1.3)"
            )
        }
        return .warn(
            evidence,
            fix:
                "changes to these types go unseen: add catalog entries (detection.catalog_paths) or accept the gap knowingly (seed 1.3)"
        )
    }
}

/// `sample.events` (final checklist item 2): bundled CloudTrail records through the configured
/// detection pipeline, in process, against a bundled state. Nothing leaves the process.
struct SampleChecks {
    let context: DoctorContext

    struct Expected {
        var eventID: String
        var driftType: String
        var resourceType: String
        var resourceID: String
        var why: String
    }

    /// The sample files, compiled into the binary from `Sources/Doctor/Resources/samples`.
    static func sample(_ file: String) -> Data? { EmbeddedResources.data("samples/\(file)") }

    func run(_ recorder: Recorder) async {
        await recorder.check("sample.events") { await sample() }
    }

    func sample() async -> Outcome {
        guard let expectedData = Self.sample("expected.json"), let stateData = Self.sample("terraform.tfstate"),
            let trail = Self.sample("cloudtrail.json"),
            let expectedJSON = try? JSONValue.parse([UInt8](expectedData))
        else {
            return .fail("the built-in samples are missing from this build", fix: "rebuild tfdriftctl from a complete checkout")
        }
        func text(_ item: JSONValue, _ key: String) -> String { item[key]?.stringValue ?? "" }
        let expected: [Expected] = (expectedJSON["expected"]?.arrayValue ?? []).map {
            Expected(
                eventID: text($0, "event_id"), driftType: text($0, "drift_type"), resourceType: text($0, "resource_type"),
                resourceID: text($0, "resource_id"), why: text($0, "why"))
        }
        let quiet = (expectedJSON["no_drift"]?.arrayValue ?? []).map { (text($0, "event_id"), text($0, "why")) }
        let config = context.config
        let catalog: EventCatalog
        let index: StateIndex
        do {
            catalog = try CatalogLoader.load(extraPaths: config.detection.catalogPaths)
            let state = try StateParser.parse(
                JSONBytes(stateData), name: "doctor-sample", origin: "built-in samples/terraform.tfstate")
            index = StateIndex(states: [state])
        } catch {
            return .fail("cannot set up the sample run: \(error)", fix: "fix detection.catalog_paths")
        }
        let sink = CollectingSink()
        let engine = DetectionEngine(evaluator: DriftEvaluator(catalog: catalog, index: index, config: config), sinks: [sink])
        await engine.process(
            RecordBatch.decoding(JSONBytes(trail), name: "built-in samples/cloudtrail.json", source: "file"), now: context.now)
        let events = await sink.events
        let summary = await engine.summary
        var missing: [String] = []
        var found: [String] = []
        for item in expected {
            if let event = events.first(where: {
                $0.eventID == item.eventID && $0.driftType.rawValue == item.driftType && $0.resourceType == item.resourceType
                    && $0.resourceID == item.resourceID
            }) {
                found.append("\(item.driftType) \(item.resourceType) \(item.resourceID) [\(event.severity.rawValue)]")
            } else {
                missing.append("\(item.driftType) \(item.resourceType) \(item.resourceID) (\(item.why))")
            }
        }
        let unexpected = quiet.filter { id, _ in events.contains { $0.eventID == id } }.map { "\($0.1) produced a drift event" }
        let evidence =
            "\(summary.records) records → \(summary.mutating) mutating, \(summary.expectedChanges) expected (Terraform/CI), \(summary.driftEvents) drift events; "
        if !missing.isEmpty || !unexpected.isEmpty {
            let detail = (missing.map { "missing: \($0)" } + unexpected).joined(separator: "; ")
            return .warn(
                evidence + detail,
                fix:
                    "your detection rules change what the samples produce (ignore rules, report_unmanaged, expected_actors); check that is intended with tfdriftctl replay"
            )
        }
        return .pass(
            evidence + "as expected: " + found.joined(separator: ", ")
                + "; Terraform's own call and the read-only call produced none")
    }
}
