import Foundation
import TfdriftCore

/// An alert profile (`alerts/small.yaml`, `alerts/large.yaml`, or a copy): rule groups with thresholds,
/// the receivers per severity, routing mode, contact points, templates and mute timings. Read by
/// `AlertProfileReader`, compiled into Grafana resources by `desiredState` (AlertProfileCompiler.swift).
public struct AlertProfile: Sendable {
    public enum Routing: String, Sendable {
        case notificationSettings = "notification_settings"
        case policy
    }

    /// What a rule watches. Health rules (the detector itself: down, silent, stale state, failing sink)
    /// are never muted by maintenance windows: a maintenance is when drift is expected, not when the
    /// detector may go quiet unnoticed.
    public enum Kind: String, Sendable, CaseIterable {
        case drift, health
    }

    /// The label every compiled rule carries with its kind (`tfdrift_kind=health`), which mute timings and
    /// the policy sub-route use to leave health alerts alone.
    public static let kindLabel = "tfdrift_kind"

    public struct Rule: Sendable {
        public var uid: String
        public var title: String
        public var severity: String
        /// `loki`, `prometheus`, or a data source uid.
        public var datasource: String
        public var expr: String
        /// `gt` or `lt`.
        public var thresholdType: String
        public var threshold: Double
        public var forDuration: String
        public var noDataState: String
        public var execErrState: String
        public var summary: String
        public var description: String
        public var runbook: String?
        public var labels: [String: String]
        /// A rule in Grafana's own form (export of something we cannot express more simply).
        public var grafana: JSONValue?
        /// For a Prometheus rule: the rule to use instead when Grafana has no Prometheus data source
        /// (`without_prometheus:` in the file), e.g. "detector silent" as LogQL on the detector's heartbeat.
        /// A Prometheus rule without one is skipped on a Loki-only Grafana.
        public var withoutPrometheus: Fallback?

        public var needsPrometheus: Bool { grafana == nil && datasource == "prometheus" }
    }

    /// The fields of a rule that differ when it runs on Loki instead of Prometheus.
    public struct Fallback: Sendable {
        public var datasource: String
        public var expr: String
        public var thresholdType: String
        public var threshold: Double
        public var forDuration: String?
        public var noDataState: String?
        public var summary: String?
    }

    public struct Group: Sendable {
        public var name: String
        public var intervalSeconds: Int
        public var kind: Kind = .drift
        public var rules: [Rule]

        public init(name: String, intervalSeconds: Int, kind: Kind = .drift, rules: [Rule]) {
            self.name = name
            self.intervalSeconds = intervalSeconds
            self.kind = kind
            self.rules = rules
        }
    }

    public var name: String
    public var source: String
    public var runbookBaseURL: String
    public var prometheusDatasourceUID: String
    public var labels: [String: String]
    public var receivers: [String: String]
    public var routing: Routing
    public var notification: [String: JSONValue]
    public var muteTimingNames: [String]
    public var groups: [Group]
    public var templates: [TemplateSpec]
    public var contactPoints: [ContactPointSpec]
    public var muteTimings: [MuteTimingSpec]
    /// Mute timings of maintenance windows (`addingMaintenanceWindows`): attached to drift rules only.
    public var maintenanceMuteTimingNames: [String] = []

    /// Loads `small`, `large` or a path: a path as given; a name from `alerts/<name>.yaml` in the search
    /// directories (your edited copy wins), else the copy compiled into the binary.
    public static func named(
        _ profile: String, searchDirectories: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AlertProfile {
        let isName = !(profile.contains("/") || profile.hasSuffix(".yaml") || profile.hasSuffix(".yml"))
        let onDisk = searchDirectories.contains {
            FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("alerts/\(profile).yaml"))
        }
        if isName, !onDisk, let text = EmbeddedResources.text("alerts/\(profile).yaml") {
            return try parse(text, source: "built-in alerts/\(profile).yaml", environment: environment)
        }
        return try load(path: try locate(profile, searchDirectories: searchDirectories), environment: environment)
    }

    /// The profile names compiled into the binary (`small`, `large`).
    public static var builtInNames: [String] {
        EmbeddedResources.names(in: "alerts").filter { $0.hasSuffix(".yaml") }.map {
            String($0.dropFirst("alerts/".count).dropLast(".yaml".count))
        }
    }

    /// Resolves `small`, `large` or a path: `./alerts/<name>.yaml`, then beside the config file.
    public static func locate(_ profile: String, searchDirectories: [String]) throws -> String {
        if profile.contains("/") || profile.hasSuffix(".yaml") || profile.hasSuffix(".yml") {
            guard FileManager.default.fileExists(atPath: profile) else {
                throw ProvisionError("alert profile \(profile) does not exist")
            }
            return profile
        }
        let candidates = searchDirectories.map { ($0 as NSString).appendingPathComponent("alerts/\(profile).yaml") }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        let builtIn = builtInNames.isEmpty ? "" : "; built in: \(builtInNames.joined(separator: ", "))"
        throw ProvisionError(
            "alert profile \"\(profile)\" not found (looked in \(candidates.joined(separator: ", "))\(builtIn)); give a path with --profile PATH"
        )
    }

    /// Loads and validates a profile file. `environment` supplies `${VAR}` values and `env:` secrets.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> AlertProfile
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProvisionError("cannot read alert profile \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path, environment: environment)
    }

    /// Parses and validates a profile. Every problem is reported at once, each with its key path and line
    /// (`ConfigError`, or `ConfigErrors` for several); an unset `${VAR}` without a default is one of them.
    public static func parse(_ text: String, source: String, environment: [String: String] = [:]) throws -> AlertProfile {
        try YAMLDocument.read(
            yaml: text, file: source, environment: environment, unsetIsError: true, emptyIsError: true
        ) { root in
            AlertProfileReader(source: source, environment: environment).read(root)
        }.value
    }

    /// The longest range selector in a query (`[5m]` → 300), for the query's relative time range.
    static func rangeSeconds(_ expr: String) -> Int? {
        var best: Int?
        var rest = Substring(expr)
        while let open = rest.firstIndex(of: "[") {
            guard let close = rest[open...].firstIndex(of: "]") else { break }
            let inside = rest[rest.index(after: open)..<close].split(separator: ":").first.map(String.init) ?? ""
            if let seconds = DurationParser.wholeSeconds(inside.trimmingCharacters(in: .whitespaces)) {
                best = max(best ?? 0, seconds)
            }
            rest = rest[rest.index(after: close)...]
        }
        return best
    }

    static func parseCondition(_ text: String) -> (String, Double)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (symbol, type) in [(">", "gt"), ("<", "lt")] where trimmed.hasPrefix(symbol) {
            if let value = Double(trimmed.dropFirst().trimmingCharacters(in: .whitespaces)) { return (type, value) }
        }
        return nil
    }
}
