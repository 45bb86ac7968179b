import Foundation
import TfdriftCore
import Yams

/// `loki.*` (seed 1.7, 2.3): reachable, refuses anonymous requests, TLS, retention, encryption at rest.
/// GETs only: `/ready`, `/loki/api/v1/labels` (with and without credentials), `/config`.
struct LokiChecks {
    let context: DoctorContext

    static let ids = CheckCatalog.ids.filter { $0.hasPrefix("loki.") }

    /// The headers the detector's Loki sink sends: basic auth and the tenant.
    static func authHeaders(_ loki: LokiConfig) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let user = loki.username, let password = loki.password {
            headers.append(("Authorization", "Basic " + Data("\(user):\(password.value)".utf8).base64EncodedString()))
        }
        if let tenant = loki.tenantID { headers.append(("X-Scope-OrgID", tenant)) }
        return headers
    }

    /// The config keys that hold the Loki credentials in use, for messages.
    static func credentialKeys(_ loki: LokiConfig) -> String {
        var keys: [String] = []
        if loki.username != nil { keys += ["outputs.loki.username", "outputs.loki.password (or password_file)"] }
        if loki.tenantID != nil { keys.append("outputs.loki.tenant_id") }
        return keys.joined(separator: ", ")
    }

    func run(_ recorder: Recorder) async {
        guard let loki = context.config.outputs.loki else {
            for id in Self.ids {
                recorder.skip(id, evidence: "outputs.loki is not configured", fix: "push drift events to Loki: outputs.loki.url")
            }
            return
        }
        let shown = Redaction.url(loki.url)
        let scheme = URL(string: loki.url)
        await recorder.check("loki.tls") {
            if scheme?.scheme == "https" { return .pass("\(shown) uses HTTPS") }
            if scheme?.isLoopback == true {
                return .warn("\(shown) is plain HTTP on loopback", fix: "use HTTPS before Loki is reached over a network")
            }
            return .fail(
                "\(shown) is plain HTTP: drift events and credentials cross the network in clear text (seed 2.3)",
                fix: "put Loki behind TLS (a gateway or server.http_tls_config) and use an https:// URL")
        }
        let transport: any HTTPTransport
        switch context.transport(TLSClientSettings(caFile: loki.caFile), hint: "outputs.loki.ca_file") {
        case .success(let made): transport = made
        case .failure(let error):
            for id in Self.ids { await recorder.check(id) { .fail("\(error)", fix: "check outputs.loki.ca_file") } }
            return
        }
        let prober = Prober(transport: transport, timeout: context.environment.timeout)
        let authHeaders = Self.authHeaders(loki)

        var reachableError: String?
        if let url = URL.joining(loki.url, "/ready") {
            switch await prober.get(url, headers: authHeaders) {
            case .success(let response) where response.status == 200: break
            case .success(let response): reachableError = "GET /ready → \(response.status) \(Text.quote(response.body))"
            case .failure(let error): reachableError = "\(error)"
            }
        }
        await recorder.check("loki.reachable") {
            if let reachableError { return .fail(reachableError, fix: "check outputs.loki.url and the network path") }
            return .pass("GET \(shown)/ready → 200")
        }
        guard reachableError == nil else {
            for id in Self.ids { recorder.skip(id, evidence: "Loki is unreachable (see loki.reachable)") }
            return
        }
        await recorder.check("loki.auth") {
            guard let url = URL.joining(loki.url, "/loki/api/v1/labels") else { return .skip("bad URL") }
            let anonymous: Int
            switch await prober.get(url) {
            case .success(let response): anonymous = response.status
            case .failure(let error): return .fail("\(error)", fix: "")
            }
            var evidence = "GET /loki/api/v1/labels without credentials → \(anonymous)"
            if !authHeaders.isEmpty, case .success(let response) = await prober.get(url, headers: authHeaders) {
                evidence += "; with the configured credentials → \(response.status)"
                if anonymous == 401 || anonymous == 403, response.status != 200 {
                    return .fail(
                        evidence + ": the configured credentials are refused too",
                        fix: "check \(Self.credentialKeys(loki))")
                }
            }
            if anonymous == 401 || anonymous == 403 { return .pass(evidence + ": refused") }
            return .fail(
                evidence + ": anyone who reaches Loki can read and push drift logs (seed 1.7: tampering risk)",
                fix:
                    "enable auth (auth_enabled: true behind an authenticating gateway, basic auth or OAuth2) and set outputs.loki.username/password_file"
            )
        }
        var configText: String?
        var configNote = ""
        if recorder.wants("loki.retention", "loki.storage_encryption"), let url = URL.joining(loki.url, "/config") {
            switch await prober.get(url, headers: authHeaders) {
            case .success(let response) where response.status == 200: configText = response.text
            case .success(let response): configNote = "GET /config → \(response.status)"
            case .failure(let error): configNote = "\(error)"
            }
        }
        let parsed = configText.flatMap { text in (try? Yams.compose(yaml: text)).flatMap { $0 }.map(YAMLNode.json) }
        await recorder.check("loki.retention") {
            guard let parsed else {
                return .manual(
                    "cannot read Loki's configuration (\(configNote.isEmpty ? "not YAML" : configNote))",
                    fix:
                        "confirm compactor.retention_enabled: true and limits_config.retention_period (seed 1.7: log retention policy)"
                )
            }
            let enabled = parsed["compactor"]?["retention_enabled"]?.scalarText ?? "false"
            let period = parsed["limits_config"]?["retention_period"]?.scalarText ?? "0s"
            let evidence = "GET /config: compactor.retention_enabled = \(enabled), limits_config.retention_period = \(period)"
            if enabled == "true", !["0", "0s", ""].contains(period) { return .pass(evidence) }
            return .warn(
                evidence + ": drift logs are kept forever (or deleted by someone else's policy)",
                fix:
                    "set compactor.retention_enabled: true and limits_config.retention_period to your audit requirement (e.g. 8760h)"
            )
        }
        await recorder.check("loki.storage_encryption") {
            guard let parsed else {
                return .manual(
                    "cannot read Loki's configuration (\(configNote.isEmpty ? "not YAML" : configNote))",
                    fix: "confirm the object store encrypts at rest (S3 SSE-KMS) (seed 2.3)")
            }
            let common = parsed["common"]?["storage"]?.objectValue
            let storage = parsed["storage_config"]?.objectValue
            let stores = Set((common?.keys.map { $0 } ?? []) + (storage?.keys.map { $0 } ?? [])).sorted()
            let s3 = common?["s3"] ?? storage?["aws"]
            let sse = (s3?["sse"] ?? s3?["sse_encryption"]).map { $0.scalarText ?? JSONWriter.encode($0) }
            return .manual(
                "GET /config: storage \(stores.isEmpty ? "not stated" : stores.joined(separator: ", "))"
                    + (sse.map { "; sse: \($0)" }
                        ?? "; no SSE setting in Loki's configuration (the bucket's default encryption may still apply)"),
                fix:
                    "confirm encryption at rest on the bucket or volume (aws s3api get-bucket-encryption) — doctor sends nothing to AWS"
            )
        }
    }
}
