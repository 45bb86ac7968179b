import Foundation
import TfdriftCore

/// Applies mutating calls, in order, to the live picture of the resources they touch, and says what
/// each one produced (SPEC §4 "Every out-of-band change is accounted for"):
///
/// - a `drift_detected` line when the call moves the resource (or one attribute) away from the state,
///   or to a new value while it is drifted, or creates or changes a resource no state manages;
/// - a `drift_resolved` line when it returns what it changed to the state (`revert`), or deletes a
///   resource no state manages (`deleted`);
/// - nothing for an exact repeat of what the picture holds: the repeat's id rides on the next line
///   about the resource.
///
/// It is a value type used from one task at a time (the engine); `RecordTriage` does the stateless
/// first look.
public struct DriftEvaluator: Sendable {
    public var triage: RecordTriage
    public internal(set) var index: StateIndex
    let severityPolicy: SeverityPolicy
    let windows: [MaintenanceWindow]
    let reportUnmanaged: Bool
    /// Exact repeats older than this are reported again (the dedup window).
    let repeatWindow: Double

    public internal(set) var summary = DetectionSummary()
    public internal(set) var picture: LivePicture
    /// Bounded, so a detector that runs for months stays the size it was on day one.
    var seenEventIDs = RecentEventIDs(capacity: 250_000)
    /// Whether `evaluate` explains what became of each mutating record (`replay --explain`).
    public var explains = false

    /// Distinct uncovered `source:name` pairs kept by name; the rest are counted under `otherUncovered`.
    static let maxUncoveredNames = 2_000
    static let otherUncovered = "(other event names)"

    public init(catalog: EventCatalog, index: StateIndex, config: TfdriftConfig, pictureCapacity: Int? = nil) {
        triage = RecordTriage(catalog: catalog, config: config)
        self.index = index
        severityPolicy = SeverityPolicy(userRules: config.detection.severityRules)
        windows = config.maintenanceWindows
        reportUnmanaged = config.detection.reportUnmanaged
        repeatWindow = config.detection.dedupWindow
        picture = LivePicture(capacity: pictureCapacity ?? config.detection.pictureMaxResources)
    }

    public var catalog: EventCatalog { triage.catalog }

    /// Continues from a picture kept by an earlier process (`run` restarted).
    public mutating func restore(_ saved: LivePicture) {
        var restored = LivePicture(capacity: picture.capacity)
        for key in saved.keysByTouch { if let resource = saved[key] { restored.store(resource, under: key) } }
        picture = restored
    }
    public var since: Date? {
        get { triage.since }
        set { triage.since = newValue }
    }
    public var until: Date? {
        get { triage.until }
        set { triage.until = newValue }
    }

    /// What one record produced.
    public struct Outcome: Sendable {
        public var events: [DriftEvent] = []
        /// With `explains`: one per mutating record.
        public var explanation: Explanation?
    }

    // MARK: Counting

    /// What a batch's input held besides records: malformed and unreadable inputs, skipped ones.
    mutating func countInput(_ batch: RecordBatch) {
        summary.malformed += batch.malformedCount
        summary.unreadable += batch.unreadable.count
        for (reason, count) in batch.skips { summary.skip(input: reason, count: count) }
    }

    /// Counts a triage verdict; returns the explanation of a mutating record that stops there.
    mutating func count(_ verdict: RecordTriage.Verdict, record: CloudTrailRecord) -> Explanation? {
        summary.records += 1
        if verdict.isMutating { summary.mutating += 1 }
        switch verdict {
        case .skip(let reason):
            summary.skip(reason)
            return verdict.isMutating ? explain(record, .skipped(reason), "") : nil
        case .notInCatalog(var uncovered):
            summary.skip(.notInCatalog)
            let shown = uncovered
            if summary.uncoveredEvents.count >= Self.maxUncoveredNames, summary.uncoveredEvents[uncovered] == nil {
                uncovered = Self.otherUncovered
            }
            summary.uncoveredEvents[uncovered, default: 0] += 1
            return explain(record, .skipped(.notInCatalog), "\(shown) is not in the event catalog")
        case .expected:
            summary.expectedChanges += 1
            return explain(record, .expectedChange, "Terraform's own call or a configured CI actor")
        case .candidate:
            return nil
        }
    }

    func explain(_ record: CloudTrailRecord, _ outcome: Explanation.Outcome, _ detail: String, resource: String? = nil)
        -> Explanation?
    {
        guard explains else { return nil }
        return Explanation(record: record, outcome: outcome, detail: detail, resource: resource)
    }

    // MARK: Evaluation

    /// Triage and application in one step, for one record (the engine splits them to order a batch).
    public mutating func evaluate(_ record: CloudTrailRecord, now: Date = Date()) -> [DriftEvent] {
        outcome(of: record, now: now).events
    }

