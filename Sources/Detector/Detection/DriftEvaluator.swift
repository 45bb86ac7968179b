import Foundation
import TfdriftCore

/// Decides, record by record, whether a CloudTrail call is drift, and builds the drift events.
///
/// Evaluation is a function of (record, state index, catalog, rules) plus two pieces of memory:
/// recently seen event ids (duplicate deliveries) and recent drifts (the dedup window). It is a value
/// type used from one task at a time; the service wraps it in an actor.
public struct DriftEvaluator: Sendable {
    public let catalog: EventCatalog
    public private(set) var index: StateIndex
    let severityPolicy: SeverityPolicy
    let actorRules: ActorRules
    let windows: [MaintenanceWindow]
    let reportUnmanaged: Bool
    /// Accounts to process (organisation trails); empty processes all.
    let accountFilter: Set<String>
    public var since: Date?
    public var until: Date?

    public private(set) var summary = DetectionSummary()
    // Both memories are bounded, so a detector that runs for months stays the size it was on day one.
    var seenEventIDs = RecentEventIDs(capacity: 250_000)
    var recentDrifts: RecentDrifts
    /// Distinct uncovered `source:name` pairs kept by name; the rest are counted under `otherUncovered`.
    static let maxUncoveredNames = 2_000
    static let otherUncovered = "(other event names)"

    public init(catalog: EventCatalog, index: StateIndex, config: TfdriftConfig) {
        recentDrifts = RecentDrifts(window: config.detection.dedupWindow, capacity: 100_000)
        self.catalog = catalog
        self.index = index
        severityPolicy = SeverityPolicy(userRules: config.detection.severityRules)
        actorRules = ActorRules(
            expectedActors: config.detection.expectedActors, expectedUserAgents: config.detection.expectedUserAgents,
            ignoreRules: config.detection.ignoreRules)
        windows = config.maintenanceWindows
        reportUnmanaged = config.detection.reportUnmanaged
        accountFilter = Set(config.cloudTrail.accounts)
    }

    /// Replaces the state index (after a reload); the dedup memory is kept.
    public mutating func replaceIndex(_ newIndex: StateIndex) { index = newIndex }

    /// What a batch's input held besides records: malformed and unreadable inputs, skipped ones.
    mutating func countInput(_ batch: RecordBatch) {
        summary.malformed += batch.malformedCount
        summary.unreadable += batch.unreadable.count
        for (reason, count) in batch.skips { summary.skip(input: reason, count: count) }
    }

    /// Read-only calls by naming convention, for records without `readOnly` (Falco alerts, old events).
    static let readOnlyPrefixes = [
        "Get", "Describe", "List", "Head", "Lookup", "Search", "BatchGet", "Check", "Test", "Preview", "Validate",
        "Estimate", "Download", "Poll", "Select", "Query", "Scan", "Decrypt", "Encrypt", "GenerateDataKey",
    ]

    // MARK: Evaluation

    public mutating func evaluate(_ record: CloudTrailRecord, now: Date = Date()) -> [DriftEvent] {
        summary.records += 1
        // Cheapest checks first: most records are read-only or failed calls and are dropped here
        // without a single string being decoded.
        if record.hasErrorCode {
            summary.skip(.failedCall)
            return []
        }
        if !record.isAPICall {
            summary.skip(.notAPICall)
            return []
        }
        if record.readOnly == true {
            summary.skip(.readOnly)
            return []
        }
        let eventTime = record.eventDate
        if let eventTime {
            if let since, eventTime < since {
                summary.skip(.outOfTimeRange)
                return []
            }
            if let until, eventTime >= until {
                summary.skip(.outOfTimeRange)
                return []
            }
        }

        let name = EventCatalog.normalisedEventName(record.eventName)
        let recordSource = record.eventSource
        let source = recordSource.isEmpty ? catalog.uniqueSource(forName: name) ?? "" : recordSource
        let entry = catalog.entry(source: source, name: name)
        if entry == nil, record.readOnly == nil, Self.readOnlyPrefixes.contains(where: { name.hasPrefix($0) }) {
            summary.skip(.readOnly)
            return []
        }
        summary.mutating += 1
        if let id = record.eventID, !seenEventIDs.insert(id) {
            summary.skip(.duplicateEvent)
            return []
        }
        guard let entry else {
            summary.skip(.notInCatalog)
            var uncovered = "\(source.isEmpty ? "?" : source):\(name)"
            if summary.uncoveredEvents.count >= Self.maxUncoveredNames, summary.uncoveredEvents[uncovered] == nil {
                uncovered = Self.otherUncovered
            }
            summary.uncoveredEvents[uncovered, default: 0] += 1
            return []
        }
        let account = record.recipientAccountID
        if !accountFilter.isEmpty, let account, !accountFilter.contains(account) {
            summary.skip(.accountNotWatched)
            return []
        }
        let userAgent = record.userAgent
        if actorRules.isExpected(userAgent: userAgent) {
            summary.expectedChanges += 1
            return []
        }
        var actor = ActorParser.actor(from: record)
        actor.userAgent = userAgent
        if actorRules.isExpected(actor) {
            summary.expectedChanges += 1
            return []
        }
        let payload = CallPayload(record)

        let context = EventContext(
            record: record, entry: entry, actor: actor, eventTime: eventTime ?? now, now: now, source: source)
        var events: [DriftEvent] = []
        var anyIdentifier = false
        var matched = false
        // Managed resources first: every target whose identifier the state knows.
        for target in entry.targets {
            for id in payload.identifiers(for: target) {
                anyIdentifier = true
                let references = lookup(type: target.resourceType, id: id, account: account)
                for reference in references {
                    matched = true
                    if let event = managedDrift(context, target: target, id: id, reference: reference, payload: payload) {
                        events.append(event)
                    }
                }
            }
            if matched { break }
        }
        if !matched {
            guard anyIdentifier else {
                summary.skip(.noIdentifier)
                return []
            }
            guard entry.change != .delete else {
                summary.skip(.unmanagedDelete)
                return []
            }
            guard reportUnmanaged else {
                summary.skip(.unmanagedNotReported)
                return []
            }
            let target = entry.targets.first { !payload.identifiers(for: $0).isEmpty } ?? entry.targets[0]
            for id in payload.identifiers(for: target) {
                events.append(
                    makeEvent(
                        context, type: .unmanaged, resourceType: target.resourceType, id: id,
                        address: nil, state: nil, diff: [:]))
            }
        }
        return events.compactMap { admit($0, context: context) }
    }

