import Foundation
import Logging
import TfdriftCore

/// What `tfdriftctl doctor` was asked to look at beyond the configuration.
public struct DoctorOptions: Sendable {
    /// The running detector (`https://detector:8080`); without it the detector checks are skipped.
    public var detectorURL: String?
    /// TLS for talking to the detector: its CA, and a client certificate when it requires mTLS.
    public var detectorTLS = TLSClientSettings()
    /// Alert profile: `small`, `large` or a path.
    public var profile = "small"
    /// Dashboards directory (default: `dashboards/` in a search directory).
    public var dashboardsDirectory: String?
    /// Runbooks directory (default: `runbooks/` in a search directory).
    public var runbooksDirectory: String?
    /// An IAM policy document (JSON) to compare with iam-policy's least privilege.
    public var iamPolicyFile: String?
    /// Customer-managed KMS keys, as for `iam-policy --kms-key-arn`.
    public var kmsKeyARNs: [String] = []
    /// Send a test notification through every contact point our alerts use.
    public var sendTest = false
    /// How far ahead maintenance windows must be covered.
    public var horizon: TimeInterval = 14 * 86400
    /// Where doctor remembers its admin/admin login probes (at most one a day per Grafana, so doctor in cron
    /// never adds up to Grafana's brute-force lockout); nil: the probe is not made.
    public var loginProbeState: String?
    public var selection: CheckSelection
    /// Where `dashboards/`, `alerts/` and `runbooks/` are looked for: the working directory, then the config's.
    public var searchDirectories: [String]

    public init(selection: CheckSelection = .everything, searchDirectories: [String] = []) {
        self.selection = selection
        self.searchDirectories = searchDirectories
    }
}

/// How doctor reaches the world: an HTTP transport per TLS setting, a clock, the environment.
public struct DoctorEnvironment: Sendable {
    public var makeTransport: @Sendable (_ tls: TLSClientSettings, _ caHint: String) throws -> any HTTPTransport
    public var now: @Sendable () -> Date
    public var variables: [String: String]
    public var logger: Logger
    /// Per-request deadline for probes.
    public var timeout: Duration

    public init(
        makeTransport: @escaping @Sendable (_ tls: TLSClientSettings, _ caHint: String) throws -> any HTTPTransport,
        now: @escaping @Sendable () -> Date = Date.init, variables: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "tfdrift.doctor"), timeout: Duration = .seconds(10)
    ) {
        self.makeTransport = makeTransport
        self.now = now
        self.variables = variables
        self.logger = logger
        self.timeout = timeout
    }
}

/// The production-readiness checklist (seed sections 2 and 6), verified. Every probe is read-only:
/// GETs against Grafana, Loki and the detector, at most one login attempt a day for admin/admin, and one
/// unauthenticated POST with an empty body to see the detector refuse it. `--send-test` is the only
/// option that makes Grafana do something (send a test notification).
public struct DoctorRunner: Sendable {
    public let configPath: String?
    public let options: DoctorOptions
    public let environment: DoctorEnvironment

    public init(configPath: String?, options: DoctorOptions, environment: DoctorEnvironment) {
        self.configPath = configPath
        self.options = options
        self.environment = environment
    }

    public func run() async -> DoctorReport {
        let recorder = Recorder(selection: options.selection)
        let loaded = ConfigChecks.load(configPath: configPath, variables: environment.variables, recorder: recorder)
        guard let config = loaded else {
            for id in CheckCatalog.ids where id != "config.valid" {
                recorder.skip(
                    id, evidence: "not checked: the configuration did not load", fix: "fix the configuration (see config.valid)")
            }
            return recorder.report()
        }
        let context = DoctorContext(config: config, configPath: configPath, options: options, environment: environment)
        await ConfigChecks(context: context).run(recorder)
        let readiness = await DetectorChecks(context: context).run(recorder)
        await StateChecks(context: context, readiness: readiness).run(recorder)
        await SampleChecks(context: context).run(recorder)
        let grafana = await GrafanaChecks.run(context, recorder)
        await LokiChecks(context: context).run(recorder)
        await MaintenanceChecks(context: context, grafana: grafana).run(recorder)
        await IAMChecks(context: context).run(recorder)
        await OperationsChecks(context: context, grafana: grafana).run(recorder)
        return recorder.report()
    }
}

/// What every section needs.
struct DoctorContext: Sendable {
    let config: TfdriftConfig
    let configPath: String?
    let options: DoctorOptions
    let environment: DoctorEnvironment

    var now: Date { environment.now() }