    public mutating func outcome(of record: CloudTrailRecord, now: Date = Date()) -> Outcome {
        let verdict = triage.triage(record)
        if let explanation = count(verdict, record: record) { return Outcome(explanation: explanation) }
        guard case .candidate(let candidate) = verdict else { return Outcome() }
        return apply(candidate, now: now)
    }

    /// Applies one mapped call to the live picture.
    public mutating func apply(_ candidate: RecordTriage.Candidate, now: Date) -> Outcome {
        let record = candidate.record
        if let id = record.eventID, !seenEventIDs.insert(id) {
            summary.skip(.duplicateEvent)
            return Outcome(explanation: explain(record, .skipped(.duplicateEvent), "the same eventID was seen before"))
        }
        let payload = CallPayload(record)
        let account = record.recipientAccountID
        let call = Call(candidate: candidate, payload: payload, eventTime: record.eventDate ?? now, now: now)

        // Managed resources first: every target whose identifier the state knows.
        var outcome = Outcome()
        var anyIdentifier = false
        for target in candidate.entry.targets {
            var matched = false
            for id in payload.identifiers(for: target) {
                anyIdentifier = true
                for reference in lookup(type: target.resourceType, id: id, account: account) {
                    matched = true
                    outcome.merge(applyManaged(call, target: target, id: id, reference: reference))
                }
            }
            if matched { return finish(outcome, call) }
        }
        guard anyIdentifier else {
            summary.skip(.noIdentifier)
            return Outcome(
                explanation: explain(record, .skipped(.noIdentifier), "the call carries none of the catalog's identifier paths"))
        }
        guard reportUnmanaged else {
            summary.skip(.unmanagedNotReported)
            return Outcome(explanation: explain(record, .skipped(.unmanagedNotReported), "detection.report_unmanaged is off"))
        }
        let target = candidate.entry.targets.first { !payload.identifiers(for: $0).isEmpty } ?? candidate.entry.targets[0]
        for id in payload.identifiers(for: target) {
            outcome.merge(applyUnmanaged(call, target: target, id: id))
        }
        return finish(outcome, call)
    }

    func finish(_ outcome: Outcome, _ call: Call) -> Outcome {
        var outcome = outcome
        if explains, outcome.explanation == nil { outcome.explanation = explain(call.record, .skipped(.noEffectiveChange), "") }
        return outcome
    }

    func lookup(type: String, id: String, account: String?) -> [StateIndex.Reference] {
        let found = index.lookup(type: type, identifier: id, accountID: account)
        if !found.isEmpty || !id.hasPrefix("arn:") { return found }
        // An ARN the state does not hold verbatim: try its resource name (`…:function:name`, `…/name`).
        let name = LivePicture.shortIdentifier(id)
        return name == id ? [] : index.lookup(type: type, identifier: name, accountID: account)
    }

    /// One call as the picture sees it.
    struct Call {
        let candidate: RecordTriage.Candidate
        let payload: CallPayload
        let eventTime: Date
        let now: Date
        var record: CloudTrailRecord { candidate.record }
        var entry: CatalogEntry { candidate.entry }
    }

    // MARK: Managed resources

    mutating func applyManaged(_ call: Call, target: CatalogTarget, id: String, reference: StateIndex.Reference) -> Outcome {
        let instance = index.instance(reference)
        let stateName = index.states[reference.state].name
        let address = instance.displayAddress
        let key = LivePicture.managedKey(state: stateName, address: address)
        var resource =
            picture[key]
            ?? LivePicture.Resource(
                resourceType: instance.type, resourceID: id, state: stateName, address: address,
                accountID: call.record.recipientAccountID ?? instance.accountID)
        if ignored(call, resourceType: instance.type, address: address) { return ignoredOutcome(call) }
        let subject = Subject(key: key, type: instance.type, id: id, address: address, state: stateName)

        switch target.change ?? call.entry.change {
        case .delete:
            if resource.exists == false { return repeated(call, &resource, subject) }
            resource.exists = false
            return line(call, &resource, subject, .detected, .deleted, diff: [:], why: "the managed resource was deleted")
        case .create where resource.exists == false:
            resource.exists = nil
            return line(
                call, &resource, subject, .resolved(.revert), .deleted, diff: [:], why: "the deleted resource was created again")
        case .create, .modify:
            let effects = DiffBuilder.effects(
                mappings: target.diff, payload: call.payload, instance: instance, current: resource.observed)
            return applyEffects(call, effects, target: target, &resource, subject, instance: instance)
        }
    }

    // MARK: Unmanaged resources

