import Foundation
import Synchronization
import TfdriftCore

/// Alertmanager v2 silences behind Grafana: `/api/alertmanager/grafana/api/v2/…` (the built-in
/// Alertmanager) and `/api/alertmanager/<data source uid>/api/v2/…` (an Alertmanager data source Grafana
/// proxies). Grafana's `api-merged.json` does not describe these routes, so requests are validated
/// against Alertmanager's own OpenAPI document (`Tests/Fixtures/grafana/alertmanager-openapi.yaml`).
///
/// The behaviour is Alertmanager's (`silence.Set`/`Expire`): a start in the past becomes now, an end in
/// the past is rejected, an update that Alertmanager cannot apply in place (other matchers, or another
/// start for an active silence) creates a new silence and expires the old one, and expiring an unknown
/// id answers 404 (the built-in one) or 500 (`legacyErrors`, as Alertmanager up to 0.25 and some proxies).
public struct SimulatedAlertmanager: Sendable {
    public struct StoredSilence: Sendable {
        public var id: String
        public var matchers: JSONNode
        public var startsAt: Date
        public var endsAt: Date
        public var updatedAt: Date
        public var createdBy: String
        public var comment: String

        public init(
            id: String, matchers: JSONNode, startsAt: Date, endsAt: Date, updatedAt: Date, createdBy: String, comment: String
        ) {
            self.id = id
            self.matchers = matchers
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.updatedAt = updatedAt
            self.createdBy = createdBy
            self.comment = comment
        }

        public func state(at now: Date) -> String {
            if endsAt <= now { return "expired" }
            if startsAt > now { return "pending" }
            return "active"
        }
    }

    public var silences: [StoredSilence] = []
    /// Answer 500 to expiring an unknown or expired silence (Alertmanager ≤ 0.25), instead of 404.
    public var legacyErrors = false

    public init(legacyErrors: Bool = false) { self.legacyErrors = legacyErrors }
}

extension GrafanaOrgState {
    /// The Alertmanager of `uid` ("grafana" for the built-in one; a data source of type alertmanager otherwise).
    public func alertmanager(_ uid: String) -> SimulatedAlertmanager {
        alertmanagers[uid] ?? SimulatedAlertmanager()
    }
}

/// Alertmanager's OpenAPI document (Swagger 2.0, YAML), parsed once per process.
public enum AlertmanagerOpenAPI {
    private static let cached = Mutex<OpenAPISpec?>(nil)

    public static var defaultPath: String {
        (OpenAPISpec.defaultPath as NSString).deletingLastPathComponent + "/alertmanager-openapi.yaml"
    }

    public static func spec() throws -> OpenAPISpec {
        try cached.withLock { spec in
            if let spec { return spec }
            let path = ProcessInfo.processInfo.environment["ALERTMANAGER_OPENAPI_SPEC"] ?? defaultPath
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                let root = try YAMLNode.root(yaml: text, file: path)
            else {
                throw OpenAPISpec.SpecError(
                    reason: "cannot read \(path) (set ALERTMANAGER_OPENAPI_SPEC to Alertmanager's api/v2/openapi.yaml)")
            }
            let loaded = try OpenAPISpec(document: try node(root))
            spec = loaded
            return loaded
        }
    }

    /// YAML → JSON for a schema document: plain scalars that read as booleans or numbers become those.
    static func node(_ yaml: YAMLNode) throws -> JSONNode {
        switch yaml.kindName {
        case "a mapping":
            var fields: [String: JSONNode] = [:]
            for (key, value) in try yaml.entries() { fields[key] = try node(value) }
            return .object(fields)
        case "a list":
            return .array(try yaml.list().map(node))
        case "null":
            return .null
        default:
            let text = try yaml.string()
            if text == "true" { return .bool(true) }
            if text == "false" { return .bool(false) }
            if let number = Double(text), text.first?.isNumber == true { return .number(number) }
            return .string(text)
        }
    }
}

extension GrafanaSimulator {
    /// Splits `/api/alertmanager/<uid>/api/v2/<rest>` into the uid and `/api/v2/<rest>`.
    static func alertmanagerRoute(_ path: String) -> (uid: String, path: String)? {
        let prefix = "/api/alertmanager/"
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let uid = String(rest[..<slash]).removingPercentEncoding ?? String(rest[..<slash])
        let remainder = String(rest[slash...])
        guard remainder.hasPrefix("/api/v2/") else { return nil }
        return (uid, remainder)
    }

