import AWSClient
import Detector
import Foundation
import GrafanaProvision
import TfdriftCore

/// `iam.least_privilege` (seed 1.7, final item 5): a policy document compared with `iam-policy`'s.
struct IAMChecks {
    let context: DoctorContext

    func run(_ recorder: Recorder) async {
        await recorder.check("iam.least_privilege") { compare() }
    }

    struct Grant: Hashable {
        var action: String
        var resource: String
    }

    static func grants(_ policy: JSONValue) -> [Grant] {
        var grants: [Grant] = []
        let statements = policy["Statement"]?.arrayValue ?? policy["Statement"].map { [$0] } ?? []
        for statement in statements where statement["Effect"]?.stringValue == "Allow" {
            func list(_ value: JSONValue?) -> [String] {
                value?.arrayValue?.compactMap(\.stringValue) ?? value?.stringValue.map { [$0] } ?? []
            }
            let actions = list(statement["Action"]) + list(statement["NotAction"]).map { "NotAction:\($0)" }
            let resources = list(statement["Resource"]) + list(statement["NotResource"]).map { "NotResource:\($0)" }
            for action in actions { for resource in resources { grants.append(Grant(action: action, resource: resource)) } }
        }
        return grants
    }

    func compare() -> Outcome {
        let wanted = IAMPolicyBuilder.build(config: context.config, kmsKeyARNs: context.options.kmsKeyARNs)
        let least = wanted.policies.first { $0.principal == IAMPolicyBuilder.detectorPrincipal }
        let leastGrants =
            least.map {
                Set($0.statements.flatMap { s in s.actions.flatMap { a in s.resources.map { Grant(action: a, resource: $0) } } })
            } ?? []
        guard let file = context.options.iamPolicyFile else {
            let summary =
                leastGrants.isEmpty
                ? "the configuration reads nothing from AWS: no policy is needed"
                : "least privilege: \(Set(leastGrants.map(\.action)).sorted().joined(separator: ", ")) on \(Set(leastGrants.map(\.resource)).count) resource(s)"
            return .manual(
                summary + "; no policy given to compare",
                fix:
                    "tfdriftctl doctor --iam-policy role-policy.json (aws iam get-role-policy … --query PolicyDocument > role-policy.json)"
            )
        }
        guard let data = FileManager.default.contents(atPath: file), let policy = try? JSONValue.parse([UInt8](data)) else {
            return .fail(
                "\(file) is not a readable JSON policy document", fix: "pass the policy document (JSON) with --iam-policy")
        }
        let document = policy["PolicyDocument"] ?? policy
        let actual = Self.grants(document)
        var wildcards: [String] = []
        for grant in actual {
            let service = grant.action.split(separator: ":").last ?? ""
            if grant.action == "*" || service == "*" || grant.action.hasPrefix("NotAction:") {
                wildcards.append("action \(grant.action)")
            }
            if grant.resource == "*" || grant.resource.hasPrefix("NotResource:") || grant.resource.hasSuffix(":::*") {
                wildcards.append("\(grant.action) on resource \(grant.resource)")
            }
        }
        let actualSet = Set(actual)
        let extras = actualSet.subtracting(leastGrants).filter { extra in
            !wildcards.contains { $0.contains(extra.action) }
        }
        let missing = leastGrants.subtracting(actualSet).filter { needed in
            !actualSet.contains { $0.action == needed.action && Glob.matches($0.resource, needed.resource) }
        }
        let evidence =
            "\(file): \(Text.count(actual.count, "grant")) (action × resource) against \(Text.count(leastGrants.count, "least-privilege grant"))"
        if !Set(wildcards).isEmpty {
            return .fail(
                evidence + "; wildcards: \(Text.list(Set(wildcards).sorted(), limit: 5))",
                fix: "replace the policy with `tfdriftctl iam-policy` output (seed 1.7: minimise IAM permissions)")
        }
        var notes: [String] = []
        if !missing.isEmpty {
            notes.append(
                "missing (the detector will fail): " + Text.list(missing.map { "\($0.action) \($0.resource)" }.sorted(), limit: 5)
            )
        }
        if !extras.isEmpty {
            notes.append("beyond least privilege: " + Text.list(extras.map { "\($0.action) \($0.resource)" }.sorted(), limit: 5))
        }
        if !missing.isEmpty {
            return .fail(
                evidence + "; " + notes.joined(separator: "; "), fix: "use `tfdriftctl iam-policy` output as the role's policy")
        }
        if !extras.isEmpty {
            return .warn(
                evidence + "; " + notes.joined(separator: "; "),
                fix: "remove the extra permissions (tfdriftctl iam-policy prints the minimum)")
        }
        return .pass(evidence + "; exactly the least privilege")
    }
}

/// `operations.*`, `alerts.thresholds_tuned` (seed 2.5, 3; final items 3, 4, 9, 10, 11): what a
/// program can see of runbooks, rotation, backups and version control; the rest is `manual`.
struct OperationsChecks {
    let context: DoctorContext
    let grafana: GrafanaFacts