    mutating func applyUnmanaged(_ call: Call, target: CatalogTarget, id: String) -> Outcome {
        let account = call.record.recipientAccountID ?? call.candidate.actor.accountID
        let key = LivePicture.unmanagedKey(type: target.resourceType, id: id, account: account)
        var resource =
            picture[key]
            ?? LivePicture.Resource(resourceType: target.resourceType, resourceID: id, accountID: account)
        if ignored(call, resourceType: target.resourceType, address: nil) { return ignoredOutcome(call) }
        let subject = Subject(key: key, type: target.resourceType, id: id, address: nil, state: nil)

        switch target.change ?? call.entry.change {
        case .delete:
            if resource.exists == false { return repeated(call, &resource, subject) }
            resource.exists = false
            return line(
                call, &resource, subject, .resolved(.deleted), .unmanaged, diff: [:],
                why: "a resource no state manages was deleted")
        case .create:
            if resource.exists == true, resource.observed.isEmpty, !resource.opaque { return repeated(call, &resource, subject) }
            resource.exists = true
            let effects = DiffBuilder.effects(
                mappings: target.diff, payload: call.payload, instance: nil, current: resource.observed)
            for effect in effects {
                resource.observed[effect.attribute] = effect.value ?? .null
                resource.shapes[effect.attribute] = effect.shape
            }
            return line(call, &resource, subject, .detected, .unmanaged, diff: [:], why: "no state manages the resource")
        case .modify:
            let effects = DiffBuilder.effects(
                mappings: target.diff, payload: call.payload, instance: nil, current: resource.observed)
            return applyEffects(call, effects, target: target, &resource, subject, instance: nil)
        }
    }

    // MARK: Attribute changes

    /// A modification: values against the picture (a repeat?) and against the state (a revert?).
    mutating func applyEffects(
        _ call: Call, _ effects: [AttributeEffect], target: CatalogTarget, _ resource: inout LivePicture.Resource,
        _ subject: Subject, instance: ResourceInstance?
    ) -> Outcome {
        let driftType: DriftType = subject.address == nil ? .unmanaged : .modified
        guard !effects.isEmpty else {
            // The call changed something no mapping values: always its own line.
            resource.opaque = true
            if resource.stateFingerprint == nil { resource.stateFingerprint = instance.map(LivePicture.fingerprint) }
            var outcome = line(
                call, &resource, subject, .detected, driftType, diff: [:],
                why: target.diff.isEmpty ? "the catalog values no attribute of this call" : "the call does not carry the values")
            if !target.diff.isEmpty { outcome.events[outcome.events.count - 1].reason = "diff_unavailable" }
            return outcome
        }
        var changed: [AttributeEffect] = []
        for effect in effects {
            let current = resource.observed[effect.attribute] ?? effect.expected
            if let value = effect.value, !effect.removedUnknown, value.looselyEquals(current) { continue }
            changed.append(effect)
        }
        guard !changed.isEmpty else {
            // Exactly what the picture holds already.
            return resource.isDrifted || !resource.repeats.isEmpty
                ? repeated(call, &resource, subject) : noEffectiveChange(call)
        }
        for effect in changed {
            resource.expected[effect.attribute] = effect.expected
            resource.shapes[effect.attribute] = effect.shape
            if let value = effect.value {
                resource.observed[effect.attribute] = value
            } else {
                resource.opaque = true
                if resource.stateFingerprint == nil { resource.stateFingerprint = instance.map(LivePicture.fingerprint) }
            }
        }
        let diff = Dictionary(uniqueKeysWithValues: changed.map { ($0.attribute, $0.change) })
        let restored = changed.allSatisfy { effect in
            guard let value = effect.value else { return false }
            return value.looselyEquals(effect.expected)
        }
        if restored {
            let names = changed.map(\.attribute).sorted().joined(separator: ", ")
            return line(
                call, &resource, subject, .resolved(.revert), driftType, diff: diff,
                why: "\(names) back to what \(subject.address == nil ? "it was before" : "the state says")")
        }
        return line(call, &resource, subject, .detected, driftType, diff: diff, why: "")
    }

    // MARK: Lines

    struct Subject {
        let key: String
        let type: String
        let id: String
        let address: String?
        let state: String?
    }

    enum Action {
        case detected
        case resolved(ResolvedBy)
    }

    /// A line about `subject`: built, counted, remembered in the picture with the repeats it carries.
    mutating func line(
        _ call: Call, _ resource: inout LivePicture.Resource, _ subject: Subject, _ action: Action, _ type: DriftType,
        diff: [String: AttributeChange], why: String
    ) -> Outcome {
        var event = makeEvent(call, type: type, subject: subject, diff: diff)
        event.eventIDs = resource.repeats
        resource.repeats = []
        switch action {
        case .detected:
            event.message = Self.message(event, subject: subject)
        case .resolved(let how):
            event.action = .resolved
            event.resolvedBy = how
            event.message = Self.resolutionMessage(event, subject: subject, how: how)
        }
        summary.count(event)
        var slim = event
        slim.message = ""
        resource.lastLine = slim
        resource.lastLineAt = call.eventTime
        if resource.isDrifted {
            picture.store(resource, under: subject.key)
        } else {
            picture.remove(subject.key)
        }
        let outcome: Explanation.Outcome = event.action == .resolved ? .resolved : .detected
        return Outcome(
            events: [event],
            explanation: explain(call.record, outcome, why, resource: "\(subject.address ?? subject.type) \(subject.id)"))
    }

