import Foundation
import TfdriftCore

/// `grafana.default_admin_password` without locking anyone out.
///
/// Grafana counts every refused password for an existing user toward its brute-force protection
/// (`pkg/services/loginattempt`: 5 attempts per user name within 5 minutes by default, for API basic auth
/// as for the login form; a blocked login answers 401 with `messageId: login-attempt.blocked`, even with the
/// right password). A doctor in cron that tried admin/admin on every run would lock the real admin out.
/// So the login is tried only when nothing else answers the question, at most once a day per Grafana,
/// and only once the attempt is written down (`LoginProbeLedger`); a refusal is remembered and reported
/// with its date until then. A successful login (the default password works) is not counted by Grafana,
/// so that result is checked again on the next run.
struct DefaultAdminProbe {
    let context: GrafanaCheckContext

    /// How long a refused probe answers for Grafana.
    static let interval: TimeInterval = 86400

    var grafana: GrafanaConfig { context.grafana }
    var key: String { Redaction.url(grafana.url) }

    func outcome() async -> Outcome {
        if grafana.username == "admin", grafana.password?.value == "admin" {
            return .fail(
                "the configuration itself logs in as admin/admin (not probed)",
                fix: "change the admin password (grafana-cli admin reset-admin-password) and use a service-account token")
        }
        // Other evidence: the configured admin login works with another password.
        if grafana.username?.lowercased() == "admin", let password = grafana.password?.value, !password.isEmpty,
            password != "admin", await context.probes.credentialError == nil
        {
            return .pass(
                "the configured admin login works with a password other than admin, so admin/admin is refused (not probed)")
        }
        let now = context.doctor.now
        guard let path = context.doctor.options.loginProbeState else {
            return .manual(
                "not probed: doctor has nowhere to remember login probes (no HOME or XDG_STATE_HOME), and probing on every run would count toward Grafana's brute-force lockout of admin",
                fix: "pass --state-file PATH, or check by hand that admin/admin does not log in")
        }
        var ledger = LoginProbeLedger(path: path)
        if let last = ledger.entries[key], now.timeIntervalSince(last.at) < Self.interval, last.result != .accepted {
            let next = Timestamp.format(last.at.addingTimeInterval(Self.interval))
            let when = "at \(Timestamp.format(last.at))"
            let why =
                "doctor tries the login at most once a day (until \(next)): Grafana counts each refused login toward locking the account"
            switch last.result {
            case .refused:
                return .pass("admin/admin was refused when tried \(when) (\(last.status.map { "HTTP \($0)" } ?? "")); \(why)")
            case .locked: return Self.locked("when tried \(when)", why: why)
            case .unknown:
                return .warn(
                    "the login try \(when) did not complete; \(why)", fix: "check by hand that admin/admin does not log in")
            case .accepted: break
            }
        }
        // Written down before it is sent: a run that dies mid-probe still counts as a try.
        do {
            ledger.entries[key] = LoginProbeLedger.Entry(at: now, result: .unknown, status: nil)
            try ledger.save()
        } catch {
            return .manual(
                "not probed: cannot remember login probes in \(path) (\(error)); probing without a record could lock out admin when doctor runs often",
                fix: "make \(path) writable, pass --state-file PATH, or check by hand that admin/admin does not log in")
        }
        let result = await probe()
        ledger.entries[key] = LoginProbeLedger.Entry(at: now, result: result.result, status: result.status)
        try? ledger.save()
        return result.outcome
    }

    static func locked(_ when: String, why: String? = nil) -> Outcome {
        .warn(
            "the admin login is locked by Grafana's brute-force protection \(when) (401, login-attempt.blocked): too many refused passwords for admin in the last 5 minutes, so whether admin/admin works cannot be told"
                + (why.map { "; \($0)" } ?? ""),
            fix:
                "find what fails to log in as admin (Grafana's log: \"too many consecutive incorrect login attempts\"), then wait 5 minutes"
        )
    }

    func probe() async -> (result: LoginProbeLedger.Result, status: Int?, outcome: Outcome) {
        guard let url = URL.joining(grafana.url, "/api/user") else { return (.unknown, nil, .skip("bad URL")) }
        let header = "Basic " + Data("admin:admin".utf8).base64EncodedString()
        switch await context.probes.prober.get(url, headers: [("Authorization", header), ("Accept", "application/json")]) {
        case .failure(let error): return (.unknown, nil, .warn("the single login probe did not complete: \(error)", fix: ""))
        case .success(let response):
            let evidence =
                "one GET /api/user as admin/admin → \(response.status) (at most once a day; skip with --skip grafana.default_admin_password)"
            if response.status == 200 {
                return (
                    .accepted, 200,
                    .fail(
                        evidence + ": the default password still works",
                        fix:
                            "change it now: grafana-cli admin reset-admin-password, or [security] admin_password for new installs"
                    )
                )
            }
            let messageID = (try? JSONValue.parse(response.body))?["messageId"]?.stringValue
            if messageID == "login-attempt.blocked" { return (.locked, response.status, Self.locked("right now")) }
            if [400, 401, 403].contains(response.status) { return (.refused, response.status, .pass(evidence + ": refused")) }
            return (.unknown, response.status, .warn(evidence, fix: "check by hand that admin/admin does not log in"))
        }
    }
}

/// The login probes doctor made, per Grafana (URL without credentials): a small JSON file, so that
/// doctor in cron or CI tries admin/admin at most once a day.
struct LoginProbeLedger {
    enum Result: String {
        case accepted, refused, locked, unknown
    }

    struct Entry {
        var at: Date
        var result: Result
        var status: Int?
    }

    let path: String
    var entries: [String: Entry] = [:]

    init(path: String) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path), let json = try? JSONValue.parse([UInt8](data)) else {
            return
        }
        for (key, value) in json["grafana"]?.objectValue ?? [:] {
            guard let at = value["probed_at"]?.stringValue.flatMap(Timestamp.parse),
                let result = value["result"]?.stringValue.flatMap(Result.init(rawValue:))
            else { continue }
            entries[key] = Entry(at: at, result: result, status: value["status"]?.intValue)
        }
    }

    func save() throws {
        var grafana: [String: JSONValue] = [:]
        for (key, entry) in entries {
            grafana[key] = [
                "probed_at": .string(Timestamp.format(entry.at)), "result": .string(entry.result.rawValue),
                "status": entry.status.map { JSONValue($0) } ?? .null,
            ]
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try Data(JSONWriter.pretty(["grafana": .object(grafana)]).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
