import Foundation
import TfdriftCore
import Yams

/// `config.*`: the file loads, secrets are not written into it, sources and sinks answer.
struct ConfigChecks {
    let context: DoctorContext

    /// Loads the configuration and records `config.valid`; nil when it does not load.
    static func load(configPath: String?, variables: [String: String], recorder: Recorder) -> TfdriftConfig? {
        guard let configPath else {
            let config = ConfigLoader.defaults(environment: variables)
            recorder.checkNow(
                "config.valid",
                .warn(
                    "no configuration file (looked for ./tfdrift.yaml and ./config.yaml); checked the built-in defaults",
                    fix: "pass --config PATH"))
            return config
        }
        do {
            var config = try ConfigLoader.load(path: configPath, environment: variables)
            config.sourceFile = configPath
            var notes = config.warnings
            for (keyPath, variable) in config.unsetVariables.sorted(by: { $0.key < $1.key }) {
                notes.append("\(keyPath): ${\(variable)} is not set")
            }
            if notes.isEmpty {
                recorder.checkNow("config.valid", .pass("\(configPath) loaded and validated strictly"))
            } else {
                recorder.checkNow(
                    "config.valid",
                    .warn(
                        "\(configPath) loaded with \(Text.count(notes.count, "note")): \(notes.joined(separator: "; "))",
                        fix: "set the missing environment variables and remove the keys tfdriftctl ignores"))
            }
            return config
        } catch {
            recorder.checkNow(
                "config.valid",
                .fail("\(error)", fix: "correct the configuration; `tfdriftctl run --config \(configPath)` shows the same error"))
            return nil
        }
    }

    func run(_ recorder: Recorder) async {
        await recorder.check("config.secrets_inline") { secretsInline() }
        await recorder.check("config.sources_reachable") { sources() }
        await recorder.check("config.sinks_reachable") { await sinks() }
    }

    /// Keys holding secrets, as written in the file (compatibility spellings included).
    static let secretKeyPaths: [[String]] = [
        ["server", "token"], ["outputs", "loki", "password"], ["outputs", "slack", "webhook_url"],
        ["outputs", "webhook", "url"], ["notifications", "slack", "webhook_url"], ["notifications", "webhook", "url"],
        ["grafana", "token"], ["grafana", "password"], ["alertmanager", "password"], ["alertmanager", "token"],
    ]

