import Foundation
import GrafanaProvision
import TfdriftCore

/// What the running detector said on `/readyz`, for the state checks.
struct DetectorReadiness: Sendable {
    var status: Int
    var body: JSONValue

    var summary: String { "HTTP \(status) \(String(JSONWriter.encode(body).prefix(200)))" }
}

/// `detector.*` and `performance.*` (seed 1.7, 2.2, 2.4): readiness, last event, spool, TLS, token,
/// certificate, metrics. The only non-GET is one POST without a token and with an empty record list,
/// which a correctly configured detector refuses before reading it.
struct DetectorChecks {
    let context: DoctorContext

    var server: ServerConfig { context.config.server }

    func run(_ recorder: Recorder) async -> DetectorReadiness? {
        await recorder.check("detector.tls") { tls() }
        await recorder.check("detector.certificate_expiry") { certificate() }
        await recorder.check("detector.journal") { journal() }
        guard let base = context.options.detectorURL else {
            for id in ["detector.ready", "detector.last_event", "detector.spool", "detector.token", "detector.metrics"] {
                recorder.skip(
                    id, evidence: "no running detector to probe (pass --detector-url)",
                    fix: "tfdriftctl doctor --detector-url https://detector:8080")
            }
            recorder.skip("performance.event_lag", evidence: "no running detector to probe (pass --detector-url)")
            await recorder.check("performance.resources") { resources(metrics: nil) }
            return nil
        }
        let transport: any HTTPTransport
        switch context.transport(context.options.detectorTLS, hint: "--detector-ca-file") {
        case .success(let made): transport = made
        case .failure(let error):
            for id in ["detector.ready", "detector.last_event", "detector.spool", "detector.token", "detector.metrics"] {
                await recorder.check(id) {
                    .fail("\(error)", fix: "check --detector-ca-file, --detector-cert and --detector-key")
                }
            }
            return nil
        }
        let prober = Prober(transport: transport, timeout: context.environment.timeout)
        var readiness: DetectorReadiness?
        var readinessError: String?
        if recorder.wants("detector.ready", "detector.last_event", "detector.spool", "state.freshness"),
            let url = URL.joining(base, "/readyz")
        {
            switch await prober.get(url) {
            case .success(let response):
                if let body = try? JSONValue.parse(response.body) {
                    readiness = DetectorReadiness(status: response.status, body: body)
                } else {
                    readinessError = "GET /readyz answered \(response.status) without JSON: \(Text.quote(response.body))"
                }
            case .failure(let error): readinessError = "\(error)"
            }
        }
        let unreachable = Outcome.fail(
            readinessError ?? "no answer", fix: "check --detector-url and that `tfdriftctl run` serves HTTP (server.listen)")
        await recorder.check("detector.ready") {
            guard let readiness else { return unreachable }
            if readiness.status == 200, readiness.body["ready"]?.boolValue == true {
                return .pass("GET /readyz → 200 ready: state loaded, sinks healthy")
            }
            var reasons: [String] = []
            if let error = readiness.body["state"]?["error"]?.stringValue { reasons.append("state reload failed: \(error)") }
            if readiness.body["state"]?["loaded"]?.boolValue == false { reasons.append("state not loaded") }
            for sink in readiness.body["sinks"]?.arrayValue ?? [] where sink["healthy"]?.boolValue == false {
                reasons.append("sink \(sink["name"]?.stringValue ?? "?") unhealthy: \(sink["detail"]?.stringValue ?? "")")
            }
            return .fail(
                "GET /readyz → \(readiness.status) not ready: \(reasons.isEmpty ? readiness.summary : reasons.joined(separator: "; "))",
                fix: "see the detector's logs and runbooks/state-stale.md or runbooks/sink-failing.md")
        }
        await recorder.check("detector.last_event") {
            guard let readiness else { return unreachable }
            let limit = server.staleAfter
            guard let text = readiness.body["last_event"]?.stringValue, let last = Timestamp.parse(text) else {
                return .warn(
                    "/readyz last_event is null: no CloudTrail event received since the detector started",
                    fix: "check the source (Falco http_output, SQS queue, log paths); runbooks/detector-silent.md")
            }
            let age = max(context.now.timeIntervalSince(last), 0)
            let evidence =
                "last event received \(text), \(Text.duration(age)) ago (limit \(Text.duration(limit)), server.stale_after)"
            if age > limit {
                return .warn(
                    evidence + ": silent for longer than the limit (seed 2.4)",
                    fix:
                        "check the event source; the Drift Detector Silent alert covers this in production (runbooks/detector-silent.md)"
                )
            }
            return .pass(evidence)
        }
        await recorder.check("detector.spool") {
            guard let readiness else { return unreachable }
            let sinks = readiness.body["sinks"]?.arrayValue ?? []
            let spooled = sinks.filter { $0["spool_bytes"] != nil }
            guard !spooled.isEmpty else { return .skip("the detector has no spooling sink (outputs.loki)") }
            let bytes = spooled.reduce(0) { $0 + ($1["spool_bytes"]?.intValue ?? 0) }
            let cap = context.config.outputs.loki?.spoolMaxBytes ?? 512 * 1024 * 1024
            let evidence = "spool holds \(Text.bytes(bytes)) of \(Text.bytes(cap)) (outputs.loki.spool_max_mb)"
            if bytes >= cap * 9 / 10 {
                return .fail(
                    evidence + ": nearly full; new drift events will be refused", fix: "restore Loki (runbooks/sink-failing.md)")
            }
            if bytes > 1 << 20 {
                return .warn(
                    evidence + ": Loki is behind", fix: "check Loki and tfdrift_sink_failures_total (runbooks/sink-failing.md)")
            }
            return .pass(evidence)
        }
        await recorder.check("detector.token") { await token(prober: prober, base: base) }
        var metricsText: String?
        var metricsError: String?
        if recorder.wants("detector.metrics", "performance.event_lag", "performance.resources"),
            let url = URL.joining(base, "/metrics")
        {
            switch await prober.get(url) {
            case .success(let response) where response.status == 200: metricsText = response.text
            case .success(let response): metricsError = "GET /metrics answered \(response.status)"
            case .failure(let error): metricsError = "\(error)"
            }
        }
        await recorder.check("detector.metrics") {
            guard let metricsText else {
                return .fail(metricsError ?? "no answer", fix: "the detector serves /metrics on server.listen")
            }
            // Counters appear with their first sample; these gauges are there from the start.
            var required = ["tfdrift_last_event_timestamp_seconds"]
            if !context.config.states.isEmpty { required.append("tfdrift_state_last_success_timestamp_seconds") }
            let missing = required.filter { !metricsText.contains($0) }
            if !missing.isEmpty {
                return .warn(
                    "GET /metrics lacks \(missing.joined(separator: ", "))",
                    fix: "upgrade the detector; the operational alert rules need them")
            }
            let names = Set(
                metricsText.split(separator: "\n").filter { $0.hasPrefix("tfdrift_") }.compactMap {
                    $0.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init)
                })
            return .pass(
                "GET /metrics → \(Text.count(names.count, "tfdrift_ series name")) including \(required.joined(separator: ", ")); the operational rules read them through Prometheus (job tfdrift)"
            )
        }
        await recorder.check("performance.event_lag") {
            guard let metricsText else { return .skip(metricsError ?? "no metrics") }
            let sum = Self.metricValue(metricsText, "tfdrift_event_lag_seconds_sum")
            let count = Self.metricValue(metricsText, "tfdrift_event_lag_seconds_count")
            guard let sum, let count, count > 0 else {
                return .skip("no event processed yet (tfdrift_event_lag_seconds has no samples)")
            }
            let mean = sum / count
            let evidence =
                "mean lag from eventTime to emission \(Text.duration(mean)) over \(Int(count)) events (tfdrift_event_lag_seconds)"
            if mean > 900 {
                return .warn(
                    evidence + "; above the 5–15 min CloudTrail delivery delay (seed 1.2)",
                    fix: "use SQS notifications instead of polling S3, and check the ingest queue depth")
            }
            return .pass(evidence + "; CloudTrail's own delivery delay (5–15 min via S3, 1–5 via SQS) is included")
        }
        await recorder.check("performance.resources") { resources(metrics: metricsText) }
        return readiness
    }

    /// Read from the config: without the journal a crash (OOM, SIGKILL, a node lost) drops every request
    /// that was answered 202 but not yet processed.
    func journal() -> Outcome {
        guard server.enabled else { return .skip("no HTTP ingest configured (server:)") }
        guard let directory = server.journalDirectory else {
            return .warn(
                "server.journal: false: requests answered 202 but not yet processed are lost if the detector crashes",
                fix: "remove server.journal: false (the journal costs a write and a shared fdatasync per request)")
        }
        // The directory, or the nearest parent the detector would create it in, must be writable.
        var existing = directory
        while !FileManager.default.fileExists(atPath: existing), existing != "/", !existing.isEmpty {
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard FileManager.default.isWritableFile(atPath: existing) else {
            return .fail(
                "server.journal_dir \(directory): \(existing) is not writable; the detector will not start",
                fix: "make \(existing) writable for the detector's user, or point server.journal_dir elsewhere")
        }
        guard server.journalSync else {
            return .warn(
                "journal at \(directory), written without fdatasync (server.journal_sync: false): a killed process "
                    + "loses nothing, a lost machine may lose the last requests",
                fix: "set server.journal_sync: true unless ingest latency matters more than a power cut")
        }
        return .pass("journal at \(directory); every 202 follows an fdatasync")
    }

    func tls() -> Outcome {
        let url = context.options.detectorURL.flatMap(URL.init(string:))
        guard server.enabled || url != nil else {
            return .skip("no HTTP ingest configured (server:) and no --detector-url")
        }
        let configured = server.tlsCertFile != nil
        let mtls = server.clientCAFile != nil
        var facts = ["listen \(server.listen)"]
        facts.append(configured ? "tls_cert_file set" : "no tls_cert_file")
        facts.append(mtls ? "client_ca_file set (mTLS)" : "no client_ca_file (no mTLS)")
        if let url { facts.append("--detector-url scheme \(url.scheme ?? "?")") }
        let evidence = facts.joined(separator: ", ")
        let usesTLS = configured || url?.scheme == "https"
        let loopback =
            server.listen.hasPrefix("127.") || server.listen.hasPrefix("localhost:") || server.listen.hasPrefix("[::1]:")
        if !usesTLS {
            if loopback && (url == nil || url!.isLoopback) {
                return .warn(
                    evidence + ": plain HTTP on loopback",
                    fix:
                        "fine on one host; set server.tls_cert_file/tls_key_file (and client_ca_file) before exposing it (seed 1.7)"
                )
            }
            return .fail(
                evidence + ": Falco → detector traffic is plain HTTP (seed 1.7: man-in-the-middle risk)",
                fix: "set server.tls_cert_file, server.tls_key_file and server.client_ca_file (mTLS for Falco's http_output)")
        }
        if !mtls {
            return .warn(
                evidence + ": TLS without client certificates",
                fix: "set server.client_ca_file so only Falco's certificate is accepted (seed 1.7, final checklist: TLS/mTLS)")
        }
        return .pass(evidence)
    }

    func certificate() -> Outcome {
        guard let file = server.tlsCertFile else { return .skip("no server.tls_cert_file") }
        let validity: CertificateValidity.Validity
        do {
            validity = try CertificateValidity.read(pemFile: file)
        } catch {
            return .fail("\(file): \(error)", fix: "point server.tls_cert_file at a PEM certificate")
        }
        let remaining = validity.notAfter.timeIntervalSince(context.now)
        let evidence = "\(file) valid until \(Timestamp.format(validity.notAfter)) (\(Text.duration(max(remaining, 0))) left)"
        if remaining <= 0 { return .fail(evidence + ": expired", fix: "renew the certificate and restart the detector") }
        if remaining < 30 * 86400 {
            return .warn(evidence + ": expires within 30 days", fix: "renew it now; automate renewal (cert-manager, ACM PCA)")
        }
        return .pass(evidence)
    }

    func token(prober: Prober, base: String) async -> Outcome {
        guard let url = URL.joining(base, "/api/v1/events") else { return .fail("bad --detector-url \(base)", fix: "") }
        // An empty record list: refused with 401 when a token is required, answered 400 ("empty body")
        // when not — either way nothing is ingested.
        let request = HTTPRequest(
            method: "POST", url: url, headers: [("Content-Type", "application/json")], body: Array(#"{"Records":[]}"#.utf8),
            timeout: context.environment.timeout)
        switch await prober.send(request) {
        case .failure(let error): return .fail("\(error)", fix: "check --detector-url")
        case .success(let response):
            let evidence = "POST /api/v1/events without a token → \(response.status)"
            if response.status == 401 || response.status == 403 { return .pass(evidence + ": refused") }
            return .fail(
                evidence + ": accepted without credentials",
                fix: "set server.token (or server.token_file) and give Falco's http_output the same bearer token")
        }
    }

    func resources(metrics: String?) -> Outcome {
        var evidence = "memory and CPU over an hour, a day and a week need the host's or container's monitoring"
        if let metrics, let resident = Self.metricValue(metrics, "process_resident_memory_bytes") {
            evidence += "; now: resident memory \(Text.bytes(Int(resident)))"
        } else {
            evidence += "; the detector does not export process metrics (use cAdvisor, node_exporter or CloudWatch)"
        }
        return .manual(
            evidence,
            fix: "record memory and CPU for a week (seed 2.2: CPU 5–10% idle, ≤ 30% under load) and set container limits")
    }

    /// The first sample of an unlabelled (or summed-up) metric line in Prometheus text format.
    static func metricValue(_ text: String, _ name: String) -> Double? {
        var total: Double?
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            guard rest.first == " " || rest.first == "{" else { continue }
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            total = (total ?? 0) + value
        }
        return total
    }
}