    func dispatchAlertmanager(
        _ operationID: String, uid: String, _ context: Context, _ state: inout GrafanaOrgState
    ) -> Response {
        if uid != "grafana" {
            guard let source = state.dataSources.first(where: { $0.uid == uid }) else {
                return Self.error(404, "datasource not found")
            }
            guard source.fields["type"]?.stringValue == "alertmanager" else {
                return Self.error(400, "datasource \(uid) is not an Alertmanager (type \(source.fields["type"]?.text ?? ""))")
            }
        }
        var alertmanager = state.alertmanager(uid)
        defer { state.alertmanagers[uid] = alertmanager }
        let now = self.now()
        switch operationID {
        case "getSilences":
            return Self.ok(.array(alertmanager.silences.map { silenceJSON($0, now: now, grafana: uid == "grafana") }))
        case "getSilence":
            guard let found = alertmanager.silences.first(where: { $0.id == context.parameter("silenceID") }) else {
                return Self.text(404, "silence not found")
            }
            return Self.ok(silenceJSON(found, now: now, grafana: uid == "grafana"))
        case "postSilences":
            return postSilence(context.object, &alertmanager, now: now)
        case "deleteSilence":
            let id = context.parameter("silenceID")
            guard let index = alertmanager.silences.firstIndex(where: { $0.id == id }) else {
                return alertmanager.legacyErrors ? Self.text(500, "silence not found") : Self.text(404, "silence not found")
            }
            if alertmanager.silences[index].state(at: now) == "expired" {
                return alertmanager.legacyErrors
                    ? Self.text(500, "silence \(id) already expired") : Response(status: 200, headers: [:], body: nil)
            }
            expire(&alertmanager.silences[index], now: now)
            return Response(status: 200, headers: [:], body: nil)
        default:
            return Self.error(501, "\(operationID) is not modelled by the simulator")
        }
    }

    static func text(_ status: Int, _ message: String) -> Response {
        Response(status: status, headers: [:], body: .string(message))
    }

    private func expire(_ silence: inout SimulatedAlertmanager.StoredSilence, now: Date) {
        if silence.startsAt > now { silence.startsAt = now }
        silence.endsAt = now
        silence.updatedAt = now
    }

    private func silenceJSON(_ silence: SimulatedAlertmanager.StoredSilence, now: Date, grafana: Bool) -> JSONNode {
        var fields: [String: JSONNode] = [
            "id": .string(silence.id), "status": ["state": .string(silence.state(at: now))],
            "updatedAt": .string(Timestamp.format(silence.updatedAt, fractional: true)),
            "startsAt": .string(Timestamp.format(silence.startsAt, fractional: true)),
            "endsAt": .string(Timestamp.format(silence.endsAt, fractional: true)),
            "createdBy": .string(silence.createdBy), "comment": .string(silence.comment), "matchers": silence.matchers,
        ]
        // Alertmanager's document requires annotations (newer versions); Grafana adds its access control.
        fields["annotations"] = [:]
        if grafana { fields["accessControl"] = ["create": true, "read": true, "write": true] }
        return .object(fields)
    }

    /// Alertmanager's `Silences.Set`: update in place when allowed, otherwise a new silence replacing the old.
    private func postSilence(_ body: [String: JSONNode], _ alertmanager: inout SimulatedAlertmanager, now: Date) -> Response {
        guard let starts = body["startsAt"]?.stringValue.flatMap(Timestamp.parse),
            let ends = body["endsAt"]?.stringValue.flatMap(Timestamp.parse)
        else { return Self.text(400, "startsAt and endsAt must be RFC 3339 times") }
        let matchers = body["matchers"]?.arrayValue ?? []
        if matchers.isEmpty { return Self.text(400, "at least one matcher required") }
        if starts > ends { return Self.text(400, "Failed to create silence: start time must be before end time") }
        if ends < now { return Self.text(400, "Failed to create silence: end time can't be in the past") }
        // Matchers as Alertmanager stores them (isEqual defaults to true).
        let normalised = JSONNode.array(
            matchers.map { matcher in
                var fields = matcher.objectValue ?? [:]
                if fields["isEqual"] == nil { fields["isEqual"] = true }
                return .object(fields)
            })
        var silence = SimulatedAlertmanager.StoredSilence(
            id: "", matchers: normalised, startsAt: starts, endsAt: ends, updatedAt: now,
            createdBy: body["createdBy"]?.stringValue ?? "", comment: body["comment"]?.stringValue ?? "")
        if let id = body["id"]?.stringValue, !id.isEmpty {
            guard let index = alertmanager.silences.firstIndex(where: { $0.id == id }) else {
                return Self.text(404, "silence not found")
            }
            let previous = alertmanager.silences[index]
            if canUpdate(previous, silence, now: now) {
                silence.id = id
                alertmanager.silences[index] = silence
                return Self.ok(["silenceID": .string(id)])
            }
            if previous.state(at: now) != "expired" { expire(&alertmanager.silences[index], now: now) }
        }
        silence.id = UUID().uuidString.lowercased()
        if silence.startsAt < now { silence.startsAt = now }
        alertmanager.silences.append(silence)
        return Self.ok(["silenceID": .string(silence.id)])
    }

    private func canUpdate(
        _ previous: SimulatedAlertmanager.StoredSilence, _ next: SimulatedAlertmanager.StoredSilence, now: Date
    ) -> Bool {
        guard previous.matchers == next.matchers else { return false }
        switch previous.state(at: now) {
        case "active": return next.startsAt == previous.startsAt && next.endsAt >= now
        case "pending": return next.startsAt >= now
        default: return false
        }
    }
}