    func run(_ recorder: Recorder) async {
        await recorder.check("operations.runbooks") { runbooks() }
        await recorder.check("operations.escalation") {
            .manual(
                "a program cannot know whether the on-call escalation flow is written down and a runbook was rehearsed",
                fix: "write the escalation path into runbooks/README.md and rehearse one runbook per quarter (seed 2.5)")
        }
        await recorder.check("operations.log_rotation") {
            guard let file = context.config.outputs.file else {
                return .skip(
                    "no outputs.file: stdout is rotated by the container runtime or journald",
                    fix: "set log rotation in Docker (max-size) or journald if you collect stdout")
            }
            return .pass(
                "outputs.file \(file.path) rotates at \(Text.bytes(file.maxSizeBytes)), keeping \(Text.count(file.maxFiles, "file")) (max_size_mb, max_files)"
            )
        }
        await recorder.check("operations.backup") { backup() }
        await recorder.check("operations.config_versioned") {
            guard let path = context.configPath else { return .skip("no configuration file") }
            if let root = Self.gitRoot(of: path) { return .pass("\(path) is inside the Git work tree \(root)") }
            return .warn(
                "\(path) is not inside a Git work tree", fix: "keep tfdrift.yaml, alerts/ and dashboards/ in Git (seed 2.5)")
        }
        await recorder.check("operations.baseline") {
            .manual(
                "a one-week baseline (drift volume, false positives) is a measurement over time; doctor sees one moment",
                fix: "run a week with notifications held back, then read the Drift Overview dashboard (seed 3.1)")
        }
        await recorder.check("alerts.thresholds_tuned") { thresholds() }
        await recorder.check("operations.failure_scenarios") {
            let operational = ["tfdrift-detector-silent", "tfdrift-detector-down", "tfdrift-state-stale", "tfdrift-sink-failing"]
            let deployed = Set(grafana.rules.compactMap { $0["uid"]?.stringValue })
            let present = operational.filter(deployed.contains)
            let evidence =
                grafana.client == nil
                ? "Grafana not checked"
                : "operational rules deployed: \(present.isEmpty ? "none" : present.joined(separator: ", "))"
            return .manual(
                evidence
                    + "; whether Falco down, CloudTrail delay, 15 silent minutes, a broken state and memory pressure were rehearsed is not observable",
                fix: "stop Falco, corrupt a state copy, and throttle memory in staging; check the alerts above fire (seed 2.4)")
        }
    }

    func runbooks() -> Outcome {
        guard let profile = grafana.profile else {
            return .fail(
                "alert profile \(context.options.profile): \(grafana.profileError ?? "not found")", fix: "pass --profile")
        }
        guard let directory = context.options.runbooksDirectory ?? context.find("runbooks") else {
            return .fail("no runbooks directory found (pass --runbooks-dir)", fix: "keep runbooks/ beside the config")
        }
        var problems: [String] = []
        var linked = 0
        let rules = profile.groups.flatMap(\.rules)
        for rule in rules {
            guard let runbook = rule.runbook, !runbook.isEmpty else {
                problems.append("\(rule.title): no runbook")
                continue
            }
            let name = (runbook as NSString).lastPathComponent
            if FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(name)) {
                linked += 1
            } else {
                problems.append("\(rule.title): \(name) not in \(directory)")
            }
        }
        // The rules as deployed must link a runbook too (an edit in the UI may have dropped it).
        for rule in grafana.rules {
            let title = rule["title"]?.stringValue ?? "?"
            guard let url = rule["annotations"]?["runbook_url"]?.stringValue else {
                problems.append("\(title) in Grafana: no runbook_url annotation")
                continue
            }
            let name = (url as NSString).lastPathComponent
            if !FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(name)) {
                problems.append("\(title) in Grafana: runbook_url \(Redaction.url(url)) names no runbook in \(directory)")
            }
        }
        let evidence =
            "profile \(profile.name): \(linked) of \(Text.count(rules.count, "rule")) link an existing runbook"
            + (grafana.rules.isEmpty ? "" : "; \(grafana.rules.count) deployed rules checked")
        if !problems.isEmpty {
            return .fail(
                evidence + "; " + Text.list(problems, limit: 5), fix: "add the runbook (runbooks/) and the rule's runbook: key")
        }
        return .pass(evidence)
    }

    func backup() -> Outcome {
        var facts: [String] = []
        if let directory = context.options.dashboardsDirectory ?? context.find("dashboards") {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }) ?? []
            facts.append("\(directory) holds \(Text.count(files.count, "dashboard file"))")
            facts.append(Self.gitRoot(of: directory) != nil ? "it is in a Git work tree" : "it is not in a Git work tree")
        } else {
            facts.append("no dashboards/ directory to export to")
        }
        return .manual(
            facts.joined(separator: "; ") + "; Loki log backups and a rehearsed restore are not observable",
            fix:
                "export regularly (tfdriftctl dashboards export --to dashboards/; tfdriftctl alerts export) and commit; back up Loki's object store; rehearse a restore (seed 2.5)"
        )
    }

    func thresholds() -> Outcome {
        guard let profile = grafana.profile else {
            return .manual("alert profile \(context.options.profile) not loaded", fix: "pass --profile")
        }
        // Built in means as shipped; a local alerts/<name>.yaml may have been tuned already.
        let bundled = profile.source.hasPrefix("built-in ")
        let rules = profile.groups.flatMap(\.rules).filter { $0.datasource == "loki" }
        let thresholds = rules.map { "\($0.title) \($0.thresholdType == "gt" ? ">" : "<") \(Int($0.threshold))" }
        return .manual(
            "profile \(profile.name)\(bundled ? " (built in, as shipped)" : " (\(profile.source))"): \(thresholds.joined(separator: ", "))",
            fix:
                "after a week of baseline, copy the profile, tune the thresholds to your false-positive rate and apply your copy (seed 3.1)"
        )
    }

    static func gitRoot(of path: String) -> String? {
        var directory = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        if !(FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) && isDirectory.boolValue) {
            directory.deleteLastPathComponent()
        }
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path) { return directory.path }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