    func lookup(type: String, id: String, account: String?) -> [StateIndex.Reference] {
        let found = index.lookup(type: type, identifier: id, accountID: account)
        if !found.isEmpty || !id.hasPrefix("arn:") { return found }
        // An ARN the state does not hold verbatim: try its resource name (`…:function:name`, `…/name`).
        guard let name = id.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init), !name.isEmpty else {
            return []
        }
        return index.lookup(type: type, identifier: name, accountID: account)
    }

    struct EventContext {
        let record: CloudTrailRecord
        let entry: CatalogEntry
        let actor: Actor
        let eventTime: Date
        let now: Date
        let source: String
    }

    mutating func managedDrift(
        _ context: EventContext, target: CatalogTarget, id: String, reference: StateIndex.Reference, payload: CallPayload
    ) -> DriftEvent? {
        let instance = index.instance(reference)
        let state = index.states[reference.state]
        var address = instance.address
        if let deposed = instance.deposedKey { address += " (deposed \(deposed))" }
        if context.entry.change == .delete {
            return makeEvent(
                context, type: .deleted, resourceType: instance.type, id: id, address: address, state: state.name, diff: [:])
        }
        let (changes, comparedAny) = DiffBuilder.diff(mappings: target.diff, payload: payload, instance: instance)
        if comparedAny, changes.isEmpty {
            summary.skip(.noEffectiveChange)
            return nil
        }
        return makeEvent(
            context, type: .modified, resourceType: instance.type, id: id, address: address, state: state.name, diff: changes)
    }

    func makeEvent(
        _ context: EventContext, type: DriftType, resourceType: String, id: String, address: String?, state: String?,
        diff: [String: AttributeChange]
    ) -> DriftEvent {
        let severity = severityPolicy.severity(
            catalogOverride: context.entry.severity, resourceType: resourceType, driftType: type, attributes: Array(diff.keys))
        let window = windows.first { $0.contains(context.eventTime) }?.name
        let record = context.record
        return DriftEvent(
            timestamp: context.eventTime, detectedAt: context.now, driftType: type, severity: severity,
            resourceType: resourceType, resourceID: id, resourceAddress: address, state: state, diff: diff,
            actor: context.actor, eventName: record.eventName, eventSource: context.source, eventID: record.eventID,
            region: record.awsRegion, accountID: record.recipientAccountID ?? context.actor.accountID,
            maintenanceWindow: window,
            message: Self.message(
                type: type, resourceType: resourceType, id: id, address: address, diff: diff,
                actor: context.actor.changedBy, eventName: record.eventName))
    }

    static func message(
        type: DriftType, resourceType: String, id: String, address: String?, diff: [String: AttributeChange], actor: String,
        eventName: String
    ) -> String {
        let subject = address.map { "\($0) (\(id))" } ?? "\(resourceType) \(id)"
        switch type {
        case .deleted: return "\(subject) was deleted outside Terraform by \(actor) (\(eventName))"
        case .unmanaged: return "\(subject) is not managed by Terraform; changed by \(actor) (\(eventName))"
        case .modified:
            let attributes = diff.keys.sorted()
            let what = attributes.isEmpty ? "" : ": \(attributes.joined(separator: ", ")) changed"
            return "\(subject) was modified outside Terraform by \(actor) (\(eventName))\(what)"
        }
    }

    /// Ignore rules, then dedup: the same resource/attribute/new value within the window is one event.
    mutating func admit(_ event: DriftEvent, context: EventContext) -> DriftEvent? {
        if actorRules.ignoreRule(
            actor: context.actor, eventName: context.record.eventName, resourceType: event.resourceType,
            address: event.resourceAddress) != nil
        {
            summary.skip(.ignoredByRule)
            return nil
        }
        var keyWriter = JSONWriter()
        keyWriter.append("\(event.resourceType)|\(event.resourceID)|\(event.driftType.rawValue)|")
        keyWriter.write(.object(event.diff.mapValues { $0.actual }))
        let key = keyWriter.string
        if recentDrifts.isDuplicate(key, at: event.timestamp) {
            summary.skip(.duplicateDrift)
            return nil
        }
        summary.count(event)
        return event
    }
}
