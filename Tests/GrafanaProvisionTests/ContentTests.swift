import Foundation
import GrafanaProvision
import Testing
import TfdriftCore

@Suite("Shipped content: profiles, dashboards, runbooks")
struct ContentTests {
    /// SPEC §7 (seed 3.2), exactly: window and threshold per rule and profile.
    static let thresholds: [(profile: String, uid: String, window: String, threshold: Double)] = [
        ("small", "tfdrift-critical-drift", "[5m]", 0), ("small", "tfdrift-high-drift", "[10m]", 2),
        ("small", "tfdrift-excessive-drift", "[1h]", 10),
        ("large", "tfdrift-critical-drift", "[10m]", 3), ("large", "tfdrift-high-drift", "[30m]", 10),
        ("large", "tfdrift-excessive-drift", "[1h]", 50),
    ]

    @Test("the threshold numbers of both profiles match SPEC §7 exactly", arguments: thresholds)
    func profileThresholds(profile: String, uid: String, window: String, threshold: Double) throws {
        let loaded = try Fixture.profile(profile)
        let rule = try #require(loaded.groups.flatMap(\.rules).first { $0.uid == uid })
        #expect(rule.expr.hasPrefix("sum(count_over_time({job=\"tfdrift-falco\""))
        let suffix = " " + window + "))"
        #expect(rule.expr.hasSuffix(suffix))
        #expect(rule.thresholdType == "gt")
        #expect(rule.threshold == threshold)
        #expect(rule.noDataState == "OK")
        let severity = ["tfdrift-critical-drift": "critical", "tfdrift-high-drift": "high"][uid]
        if let severity { #expect(rule.expr.contains("severity=\"\(severity)\"")) }
    }

    @Test(
        "every compiled rule: sum(...) LogQL or PromQL, severity and managed_by labels, a runbook that exists",
        arguments: ["small", "large"])
    func compiledRules(profile: String) throws {
        let loaded = try Fixture.profile(profile, environment: ["TFDRIFT_RUNBOOK_BASE_URL": "https://runbooks.example/tfdrift"])
        let desired = loaded.desiredState(folderUID: "tfdrift", lokiUID: "tfdrift-loki", orgID: 1)
        let rules = desired.ruleGroups.flatMap(\.rules)
        #expect(rules.count == 7)
        let titles = Set(rules.compactMap { $0["title"]?.stringValue })
        #expect(titles.contains("Drift Detector Silent") && titles.contains("Drift Detector Down"))
        for rule in rules {
            let labels = rule["labels"]?.objectValue ?? [:]
            #expect(labels["managed_by"] == "tfdriftctl")
            #expect(["critical", "high", "medium"].contains(labels["severity"]?.stringValue ?? ""))
            let url = try #require(rule["annotations"]?["runbook_url"]?.stringValue)
            #expect(url.hasPrefix("https://runbooks.example/tfdrift/"))
            let file = Repo.path("runbooks/" + url.dropFirst("https://runbooks.example/tfdrift/".count))
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
            // One alert series per rule: Loki queries wrapped in sum(...), Prometheus ones aggregated.
            let query = rule["data"]?.arrayValue?.first
            let expr = query?["model"]?["expr"]?.stringValue ?? ""
            if query?["datasourceUid"] == "tfdrift-loki" {
                #expect(expr.hasPrefix("sum(count_over_time("), "\(expr)")
            } else {
                #expect(expr.hasPrefix("sum(") || expr.hasPrefix("max("), "\(expr)")
            }
            #expect(rule["condition"] == "B")
        }
        #expect(desired.ruleGroups.allSatisfy { $0.intervalSeconds % 10 == 0 })
    }

    @Test("profiles and dashboards are built into the binary, identical to the repository's; a local copy wins")
    func builtIn() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("tfdrift-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(AlertProfile.builtInNames.sorted() == ["large", "small"])
        for name in ["small", "large"] {
            let builtIn = try AlertProfile.named(name, searchDirectories: [empty.path], environment: [:])
            #expect(builtIn.source == "built-in alerts/\(name).yaml")
            let local = try AlertProfile.named(name, searchDirectories: [Repo.root.path], environment: [:])
            #expect(local.source.hasSuffix("alerts/\(name).yaml") && !local.source.hasPrefix("built-in"))
            #expect(builtIn.groups.map(\.name) == local.groups.map(\.name))
            #expect(builtIn.groups.flatMap(\.rules).count == local.groups.flatMap(\.rules).count)
        }
        #expect(throws: ProvisionError.self) { try AlertProfile.named("medium", searchDirectories: [empty.path]) }
        let fromRepository = try DashboardFiles.load(directory: Repo.path("dashboards"), folderUID: "f")
        let builtIn = try DashboardFiles.loadBuiltIn(folderUID: "f")
        #expect(builtIn.map(\.model) == fromRepository.map(\.model))
    }

    @Test("local validation catches bad uids, intervals, conditions, inline secrets and missing sum(...)")
    func localValidation() throws {
        let yaml = """
            runbook_base_url: https://r.example
            contact_points:
              - name: inline
                type: slack
                secure_settings: {url: "https://hooks.slack.com/services/X"}
            groups:
              - name: g
                interval: 45s
                rules:
                  - uid: "bad uid"
                    title: A
                    severity: critical
                    expr: 'count_over_time({job="tfdrift-falco"} [5m])'
                    condition: ">= 1"
                  - uid: ok
                    title: B
                    severity: urgent
                    expr: 'sum(count_over_time({job="tfdrift-falco"} [5m]))'
                    condition: "> 1"
            """
        do {
            _ = try AlertProfile.parse(yaml, source: "bad.yaml")
            Issue.record("an invalid profile loaded")
        } catch {
            let text = "\(error)"
            for expected in [
                "multiple of 10s", "uid must be 1–40", "wrap the LogQL in sum(...)", "condition must be", "never inline",
                "severity must be critical",
            ] {
                #expect(text.contains(expected), "\(expected) missing from: \(text)")
            }
            // Read through YAMLNode: each problem names its key path and line, like tfdrift.yaml's.
            let problems = (error as? ConfigErrors)?.errors ?? []
            #expect(problems.count == 6, "\(problems)")
            #expect(problems.allSatisfy { $0.line != nil && $0.file == "bad.yaml" }, "\(problems)")
            #expect(problems.contains { $0.keyPath == "groups[0].interval" && $0.line == 8 }, "\(problems)")
        }
    }

    @Test("dashboards: uids, relative time, data sources only through variables")
    func dashboards() throws {
        let specs = try DashboardFiles.load(directory: Repo.path("dashboards"), folderUID: "tfdrift")
        #expect(specs.map(\.uid).sorted() == ["tfdrift-details", "tfdrift-health", "tfdrift-overview"])
        let overview = try #require(specs.first { $0.uid == "tfdrift-overview" })
        #expect(JSONWriter.encode(overview.model).contains("action=\\\"drift_detected\\\""))
        let health = try #require(specs.first { $0.uid == "tfdrift-health" })
        for metric in [
            "tfdrift_events_received_total", "tfdrift_event_lag_seconds", "tfdrift_state_last_success_timestamp_seconds",
            "tfdrift_sink_failures_total", "tfdrift_spool_bytes",
        ] {
            #expect(JSONWriter.encode(health.model).contains(metric), "\(metric)")
        }
        var hardCoded = overview.model.objectValue!
        var panels = hardCoded["panels"]!.arrayValue!
        panels[0] = panels[0].setting("datasource", ["type": "loki", "uid": "P8E80F9AEF21F6940"])
        hardCoded["panels"] = .array(panels)
        hardCoded["time"] = ["from": "2024-01-01T00:00:00Z", "to": "now"]
        hardCoded["id"] = 42
        let problems = DashboardFiles.validate(.object(hardCoded))
        #expect(problems.contains { $0.contains("instance uid \"P8E80F9AEF21F6940\"") })
        #expect(problems.contains { $0.contains("time.from must be relative") })
        #expect(problems.contains { $0.contains("remove \"id\"") })
    }
}
