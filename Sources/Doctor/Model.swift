import Foundation

/// The outcome of one check (SPEC §8).
public enum CheckStatus: String, Sendable, CaseIterable, Equatable {
    case pass, warn, fail, manual, skip
}

/// One line of the readiness report: what was checked, what came back, and what to do.
public struct CheckResult: Sendable, Equatable {
    /// Stable, lower-case and dotted: `grafana.anonymous_access`.
    public var id: String
    /// The part of `id` before the first dot.
    public var group: String
    public var title: String
    public var status: CheckStatus
    /// What was probed and what came back.
    public var evidence: String
    /// What to do about it (empty when there is nothing to do).
    public var fix: String

    public init(id: String, title: String, status: CheckStatus, evidence: String, fix: String) {
        self.id = id
        self.group = CheckCatalog.group(of: id)
        self.title = title
        self.status = status
        self.evidence = evidence
        self.fix = fix
    }
}

public struct DoctorSummary: Sendable, Equatable {
    public var pass = 0
    public var warn = 0
    public var fail = 0
    public var manual = 0
    public var skip = 0

    public init(_ checks: [CheckResult]) {
        for check in checks {
            switch check.status {
            case .pass: pass += 1
            case .warn: warn += 1
            case .fail: fail += 1
            case .manual: manual += 1
            case .skip: skip += 1
            }
        }
    }

    public func count(_ status: CheckStatus) -> Int {
        switch status {
        case .pass: pass
        case .warn: warn
        case .fail: fail
        case .manual: manual
        case .skip: skip
        }
    }
}

/// The whole report: checks sorted by id, so two runs over the same deployment print the same thing.
public struct DoctorReport: Sendable, Equatable {
    public var checks: [CheckResult]

    public init(checks: [CheckResult]) {
        self.checks = checks.sorted { $0.id < $1.id }
    }

    public var summary: DoctorSummary { DoctorSummary(checks) }

    /// SPEC §2: 0 when only warnings (or less) remain, 2 on any failed check.
    public var exitCode: Int32 { summary.fail > 0 ? 2 : 0 }

    public func check(_ id: String) -> CheckResult? { checks.first { $0.id == id } }
}

/// Every check doctor knows, with its title (the Grafana checks' from their table, `GrafanaChecks.table`).
/// Ids are part of the interface (`--only`, `--skip`, scripts reading the JSON): add, never rename.
public enum CheckCatalog {
    public static let checks: [(id: String, title: String)] =
        [
            ("config.valid", "Configuration loads and validates"),
            ("config.secrets_inline", "Secrets come from the environment or files, not the config file"),
            ("config.sources_reachable", "Every configured CloudTrail source is reachable"),
            ("config.sinks_reachable", "Every configured drift sink is reachable"),
            ("state.loads", "Terraform states load"),
            ("state.resource_count", "Managed resource count"),
            ("state.load_time", "State load time (seed 2.2: 5 s ideal, split above 30 s)"),
            ("state.freshness", "The running detector's state is fresh"),
            ("coverage.resource_types", "The event catalog observes the resource types in the states"),
            ("sample.events", "Bundled CloudTrail records produce the expected drift events"),
            ("detector.ready", "Detector /readyz answers ready"),
            ("detector.last_event", "Detector received an event in the last 15 minutes (seed 2.4)"),
            ("detector.spool", "Loki spool is not backing up"),
            ("detector.tls", "Detector ingest uses TLS (and mTLS for Falco)"),
            ("detector.token", "Detector refuses an unauthenticated POST"),
            ("detector.certificate_expiry", "Detector TLS certificate is not about to expire"),
            ("detector.journal", "Accepted events survive a crash (ingest journal)"),
            ("detector.metrics", "Detector exposes its Prometheus metrics"),
            ("performance.event_lag", "Event processing lag (CloudTrail delivery included)"),
            ("performance.resources", "Memory and CPU measured over an hour, a day and a week (seed 2.2)"),
        ] + GrafanaChecks.table.map { ($0.id, $0.title) } + [
            ("loki.reachable", "Loki answers"),
            ("loki.auth", "Loki refuses unauthenticated requests"),
            ("loki.tls", "Loki is reached over TLS"),
            ("loki.retention", "Loki retention is configured"),
            ("loki.storage_encryption", "Loki's storage is encrypted at rest (seed 2.3)"),
            ("maintenance.windows_silenced", "Maintenance windows are covered by silences or mute timings"),
            ("iam.least_privilege", "The IAM policy grants no more than iam-policy's least privilege"),
            ("alerts.thresholds_tuned", "Thresholds tuned to the organisation after a baseline (seed 3)"),
            ("operations.baseline", "A one-week baseline was measured"),
            ("operations.runbooks", "A runbook exists for every alert and each rule links to it"),
            ("operations.escalation", "Escalation flow and runbook rehearsal"),
            ("operations.log_rotation", "The drift log file rotates"),
            ("operations.backup", "Backups: dashboards exported, Loki logs, restore rehearsed"),
            ("operations.config_versioned", "The configuration is under version control"),
            ("operations.failure_scenarios", "Failure scenarios tested (Falco down, memory, state load failure)"),
        ]

    public static let ids: [String] = checks.map(\.id)
    public static let groups: [String] = {
        var seen: [String] = []
        for id in ids where !seen.contains(group(of: id)) { seen.append(group(of: id)) }
        return seen
    }()

    public static func group(of id: String) -> String { String(id.prefix { $0 != "." }) }

    public static func title(of id: String) -> String { checks.first { $0.id == id }?.title ?? id }
}

/// `--only` and `--skip`: by id (`grafana.sign_up`) or group (`grafana`).
public struct CheckSelection: Sendable, Equatable {
    public var only: [String]
    public var skip: [String]

    /// Every check.
    public static let everything = CheckSelection(validated: [], skip: [])

    private init(validated only: [String], skip: [String]) {
        self.only = only
        self.skip = skip
    }

    public init(only: [String] = [], skip: [String] = []) throws {
        for name in only + skip where !CheckCatalog.ids.contains(name) && !CheckCatalog.groups.contains(name) {
            let suggestion = CheckCatalog.ids.first { $0.hasPrefix(name) || $0.hasSuffix(name) || name.hasPrefix($0) }
            throw DoctorError(
                "unknown check or group \"\(name)\"\(suggestion.map { " (did you mean \($0)?)" } ?? ""); groups: \(CheckCatalog.groups.joined(separator: ", "))"
            )
        }
        self.only = only
        self.skip = skip
    }

    static func matches(_ names: [String], _ id: String) -> Bool {
        names.contains(id) || names.contains(CheckCatalog.group(of: id))
    }

    /// Whether the check is in the report at all (`--only` leaves the others out).
    public func listed(_ id: String) -> Bool { only.isEmpty || Self.matches(only, id) }

    /// Whether the check's probes run.
    public func runs(_ id: String) -> Bool { listed(id) && !Self.matches(skip, id) }
}

/// Doctor could not run at all (as opposed to a failed check).
public struct DoctorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
