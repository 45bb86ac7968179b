import Foundation
import TfdriftCore

/// The Loki data source, by uid. Only the fields we set are compared (and only our keys of `jsonData`:
/// derived fields added in the UI stay); `isDefault` only when the config sets it, because Grafana makes
/// the first data source of an organisation its default and a plan must not fight that for ever.
struct DataSourcePlanner: ResourcePlanner {
    let context: PlanContext
    var kind: ResourceKind { .dataSource }

    func name(of spec: DataSourceSpec) -> String { "\(spec.name) (uid \(spec.uid))" }

    func observe(_ spec: DataSourceSpec) async throws -> Observation {
        let (status, actual) = try await context.client.send(
            "GET", "/api/datasources/uid/\(GrafanaClient.escape(spec.uid))", allowNotFound: true)
        if status == 200, let actual { return .present(actual) }
        let (byNameStatus, byName) = try await context.client.send(
            "GET", "/api/datasources/name/\(GrafanaClient.escape(spec.name))", allowNotFound: true)
        if byNameStatus == 200, let other = byName?["uid"]?.stringValue {
            return .refused(
                "a data source named \"\(spec.name)\" already exists with uid \(other); set grafana.datasource_uid: \(other) to adopt it, or choose another grafana.datasource_name"
            )
        }
        return .absent
    }

    func isFromFiles(_ actual: JSONValue) -> Bool { actual["readOnly"]?.boolValue == true }

    /// Secure values: the tenant header and the basic-auth password (write-only in Grafana).
    func secure(_ spec: DataSourceSpec) -> [String: Secret] {
        var secure: [String: Secret] = [:]
        if let tenant = spec.tenant { secure["httpHeaderValue1"] = Secret(tenant) }
        if let password = spec.basicAuthPassword { secure["basicAuthPassword"] = password }
        return secure
    }

    /// Our keys of `jsonData`, with the hash of the secure values (so unchanged secrets are not re-sent).
    func jsonData(_ spec: DataSourceSpec) -> [String: JSONValue] {
        var jsonData: [String: JSONValue] = ["maxLines": 1000]
        if spec.tenant != nil { jsonData["httpHeaderName1"] = "X-Scope-OrgID" }
        if let hash = SecretHash.of(secure(spec), identity: "datasource/\(spec.uid)") {
            jsonData["tfdriftSecretsHash"] = .string(hash)
        }
        return jsonData
    }

    func fields(_ spec: DataSourceSpec) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "name": .string(spec.name), "type": "loki", "access": "proxy", "url": .string(spec.url),
            "basicAuth": .bool(spec.basicAuthUser != nil), "basicAuthUser": .string(spec.basicAuthUser ?? ""),
        ]
        if let isDefault = spec.isDefault { fields["isDefault"] = .bool(isDefault) }
        return fields
    }

    func desired(_ spec: DataSourceSpec) -> JSONValue {
        Normalise.pruned(.object(fields(spec).merging(["jsonData": .object(jsonData(spec))]) { $1 })) ?? [:]
    }

    func current(_ actual: JSONValue, for spec: DataSourceSpec) -> JSONValue {
        var before: [String: JSONValue] = [:]
        for key in fields(spec).keys { before[key] = actual[key] }
        let ours = Set(jsonData(spec).keys).union(["httpHeaderName1", "tfdriftSecretsHash"])
        before["jsonData"] = .object((actual["jsonData"]?.objectValue ?? [:]).filter { ours.contains($0.key) })
        return Normalise.pruned(.object(before)) ?? [:]
    }

    func createFields(_ spec: DataSourceSpec) -> [FieldChange] { JSONDiff.leaves(.object(fields(spec))) }

    func writes(_ spec: DataSourceSpec, actual: JSONValue?) -> [WriteRequest] {
        let secure = secure(spec)
        let secureBody = JSONValue.object(secure.mapValues { .string($0.value) })
        var body = fields(spec)
        body["uid"] = .string(spec.uid)
        guard let actual else {
            body["jsonData"] = .object(jsonData(spec))
            if !secure.isEmpty { body["secureJsonData"] = secureBody }
            return [WriteRequest(method: "POST", path: "/api/datasources", body: .object(body))]
        }
        // A PUT replaces every field: what we do not manage goes back as Grafana has it.
        if spec.isDefault == nil { body["isDefault"] = actual["isDefault"] ?? false }
        let actualJSONData = actual["jsonData"]?.objectValue ?? [:]
        var merged = actualJSONData.merging(jsonData(spec)) { _, new in new }
        if actualJSONData["tfdriftSecretsHash"] != jsonData(spec)["tfdriftSecretsHash"] {
            body["secureJsonData"] = secureBody
            if spec.tenant == nil { merged["httpHeaderName1"] = nil }
        }
        if jsonData(spec)["tfdriftSecretsHash"] == nil { merged["tfdriftSecretsHash"] = nil }
        body["jsonData"] = .object(merged)
        body["version"] = actual["version"] ?? 0
        return [
            WriteRequest(method: "PUT", path: "/api/datasources/uid/\(GrafanaClient.escape(spec.uid))", body: .object(body))
        ]
    }
}

/// Our folder, by uid: only its title is ours.
struct FolderPlanner: ResourcePlanner {
    let context: PlanContext
    var kind: ResourceKind { .folder }

    func name(of spec: FolderSpec) -> String { "\(spec.uid) \"\(spec.title)\"" }

    func observe(_ spec: FolderSpec) async throws -> Observation {
        let (status, actual) = try await context.client.send(
            "GET", "/api/folders/\(GrafanaClient.escape(spec.uid))", allowNotFound: true)
        guard status == 200, let actual else { return .absent }
        return .present(actual)
    }

    func isFromFiles(_ actual: JSONValue) -> Bool { false }
    func desired(_ spec: FolderSpec) -> JSONValue { ["title": .string(spec.title)] }
    func current(_ actual: JSONValue, for spec: FolderSpec) -> JSONValue { ["title": actual["title"] ?? .null] }

    func writes(_ spec: FolderSpec, actual: JSONValue?) -> [WriteRequest] {
        guard let actual else {
            return [
                WriteRequest(
                    method: "POST", path: "/api/folders", body: ["uid": .string(spec.uid), "title": .string(spec.title)])
            ]
        }
        return [
            WriteRequest(
                method: "PUT", path: "/api/folders/\(GrafanaClient.escape(spec.uid))",
                body: ["title": .string(spec.title), "version": actual["version"] ?? 0])
        ]
    }
}
