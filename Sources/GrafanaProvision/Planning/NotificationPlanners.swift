import Foundation
import TfdriftCore

/// A notification template, by name.
struct TemplatePlanner: ResourcePlanner {
    let context: PlanContext
    var kind: ResourceKind { .template }

    func name(of spec: TemplateSpec) -> String { spec.name }
    func path(_ spec: TemplateSpec) -> String { "/api/v1/provisioning/templates/\(GrafanaClient.escape(spec.name))" }

    func observe(_ spec: TemplateSpec) async throws -> Observation {
        let (status, actual) = try await context.client.send("GET", path(spec), allowNotFound: true)
        guard status == 200, let actual else { return .absent }
        return .present(actual)
    }

    func desired(_ spec: TemplateSpec) -> JSONValue {
        ["template": .string(Normalise.template(spec.template)), "provenance": .string(context.provenance)]
    }

    func current(_ actual: JSONValue, for spec: TemplateSpec) -> JSONValue {
        [
            "template": .string(Normalise.template(actual["template"]?.stringValue ?? "")),
            "provenance": .string(actual["provenance"]?.stringValue ?? ""),
        ]
    }

    func writes(_ spec: TemplateSpec, actual: JSONValue?) -> [WriteRequest] {
        var body: [String: JSONValue] = ["template": .string(spec.template)]
        if let version = actual?["version"] { body["version"] = version }
        return [WriteRequest(method: "PUT", path: path(spec), body: .object(body), headers: context.provenanceHeaders)]
    }

    func removal(_ spec: TemplateSpec, actual: JSONValue) -> ResourceChange? {
        deletion(spec, WriteRequest(method: "DELETE", path: path(spec), headers: context.provenanceHeaders))
    }
}

/// A contact point, by uid, among the contact points Grafana listed once per plan. Secrets are
/// write-only: a hash of the desired ones is kept in the settings, and a secret is sent only when it changed.
struct ContactPointPlanner: ResourcePlanner {
    let context: PlanContext
    /// `GET /api/v1/provisioning/contact-points`, read once.
    let existing: [JSONValue]
    var kind: ResourceKind { .contactPoint }

    static let secretHashKey = "tfdrift_secrets_hash"

    static func load(_ context: PlanContext) async throws -> ContactPointPlanner {
        ContactPointPlanner(context: context, existing: try await context.list("/api/v1/provisioning/contact-points"))
    }

    func name(of spec: ContactPointSpec) -> String { "\(spec.name) (uid \(spec.uid))" }
    func path(_ spec: ContactPointSpec) -> String { "/api/v1/provisioning/contact-points/\(GrafanaClient.escape(spec.uid))" }

    func observe(_ spec: ContactPointSpec) async throws -> Observation {
        existing.first { $0["uid"]?.stringValue == spec.uid }.map { .present($0) } ?? .absent
    }

    func hash(_ spec: ContactPointSpec) -> String? { SecretHash.of(spec.secrets, identity: "contact-point/\(spec.uid)") }

    func settings(_ spec: ContactPointSpec) -> [String: JSONValue] {
        var settings = spec.settings
        if let hash = hash(spec) { settings[Self.secretHashKey] = .string(hash) }
        return settings
    }

    func comparable(
        name: JSONValue?, type: JSONValue?, settings: [String: JSONValue], disable: JSONValue?, provenance: String,
        secretKeys: Set<String>
    ) -> JSONValue {
        [
            "name": name ?? .null, "type": type ?? .null,
            "settings": Normalise.pruned(.object(settings.filter { !secretKeys.contains($0.key) })) ?? [:],
            "disableResolveMessage": disable ?? false, "provenance": .string(provenance),
        ]
    }

    func desired(_ spec: ContactPointSpec) -> JSONValue {
        comparable(
            name: .string(spec.name), type: .string(spec.type), settings: settings(spec),
            disable: .bool(spec.disableResolveMessage), provenance: context.provenance, secretKeys: Set(spec.secrets.keys))
    }

    func current(_ actual: JSONValue, for spec: ContactPointSpec) -> JSONValue {
        comparable(
            name: actual["name"], type: actual["type"], settings: actual["settings"]?.objectValue ?? [:],
            disable: actual["disableResolveMessage"], provenance: actual["provenance"]?.stringValue ?? "",
            secretKeys: Set(spec.secrets.keys))
    }

