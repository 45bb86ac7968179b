import Foundation
import TfdriftCore

/// The first look at a record, with no memory of earlier records: is it a change at all, is it one
/// the catalog maps to a resource, and is it Terraform's own? Pure, so a replay runs it on every core;
/// what remains — the live picture of each resource — is applied in order by `DriftEvaluator`.
///
/// Cheapest checks first: most records are read-only or failed calls and are dropped here without
/// a single string being decoded.
public struct RecordTriage: Sendable {
    public let catalog: EventCatalog
    let actorRules: ActorRules
    /// Accounts to process (organisation trails); empty processes all.
    let accountFilter: Set<String>
    public var since: Date?
    public var until: Date?

    public init(catalog: EventCatalog, config: TfdriftConfig) {
        self.catalog = catalog
        actorRules = ActorRules(
            expectedActors: config.detection.expectedActors, expectedUserAgents: config.detection.expectedUserAgents,
            ignoreRules: config.detection.ignoreRules)
        accountFilter = Set(config.cloudTrail.accounts)
    }

    /// What became of a record at this stage.
    public enum Verdict: Sendable {
        /// Not a change (read-only, failed, …) or not ours to judge (out of range, another account).
        case skip(SkipReason)
        /// A mutating call the catalog does not map (`source:name`, what to add to the catalog).
        case notInCatalog(String)
        /// Terraform's own call, or a configured CI actor: an expected change, counted.
        case expected
        /// A change to evaluate against the live picture (boxed: most verdicts are skips, and an array of
        /// verdicts should not be as wide as the rare candidate).
        indirect case candidate(Candidate)

        /// Whether the record was a mutating call (the summary's `mutating`).
        public var isMutating: Bool {
            switch self {
            case .skip(let reason):
                return ![.readOnly, .failedCall, .notAPICall, .outOfTimeRange].contains(reason)
            case .notInCatalog, .expected, .candidate: return true
            }
        }
    }

    /// A mutating call the catalog maps, with what later stages need.
    public struct Candidate: Sendable {
        public var record: CloudTrailRecord
        public var entry: CatalogEntry
        /// The event source (from the record, or the catalog's only source for the name).
        public var source: String
        public var actor: Actor
        /// Records of one second apply creations first and deletions last (CloudTrail does not order
        /// them; a policy attached in the same second as its user's creation comes after it).
        var changeRank: Int {
            switch entry.change {
            case .create: 0
            case .modify: 1
            case .delete: 2
            }
        }
    }

    /// Read-only calls by naming convention, for records without `readOnly` (Falco alerts, old events)
    /// whose call no AWS API model in the catalog describes.
    static let readOnlyPrefixes = [
        "Get", "Describe", "List", "Head", "Lookup", "Search", "BatchGet", "Check", "Test", "Preview", "Validate",
        "Estimate", "Download", "Poll", "Select", "Query", "Scan", "Decrypt", "Encrypt", "GenerateDataKey",
    ]

    public func triage(_ record: CloudTrailRecord) -> Verdict {
        if record.hasErrorCode { return .skip(.failedCall) }
        if !record.isAPICall { return .skip(.notAPICall) }
        if record.readOnly == true { return .skip(.readOnly) }
        if let eventTime = record.eventDate {
            if let since, eventTime < since { return .skip(.outOfTimeRange) }
            if let until, eventTime >= until { return .skip(.outOfTimeRange) }
        }
        let name = EventCatalog.normalisedEventName(record.eventName)
        let recordSource = record.eventSource
        let source = recordSource.isEmpty ? catalog.uniqueSource(forName: name) ?? "" : recordSource
        guard let entry = catalog.entry(source: source, name: name) else {
            // The record's readOnly first, then the AWS API model, then naming conventions for calls no model knows.
            if record.readOnly == nil,
                catalog.isReadOnly(source: source, name: name) ?? Self.readOnlyPrefixes.contains(where: { name.hasPrefix($0) })
            {
                return .skip(.readOnly)
            }
            if catalog.classification(source: source, name: name) != nil { return .skip(.notAResourceChange) }
            return .notInCatalog("\(source.isEmpty ? "?" : source):\(name)")
        }
        if !accountFilter.isEmpty, let account = record.recipientAccountID, !accountFilter.contains(account) {
            return .skip(.accountNotWatched)
        }
        let userAgent = record.userAgent
        if actorRules.isExpected(userAgent: userAgent) { return .expected }
        var actor = ActorParser.actor(from: record)
        actor.userAgent = userAgent
        if actorRules.isExpected(actor) { return .expected }
        // AWS acting for itself (a service-linked role, a service principal): RDS placing its network
        // interfaces, Auto Scaling launching instances. Only the service can use these identities.
        if actor.isAWSService { return .skip(.awsService) }
        return .candidate(Candidate(record: record, entry: entry, source: source, actor: actor))
    }
}