    /// An exact repeat: no line, unless the last line about the resource is older than the dedup window.
    mutating func repeated(_ call: Call, _ resource: inout LivePicture.Resource, _ subject: Subject) -> Outcome {
        if let last = resource.lastLineAt, abs(call.eventTime.timeIntervalSince(last)) >= repeatWindow,
            let previous = resource.lastLine
        {
            // Still drifted, and said long enough ago to be worth saying again.
            return line(
                call, &resource, subject, .detected, previous.driftType, diff: previous.diff,
                why: "a repeat outside the dedup window")
        }
        summary.skip(.duplicateDrift)
        if let id = call.record.eventID { resource.repeats.append(id) }
        picture.store(resource, under: subject.key)
        return Outcome(
            explanation: explain(
                call.record, .repeat, "the resource already holds exactly this; the id rides on its next line",
                resource: "\(subject.address ?? subject.type) \(subject.id)"))
    }

    mutating func noEffectiveChange(_ call: Call) -> Outcome {
        summary.skip(.noEffectiveChange)
        return Outcome(
            explanation: explain(call.record, .skipped(.noEffectiveChange), "the call set what the state already says"))
    }

    func ignored(_ call: Call, resourceType: String, address: String?) -> Bool {
        triage.actorRules.ignoreRule(
            actor: call.candidate.actor, eventName: call.record.eventName, resourceType: resourceType, address: address) != nil
    }

    mutating func ignoredOutcome(_ call: Call) -> Outcome {
        summary.skip(.ignoredByRule)
        return Outcome(explanation: explain(call.record, .skipped(.ignoredByRule), "an ignore rule matches"))
    }

    func makeEvent(_ call: Call, type: DriftType, subject: Subject, diff: [String: AttributeChange]) -> DriftEvent {
        let severity = severityPolicy.severity(
            catalogOverride: call.entry.severity, resourceType: subject.type, driftType: type, attributes: Array(diff.keys))
        let window = windows.first { $0.contains(call.eventTime) }?.name
        let record = call.record
        return DriftEvent(
            timestamp: call.eventTime, detectedAt: call.now, driftType: type, severity: severity,
            resourceType: subject.type, resourceID: subject.id, resourceAddress: subject.address, state: subject.state,
            diff: diff, actor: call.candidate.actor, eventName: record.eventName, eventSource: call.candidate.source,
            eventID: record.eventID, region: record.awsRegion,
            accountID: record.recipientAccountID ?? call.candidate.actor.accountID,
            maintenanceWindow: window, message: "")
    }

    static func message(_ event: DriftEvent, subject: Subject) -> String {
        let name = subject.address.map { "\($0) (\(subject.id))" } ?? "\(subject.type) \(subject.id)"
        let actor = event.changedBy
        switch event.driftType {
        case .deleted: return "\(name) was deleted outside Terraform by \(actor) (\(event.eventName))"
        case .unmanaged: return "\(name) is not managed by Terraform; changed by \(actor) (\(event.eventName))"
        case .modified:
            let attributes = event.diff.keys.sorted()
            let what = attributes.isEmpty ? "" : ": \(attributes.joined(separator: ", ")) changed"
            return "\(name) was modified outside Terraform by \(actor) (\(event.eventName))\(what)"
        }
    }

    static func resolutionMessage(_ event: DriftEvent, subject: Subject, how: ResolvedBy) -> String {
        let name = subject.address.map { "\($0) (\(subject.id))" } ?? "\(subject.type) \(subject.id)"
        let actor = event.changedBy
        switch how {
        case .deleted: return "\(name), which no state manages, was deleted by \(actor) (\(event.eventName)): drift resolved"
        case .revert:
            let attributes = event.diff.keys.sorted()
            let what = attributes.isEmpty ? "" : " (\(attributes.joined(separator: ", ")))"
            return "\(name) was returned to what Terraform's state says\(what) by \(actor) (\(event.eventName)): drift resolved"
        case .stateReload: return "\(name): drift resolved by a state reload"
        }
    }
}

extension DriftEvaluator.Outcome {
    mutating func merge(_ other: DriftEvaluator.Outcome) {
        events += other.events
        if explanation == nil { explanation = other.explanation }
    }
}