    /// A secret key Grafana does not hold at all must be sent (it cannot be compared otherwise).
    func extraChanges(_ spec: ContactPointSpec, actual: JSONValue) -> [FieldChange] {
        let actualSettings = actual["settings"]?.objectValue ?? [:]
        return spec.secrets.keys.sorted().filter { actualSettings[$0] == nil }.map {
            FieldChange(path: "settings.\($0)", before: nil, after: "(secret)")
        }
    }

    func createFields(_ spec: ContactPointSpec) -> [FieldChange] {
        JSONDiff.leaves(desired(spec))
            + spec.secrets.keys.sorted().map {
                FieldChange(path: "settings.\($0)", before: nil, after: "(secret)")
            }
    }

    func writes(_ spec: ContactPointSpec, actual: JSONValue?) -> [WriteRequest] {
        let actualSettings = actual?["settings"]?.objectValue ?? [:]
        let secretsChanged = actual == nil || actualSettings[Self.secretHashKey]?.stringValue != hash(spec)
        var bodySettings = settings(spec)
        for (key, secret) in spec.secrets {
            bodySettings[key] = .string(secretsChanged || actualSettings[key] == nil ? secret.value : "[REDACTED]")
        }
        let body: JSONValue = [
            "uid": .string(spec.uid), "name": .string(spec.name), "type": .string(spec.type), "settings": .object(bodySettings),
            "disableResolveMessage": .bool(spec.disableResolveMessage),
        ]
        guard actual != nil else {
            return [
                WriteRequest(
                    method: "POST", path: "/api/v1/provisioning/contact-points", body: body, headers: context.provenanceHeaders)
            ]
        }
        return [WriteRequest(method: "PUT", path: path(spec), body: body, headers: context.provenanceHeaders)]
    }

    func removal(_ spec: ContactPointSpec, actual: JSONValue) -> ResourceChange? {
        deletion(spec, WriteRequest(method: "DELETE", path: path(spec), headers: context.provenanceHeaders))
    }
}

/// A mute timing, by name, among the mute timings Grafana listed once per plan.
struct MuteTimingPlanner: ResourcePlanner {
    let context: PlanContext
    let existing: [JSONValue]
    var kind: ResourceKind { .muteTiming }

    static func load(_ context: PlanContext) async throws -> MuteTimingPlanner {
        MuteTimingPlanner(context: context, existing: try await context.list("/api/v1/provisioning/mute-timings"))
    }

    func name(of spec: MuteTimingSpec) -> String { spec.name }
    func path(_ spec: MuteTimingSpec) -> String { "/api/v1/provisioning/mute-timings/\(GrafanaClient.escape(spec.name))" }

    func observe(_ spec: MuteTimingSpec) async throws -> Observation {
        existing.first { $0["name"]?.stringValue == spec.name }.map { .present($0) } ?? .absent
    }

    func desired(_ spec: MuteTimingSpec) -> JSONValue {
        ["time_intervals": Normalise.pruned(spec.timeIntervals) ?? [], "provenance": .string(context.provenance)]
    }

    func current(_ actual: JSONValue, for spec: MuteTimingSpec) -> JSONValue {
        [
            "time_intervals": Normalise.pruned(actual["time_intervals"] ?? []) ?? [],
            "provenance": .string(actual["provenance"]?.stringValue ?? ""),
        ]
    }

    func writes(_ spec: MuteTimingSpec, actual: JSONValue?) -> [WriteRequest] {
        var body: [String: JSONValue] = ["name": .string(spec.name), "time_intervals": spec.timeIntervals]
        if let version = actual?["version"] { body["version"] = version }
        guard actual != nil else {
            return [
                WriteRequest(
                    method: "POST", path: "/api/v1/provisioning/mute-timings", body: .object(body),
                    headers: context.provenanceHeaders)
            ]
        }
        return [WriteRequest(method: "PUT", path: path(spec), body: .object(body), headers: context.provenanceHeaders)]
    }

    func removal(_ spec: MuteTimingSpec, actual: JSONValue) -> ResourceChange? {
        deletion(spec, WriteRequest(method: "DELETE", path: path(spec), headers: context.provenanceHeaders))
    }
}
