import TfdriftCore

/// Why a record produced no drift event. Raw values are the summary's `skipped` keys.
public enum SkipReason: String, Sendable, CaseIterable {
    case readOnly = "read_only"
    case failedCall = "failed_call"
    case notAPICall = "not_api_call"
    case notInCatalog = "not_in_catalog"
    /// A mutating call the catalog classifies as changing no resource (`SendCommand`, `StartSession`).
    case notAResourceChange = "not_a_resource_change"
    case outOfTimeRange = "out_of_time_range"
    case accountNotWatched = "account_not_watched"
    case ignoredByRule = "ignored_by_rule"
    case noIdentifier = "no_identifier"
    case unmanagedNotReported = "unmanaged_not_reported"
    case noEffectiveChange = "no_effective_change"
    case duplicateEvent = "duplicate_event"
    case duplicateDrift = "duplicate_drift"
    /// Made by AWS itself: a service-linked role or a service principal.
    case awsService = "aws_service"
}

/// Counters for `replay`'s summary and the service's metrics.
public struct DetectionSummary: Sendable, Equatable {
    public var records = 0
    public var malformed = 0
    /// Inputs that could not be read at all (a replay that read nothing must not look clean).
    public var unreadable = 0
    public var mutating = 0
    public var expectedChanges = 0
    /// `drift_detected` lines: new drift (by severity and type below).
    public var driftEvents = 0
    public var bySeverity: [String: Int] = [:]
    public var byType: [String: Int] = [:]
    /// `drift_resolved` lines, by what closed the drift (the metrics count them apart too).
    public var resolved = 0
    public var byResolvedBy: [String: Int] = [:]
    /// Calls a replay applied before their reorder window closed because too many waited.
    public var reorderOverflow = 0
    public var skipped: [String: Int] = [:]
    /// Mutating calls the catalog does not know, by `source:name` (what to add to the catalog).
    public var uncoveredEvents: [String: Int] = [:]

    public init() {}

    mutating func skip(_ reason: SkipReason) { skipped[reason.rawValue, default: 0] += 1 }
    public mutating func skip(input reason: InputSkip, count: Int = 1) { skipped[reason.rawValue, default: 0] += count }

    /// Every line, new drift or resolution: what a replay found.
    public var lines: Int { driftEvents + resolved }

    mutating func count(_ event: DriftEvent) {
        switch event.action {
        case .detected:
            driftEvents += 1
            bySeverity[event.severity.rawValue, default: 0] += 1
            byType[event.driftType.rawValue, default: 0] += 1
        case .resolved:
            resolved += 1
            byResolvedBy[event.resolvedBy?.rawValue ?? "unknown", default: 0] += 1
        }
    }
}