    func secretsInline() -> Outcome {
        guard let path = context.configPath else { return .skip("no configuration file") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let root = try? Yams.compose(yaml: text) else {
            return .skip("cannot re-read \(path)")
        }
        var inline: [String] = []
        var fromEnvironment: [String] = []
        func visit(_ node: Node, _ keyPath: [String]) {
            guard let scalar = node.scalar else { return }
            let name = keyPath.joined(separator: ".")
            if scalar.string.isEmpty { return }
            if scalar.string.contains("${") { fromEnvironment.append(name) } else { inline.append(name) }
        }
        for keyPath in Self.secretKeyPaths {
            var node: Node? = root
            for key in keyPath { node = node?.mapping?[key] }
            if let node { visit(node, keyPath) }
        }
        if let headers = root.mapping?["outputs"]?.mapping?["webhook"]?.mapping?["headers"]?.mapping {
            for (key, value) in headers { visit(value, ["outputs", "webhook", "headers", key.string ?? "?"]) }
        }
        if !inline.isEmpty {
            return .warn(
                "\(path) holds \(Text.count(inline.count, "secret")) inline: \(inline.sorted().joined(separator: ", ")) (values not shown)",
                fix:
                    "use \"${VAR}\" or the *_file variant (e.g. token_file: /run/secrets/…) and keep the file free of credentials"
            )
        }
        let note =
            fromEnvironment.isEmpty
            ? "no secrets in the file" : "from the environment: \(fromEnvironment.sorted().joined(separator: ", "))"
        return .pass("no secret is written inline in \(path) (\(note); *_file variants are files)")
    }

    func sources() -> Outcome {
        let cloudTrail = context.config.cloudTrail
        var good: [String] = []
        var missing: [String] = []
        var notProbed: [String] = []
        for path in cloudTrail.logPaths {
            if FileManager.default.isReadableFile(atPath: path) { good.append("\(path) readable") } else { missing.append(path) }
        }
        if let bucket = cloudTrail.s3Bucket { notProbed.append("s3://\(bucket)/\(cloudTrail.s3Prefix ?? "")") }
        if let queue = cloudTrail.sqsQueue { notProbed.append("SQS \(queue)") }
        if context.config.server.enabled, context.configPath != nil {
            good.append("HTTP ingest on \(context.config.server.listen) (probed by detector.* with --detector-url)")
        }
        if !missing.isEmpty {
            return .fail(
                "log_paths not readable: \(missing.joined(separator: ", "))"
                    + (good.isEmpty ? "" : "; fine: \(good.joined(separator: ", "))"),
                fix: "correct providers.aws.cloudtrail.log_paths (relative paths resolve against the config file's directory)")
        }
        if !notProbed.isEmpty {
            return .manual(
                "not probed from here (doctor sends nothing to AWS): \(notProbed.joined(separator: ", "))"
                    + (good.isEmpty ? "" : "; fine: \(good.joined(separator: ", "))"),
                fix:
                    "confirm with the detector's role: aws sqs get-queue-attributes --queue-url … / aws s3 ls s3://bucket/prefix; the running detector's /readyz and tfdrift_events_received_total show the source delivering"
            )
        }
        if good.isEmpty {
            return .warn(
                "no CloudTrail source configured (no log_paths, s3_bucket, sqs_queue, no HTTP ingest)",
                fix:
                    "configure providers.aws.cloudtrail.sqs_queue (seed 1.2: SQS notifications cut the delay) or server: for Falco"
            )
        }
        return .pass(good.joined(separator: "; "))
    }

    /// Whether the detector's Loki push would be accepted: `/ready` (Loki is up), then an authenticated read
    /// with the detector's own credentials and tenant (a gateway that refuses them refuses the push too; a
    /// read sends nothing into Loki).
    func lokiAccepts(_ loki: LokiConfig) async -> Result<String, ProbeError> {
        let transport: any HTTPTransport
        switch context.transport(TLSClientSettings(caFile: loki.caFile), hint: "outputs.loki.ca_file") {
        case .failure(let error): return .failure(ProbeError("Loki: \(error)"))
        case .success(let made): transport = made
        }
        let prober = Prober(transport: transport, timeout: context.environment.timeout)
        guard let ready = URL.joining(loki.url, "/ready"), let labels = URL.joining(loki.url, "/loki/api/v1/labels") else {
            return .failure(ProbeError("Loki: outputs.loki.url is not a URL"))
        }
        switch await prober.get(ready) {
        case .success(let response) where response.status == 200: break
        case .success(let response):
            return .failure(ProbeError("Loki GET /ready answered \(response.status) \(Text.quote(response.body))"))
        case .failure(let error): return .failure(ProbeError("Loki: \(error)"))
        }
        let credentials = LokiChecks.credentialKeys(loki)
        switch await prober.get(labels, headers: LokiChecks.authHeaders(loki)) {
        case .success(let response) where response.status == 401 || response.status == 403:
            let keys = credentials.isEmpty ? "set outputs.loki.username and password_file (or password)" : "check \(credentials)"
            return .failure(
                ProbeError(
                    "Loki \(Redaction.url(loki.url)) refused the detector's \(credentials.isEmpty ? "anonymous request" : "credentials"): GET /loki/api/v1/labels → \(response.status); \(keys)"
                ))
        case .success(let response) where (200..<300).contains(response.status):
            return .success(
                "Loki \(Redaction.url(loki.url)) ready and accepting \(credentials.isEmpty ? "anonymous requests" : "the configured credentials")"
            )
        case .success(let response):
            return .failure(ProbeError("Loki GET /loki/api/v1/labels answered \(response.status) \(Text.quote(response.body))"))
        case .failure(let error): return .failure(ProbeError("Loki: \(error)"))
        }
    }

    func sinks() async -> Outcome {
        let outputs = context.config.outputs
        var good: [String] = []
        var bad: [String] = []
        var notProbed: [String] = []
        if outputs.stdout { good.append("stdout") }
        if let file = outputs.file {
            let directory = (file.path as NSString).deletingLastPathComponent
            let target = directory.isEmpty ? "." : directory
            if FileManager.default.isWritableFile(atPath: target) {
                good.append("file \(file.path) (directory writable)")
            } else {
                bad.append("file \(file.path): directory \(target) missing or not writable")
            }
        }
        if let loki = outputs.loki {
            switch await lokiAccepts(loki) {
            case .success(let note): good.append(note)
            case .failure(let problem): bad.append(problem.description)
            }
        }
        if let slack = outputs.slack {
            notProbed.append("Slack \(Redaction.secretURL(slack.webhookURL.value))")
        }
        if let webhook = outputs.webhook { notProbed.append("webhook \(Redaction.secretURL(webhook.url.value))") }
        let notProbedText =
            notProbed.isEmpty ? "" : "; not probed (any request would post a message): \(notProbed.joined(separator: ", "))"
        if !bad.isEmpty {
            return .fail(
                bad.joined(separator: "; ") + (good.isEmpty ? "" : "; fine: \(good.joined(separator: ", "))") + notProbedText,
                fix: "make the sink reachable from the detector's host (URL, network path, ca_file), or remove it")
        }
        if good.isEmpty, notProbed.isEmpty {
            return .fail(
                "no sink configured: drift events would go nowhere", fix: "enable outputs.stdout, outputs.file or outputs.loki")
        }
        if !notProbed.isEmpty {
            return .manual(
                (good.isEmpty ? "" : "reachable: \(good.joined(separator: ", "))") + notProbedText,
                fix: "replay a sample (tfdriftctl replay) with the notifier configured and confirm the message arrives (seed 2.1)"
            )
        }
        return .pass("reachable: \(good.joined(separator: ", "))")
    }
}