    /// The first `name` (file or directory) in the search directories.
    func find(_ name: String) -> String? {
        for directory in options.searchDirectories {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    func transport(_ tls: TLSClientSettings, hint: String) -> Result<any HTTPTransport, HTTPTransportError> {
        do {
            return .success(try environment.makeTransport(tls, hint))
        } catch let error as HTTPTransportError {
            return .failure(error)
        } catch {
            return .failure(HTTPTransportError(kind: .other, url: hint, reason: "\(error)"))
        }
    }
}

/// What a check concluded.
struct Outcome {
    var status: CheckStatus
    var evidence: String
    var fix: String = ""

    static func pass(_ evidence: String) -> Outcome { Outcome(status: .pass, evidence: evidence) }
    static func warn(_ evidence: String, fix: String) -> Outcome { Outcome(status: .warn, evidence: evidence, fix: fix) }
    static func fail(_ evidence: String, fix: String) -> Outcome { Outcome(status: .fail, evidence: evidence, fix: fix) }
    static func manual(_ evidence: String, fix: String) -> Outcome { Outcome(status: .manual, evidence: evidence, fix: fix) }
    static func skip(_ evidence: String, fix: String = "") -> Outcome { Outcome(status: .skip, evidence: evidence, fix: fix) }
}

/// Collects results; runs a check's probes only when the selection wants them, and reports every
/// listed check exactly once.
final class Recorder {
    let selection: CheckSelection
    private var results: [String: CheckResult] = [:]

    init(selection: CheckSelection) { self.selection = selection }

    /// Whether any of these checks will run (to avoid a shared probe nobody needs).
    func wants(_ ids: String...) -> Bool { ids.contains { selection.runs($0) } }

    func check(_ id: String, _ body: () async -> Outcome) async {
        precondition(CheckCatalog.ids.contains(id), "unknown check id \(id)")
        guard selection.listed(id), results[id] == nil else { return }
        guard selection.runs(id) else {
            record(id, .skip("skipped with --skip; nothing was probed"))
            return
        }
        record(id, await body())
    }

    /// A check computed synchronously (configuration loading happens before anything else).
    func checkNow(_ id: String, _ outcome: Outcome) {
        precondition(CheckCatalog.ids.contains(id), "unknown check id \(id)")
        guard selection.listed(id), results[id] == nil else { return }
        record(id, selection.runs(id) ? outcome : .skip("skipped with --skip; nothing was probed"))
    }

    /// A check whose precondition is missing (no Grafana configured, no detector URL).
    func skip(_ id: String, evidence: String, fix: String = "") {
        precondition(CheckCatalog.ids.contains(id), "unknown check id \(id)")
        guard selection.listed(id), results[id] == nil else { return }
        record(id, selection.runs(id) ? .skip(evidence, fix: fix) : .skip("skipped with --skip; nothing was probed"))
    }

    private func record(_ id: String, _ outcome: Outcome) {
        results[id] = CheckResult(
            id: id, title: CheckCatalog.title(of: id), status: outcome.status, evidence: outcome.evidence, fix: outcome.fix)
    }

    func report() -> DoctorReport {
        // A listed check no section reached (a bug) must not vanish silently.
        for id in CheckCatalog.ids where selection.listed(id) && results[id] == nil {
            record(id, .skip("not evaluated"))
        }
        return DoctorReport(checks: Array(results.values))
    }
}

/// Read-only HTTP probes with a deadline, outcomes as values.
struct Prober: Sendable {
    let transport: any HTTPTransport
    let timeout: Duration

    func get(_ url: URL, headers: [(name: String, value: String)] = []) async -> Result<HTTPResponse, HTTPTransportError> {
        await send(HTTPRequest(method: "GET", url: url, headers: headers, timeout: timeout))
    }

    func send(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPTransportError> {
        do {
            return .success(try await transport.send(request))
        } catch let error as HTTPTransportError {
            return .failure(error)
        } catch {
            return .failure(HTTPTransportError(kind: .other, url: Redaction.url(request.url.absoluteString), reason: "\(error)"))
        }
    }
}

extension URL {
    /// `base` + `path`, keeping a path prefix in `base` (`https://host/grafana` + `/api/health`).
    static func joining(_ base: String, _ path: String) -> URL? {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return URL(string: trimmed + path)
    }

    var isLoopback: Bool {
        guard let host = host?.lowercased() else { return false }
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

enum Text {
    /// "1 resource", "3 resources".
    static func count(_ number: Int, _ noun: String, plural: String? = nil) -> String {
        "\(number) \(number == 1 ? noun : plural ?? noun + "s")"
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f s", value) }

    static func duration(_ seconds: Double) -> String {
        let value = Int(seconds.rounded())
        if value < 120 { return "\(value) s" }
        if value < 7200 { return "\(value / 60) min" }
        if value < 172_800 { return "\(value / 3600) h" }
        return "\(value / 86400) days"
    }

    static func bytes(_ value: Int) -> String {
        if value < 1024 { return "\(value) B" }
        if value < 1 << 20 { return String(format: "%.1f KiB", Double(value) / 1024) }
        if value < 1 << 30 { return String(format: "%.1f MiB", Double(value) / 1_048_576) }
        return String(format: "%.1f GiB", Double(value) / 1_073_741_824)
    }

    static func list(_ items: [String], limit: Int = 8) -> String {
        if items.count <= limit { return items.joined(separator: ", ") }
        return items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
    }

    /// A short quote of a response body for evidence.
    static func quote(_ body: [UInt8], limit: Int = 160) -> String {
        let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
