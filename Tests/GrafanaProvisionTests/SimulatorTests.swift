import Foundation
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

/// The simulator is only worth something if it rejects what Grafana would reject.
@Suite("Grafana simulator: OpenAPI validation and Grafana's behaviour")
struct SimulatorTests {
    static let auth = ["Authorization": "Bearer sim-token"]

    static func simulator() throws -> GrafanaSimulator {
        GrafanaSimulator(spec: try GrafanaSimulatorServer.spec(), basicAuth: ("admin", "s3cret"), orgs: [1, 2])
    }

    static func call(
        _ simulator: GrafanaSimulator, _ method: String, _ path: String, _ body: JSONNode? = nil,
        headers: [String: String] = auth, query: [String: [String]] = [:]
    ) async -> GrafanaSimulator.Response {
        await simulator.handle(method: method, path: path, query: query, headers: headers, body: body?.bytes ?? [])
    }

    static func rule(uid: String, folder: String = "f1", group: String = "g", receiver: String? = nil) -> JSONNode {
        var rule: [String: JSONNode] = [
            "uid": .string(uid), "orgID": 1, "folderUID": .string(folder), "ruleGroup": .string(group), "title": .string(uid),
            "condition": "B", "noDataState": "OK", "execErrState": "Error", "for": "300s",
            "data": [
                [
                    "refId": "A", "datasourceUid": "loki", "relativeTimeRange": ["from": 600, "to": 0],
                    "model": ["refId": "A", "expr": "sum(count_over_time({job=\"tfdrift-falco\"} [5m]))"],
                ],
                ["refId": "B", "datasourceUid": "__expr__", "model": ["refId": "B", "type": "threshold", "expression": "A"]],
            ],
        ]
        if let receiver { rule["notification_settings"] = ["receiver": .string(receiver)] }
        return .object(rule)
    }

    static func prepareFolderAndLoki(_ simulator: GrafanaSimulator) async {
        _ = await call(simulator, "POST", "/api/folders", ["uid": "f1", "title": "F1"])
        _ = await call(simulator, "POST", "/api/datasources", ["uid": "loki", "name": "Loki", "type": "loki", "access": "proxy"])
    }

    @Test("the OpenAPI document loads and resolves the operations the provisioner uses")
    func operations() throws {
        let spec = try GrafanaSimulatorServer.spec()
        let expected: [(String, String, String)] = [
            ("GET", "/api/datasources/uid/abc", "getDataSourceByUID"),
            ("GET", "/api/datasources/name/Loki", "getDataSourceByName"),
            ("PUT", "/api/datasources/uid/abc", "updateDataSourceByUID"),
            ("GET", "/api/folders/tfdrift", "getFolderByUID"),
            ("POST", "/api/dashboards/db", "postDashboard"),
            ("PUT", "/api/v1/provisioning/folder/tfdrift/rule-groups/tfdrift-drift", "RoutePutAlertRuleGroup"),
            ("PUT", "/api/v1/provisioning/policies", "RoutePutPolicyTree"),
            ("PUT", "/api/v1/provisioning/contact-points/cp1", "RoutePutContactpoint"),
            ("PUT", "/api/v1/provisioning/templates/tfdrift", "RoutePutTemplate"),
        ]
        for (method, path, operationID) in expected {
            #expect(spec.operation(method: method, path: path)?.0.operationID == operationID, "\(method) \(path)")
        }
        #expect(spec.operation(method: "PATCH", path: "/api/v1/provisioning/policies") == nil)
    }

    @Test("bodies that do not match the schema are rejected with the reason, and recorded")
    func rejectsInvalidBodies() async throws {
        let simulator = try Self.simulator()
        await Self.prepareFolderAndLoki(simulator)
        // interval is an integer (seconds) in AlertRuleGroup; a duration string is a type error.
        var group: JSONNode = ["title": "g", "interval": "1m", "rules": [Self.rule(uid: "r1")]]
        var response = await Self.call(simulator, "PUT", "/api/v1/provisioning/folder/f1/rule-groups/g", group)
        #expect(response.status == 400)
        #expect(response.body?["message"]?.stringValue?.contains("body.interval: expected integer, got string") == true)
        // A rule without the required fields.
        group = ["title": "g", "interval": 60, "rules": [["uid": "r1", "title": "x"]]]
        response = await Self.call(simulator, "PUT", "/api/v1/provisioning/folder/f1/rule-groups/g", group)
        #expect(response.status == 400)
        let message = response.body?["message"]?.stringValue ?? ""
        #expect(message.contains("body.rules[0].condition is required"))
        #expect(message.contains("body.rules[0].noDataState is required"))
        // An enum violation and a uid that breaks the pattern.
        var bad = Self.rule(uid: "bad uid!").objectValue!
        bad["noDataState"] = "Quiet"
        response = await Self.call(
            simulator, "PUT", "/api/v1/provisioning/folder/f1/rule-groups/g",
            ["title": "g", "interval": 60, "rules": [.object(bad)]])
        #expect(response.status == 400)
        #expect(response.body?["message"]?.stringValue?.contains("noDataState: \"Quiet\" is not one of") == true)
        #expect(response.body?["message"]?.stringValue?.contains("does not match") == true)
        // Contact point type outside the enum; required settings missing.
        response = await Self.call(
            simulator, "POST", "/api/v1/provisioning/contact-points", ["name": "x", "type": "carrier-pigeon", "settings": [:]])
        #expect(response.status == 400)
        response = await Self.call(simulator, "POST", "/api/v1/provisioning/contact-points", ["name": "x", "type": "slack"])
        #expect(response.status == 400)
        #expect(response.body?["message"]?.stringValue?.contains("settings is required") == true)
        // Query parameter types and enums.
        response = await Self.call(simulator, "GET", "/api/search", query: ["type": ["dash-everything"]])
        #expect(response.status == 400)
        response = await Self.call(simulator, "GET", "/api/folders", query: ["limit": ["many"]])
        #expect(response.status == 400)
        // Not JSON at all.
        let raw = await simulator.handle(
            method: "POST", path: "/api/folders", query: [:], headers: Self.auth, body: Array("{title:".utf8))
        #expect(raw.status == 400)
        // An endpoint Grafana does not have.
        response = await Self.call(simulator, "POST", "/api/v1/provisioning/rules-everything", [:])
        #expect(response.status == 404)
        let rejected = await simulator.rejected
        #expect(rejected.count == 9)
        #expect(await simulator.rules(org: 1).isEmpty)
        #expect(await simulator.responseProblems.isEmpty)
    }

    @Test("authentication: token, basic auth, 401 otherwise; X-Grafana-Org-Id selects the organisation")
    func authentication() async throws {
        let simulator = try Self.simulator()
        #expect(await Self.call(simulator, "GET", "/api/folders", headers: [:]).status == 401)
        #expect(await Self.call(simulator, "GET", "/api/folders", headers: ["Authorization": "Bearer wrong"]).status == 401)
        let basic = "Basic " + Data("admin:s3cret".utf8).base64EncodedString()
        #expect(await Self.call(simulator, "GET", "/api/folders", headers: ["Authorization": basic]).status == 200)
        let wrong = "Basic " + Data("admin:admin".utf8).base64EncodedString()
        #expect(await Self.call(simulator, "GET", "/api/folders", headers: ["Authorization": wrong]).status == 401)
        #expect(await Self.call(simulator, "GET", "/api/health", headers: [:]).status == 200)
        // Org 2 through basic auth; the token is bound to org 1.
        let created = await Self.call(
            simulator, "POST", "/api/folders", ["uid": "o2", "title": "Org two"],
            headers: ["Authorization": basic, "X-Grafana-Org-Id": "2"])
        #expect(created.status == 200)
        #expect(await simulator.withState(org: 2) { $0.folders.map(\.uid) } == ["o2"])
        #expect(await simulator.withState(org: 1) { $0.folders.isEmpty })
        let tokenOtherOrg = await Self.call(
            simulator, "GET", "/api/folders", headers: ["Authorization": "Bearer sim-token", "X-Grafana-Org-Id": "2"])
        #expect(tokenOtherOrg.status == 401)
        #expect(
            await Self.call(simulator, "GET", "/api/folders", headers: ["Authorization": basic, "X-Grafana-Org-Id": "9"]).status
                == 401)
    }

    @Test("data sources: generated ids, 409 on duplicate name or uid, versions, secrets never returned")
    func dataSources() async throws {
        let simulator = try Self.simulator()
        let body: JSONNode = [
            "uid": "loki", "name": "Loki", "type": "loki", "access": "proxy", "url": "http://loki:3100",
            "secureJsonData": ["basicAuthPassword": "pw"],
        ]
        let created = await Self.call(simulator, "POST", "/api/datasources", body)
        #expect(created.status == 200)
        #expect(created.body?["datasource"]?["secureJsonFields"]?["basicAuthPassword"] == .bool(true))
        #expect(!(created.body?.text.contains("\"pw\"") ?? true))
        #expect(await Self.call(simulator, "POST", "/api/datasources", body).status == 409)
        #expect(
            await Self.call(simulator, "POST", "/api/datasources", ["uid": "loki", "name": "Other", "type": "loki"]).status == 409
        )
        let fetched = await Self.call(simulator, "GET", "/api/datasources/uid/loki")
        #expect(fetched.body?["version"] == 1)
        var update = body.objectValue!
        update["version"] = 7
        #expect(await Self.call(simulator, "PUT", "/api/datasources/uid/loki", .object(update)).status == 409)
        update["version"] = 1
        update["secureJsonData"] = nil
        let updated = await Self.call(simulator, "PUT", "/api/datasources/uid/loki", .object(update))
        #expect(updated.status == 200)
        #expect(updated.body?["datasource"]?["version"] == 2)
        #expect(await simulator.withState { $0.dataSources[0].secure } == ["basicAuthPassword": "pw"])
        await simulator.withState { $0.dataSources[0].fields["readOnly"] = true }
        #expect(await Self.call(simulator, "PUT", "/api/datasources/uid/loki", .object(update)).status == 403)
        #expect(await simulator.responseProblems.isEmpty)
    }

    @Test("dashboards: version conflicts answer 412 unless overwrite; provisioned dashboards refuse changes")
    func dashboards() async throws {
        let simulator = try Self.simulator()
        _ = await Self.call(simulator, "POST", "/api/folders", ["uid": "f1", "title": "F1"])
        let first = await Self.call(
            simulator, "POST", "/api/dashboards/db", ["dashboard": ["uid": "d1", "title": "One"], "folderUid": "f1"])
        #expect(first.status == 200)
        #expect(first.body?["version"] == 1)
        let stale = await Self.call(
            simulator, "POST", "/api/dashboards/db",
            ["dashboard": ["uid": "d1", "title": "One", "version": 0], "folderUid": "f1"])
        #expect(stale.status == 412)
        #expect(stale.body?["status"] == "version-mismatch")
        let current = await Self.call(
            simulator, "POST", "/api/dashboards/db",
            ["dashboard": ["uid": "d1", "title": "One", "version": 1], "folderUid": "f1"])
        #expect(current.body?["version"] == 2)
        let forced = await Self.call(
            simulator, "POST", "/api/dashboards/db",
            ["dashboard": ["uid": "d1", "title": "One"], "folderUid": "f1", "overwrite": true])
        #expect(forced.status == 200)
        let fetched = await Self.call(simulator, "GET", "/api/dashboards/uid/d1")
        #expect(fetched.body?["meta"]?["folderUid"] == "f1")
        #expect(fetched.body?["dashboard"]?["version"] == 3)
        #expect(
            await Self.call(
                simulator, "POST", "/api/dashboards/db", ["dashboard": ["uid": "d2", "title": "Two"], "folderUid": "nope"]
            )
            .status == 400)
        await simulator.withState { $0.dashboards[0].provisioned = true }
        #expect(await Self.call(simulator, "DELETE", "/api/dashboards/uid/d1").status == 400)
        let search = await Self.call(simulator, "GET", "/api/search", query: ["type": ["dash-db"], "folderUIDs": ["f1"]])
        #expect(search.body?.arrayValue?.count == 1)
        #expect(await simulator.responseProblems.isEmpty)
    }

    @Test("rule groups: replace semantics, Grafana's defaults filled in, references checked, provenance")
    func ruleGroups() async throws {
        let simulator = try Self.simulator()
        await Self.prepareFolderAndLoki(simulator)
        let path = "/api/v1/provisioning/folder/f1/rule-groups/g"
        var response = await Self.call(
            simulator, "PUT", path, ["title": "g", "interval": 60, "rules": [Self.rule(uid: "r1"), Self.rule(uid: "r2")]])
        #expect(response.status == 200)
        let stored = response.body?["rules"]?.arrayValue ?? []
        #expect(stored.count == 2)
        #expect(stored.first?["for"] == "5m")
        #expect(stored.first?["provenance"] == "api")
        #expect(stored.first?["data"]?.arrayValue?.first?["model"]?["intervalMs"] == 1000)
        #expect(stored.first?["data"]?.arrayValue?.first?["model"]?["maxDataPoints"] == 43200)
        // Replace: r2 disappears.
        response = await Self.call(simulator, "PUT", path, ["title": "g", "interval": 60, "rules": [Self.rule(uid: "r1")]])
        #expect(response.body?["rules"]?.arrayValue?.count == 1)
        // 45 s is not a multiple of the 10 s scheduler interval.
        response = await Self.call(simulator, "PUT", path, ["title": "g", "interval": 45, "rules": [Self.rule(uid: "r1")]])
        #expect(response.status == 400)
        // An unknown receiver, an unknown data source, a condition that names no query.
        response = await Self.call(
            simulator, "PUT", path, ["title": "g", "interval": 60, "rules": [Self.rule(uid: "r1", receiver: "nobody")]])
        #expect(response.body?["message"]?.stringValue?.contains("receiver 'nobody' does not exist") == true)
        var rule = Self.rule(uid: "r1").objectValue!
        rule["condition"] = "C"
        response = await Self.call(simulator, "PUT", path, ["title": "g", "interval": 60, "rules": [.object(rule)]])
        #expect(response.status == 400)
        // X-Disable-Provenance leaves the rules editable in the UI; a file-provisioned group refuses the API.
        var headers = Self.auth
        headers["X-Disable-Provenance"] = "true"
        response = await Self.call(
            simulator, "PUT", path, ["title": "g", "interval": 60, "rules": [Self.rule(uid: "r1")]], headers: headers)
        #expect(response.body?["rules"]?.arrayValue?.first?["provenance"] == nil)
        await simulator.withState { state in
            for index in state.rules.indices { state.rules[index]["provenance"] = "file" }
        }
        response = await Self.call(simulator, "PUT", path, ["title": "g", "interval": 60, "rules": [Self.rule(uid: "r1")]])
        #expect(response.status == 403)
        #expect(await Self.call(simulator, "DELETE", path).status == 403)
        #expect(await simulator.responseProblems.isEmpty)
    }

    @Test("contact points: secrets redacted on GET, [REDACTED] keeps them on PUT, in-use points cannot be deleted")
    func contactPoints() async throws {
        let simulator = try Self.simulator()
        let created = await Self.call(
            simulator, "POST", "/api/v1/provisioning/contact-points",
            [
                "uid": "slack1", "name": "team-slack", "type": "slack",
                "settings": ["url": "https://hooks.slack.com/services/T/B/X"],
            ])
        #expect(created.status == 202)
        let listed = await Self.call(simulator, "GET", "/api/v1/provisioning/contact-points", query: ["name": ["team-slack"]])
        #expect(listed.body?.arrayValue?.first?["settings"]?["url"] == "[REDACTED]")
        #expect(listed.body?.arrayValue?.first?["provenance"] == "api")
        let kept = await Self.call(
            simulator, "PUT", "/api/v1/provisioning/contact-points/slack1",
            ["uid": "slack1", "name": "team-slack", "type": "slack", "settings": ["url": "[REDACTED]", "title": "t"]])
        #expect(kept.status == 202)
        #expect(await simulator.withState { $0.contactPoints.last?.settings["url"] } == "https://hooks.slack.com/services/T/B/X")
        // The policy tree uses it: deleting it is refused.
        let tree: JSONNode = [
            "receiver": "grafana-default-email",
            "routes": [["receiver": "team-slack", "object_matchers": [["team", "=", "a"]]]],
        ]
        #expect(await Self.call(simulator, "PUT", "/api/v1/provisioning/policies", tree).status == 202)
        #expect(await Self.call(simulator, "DELETE", "/api/v1/provisioning/contact-points/slack1").status == 409)
        // A tree naming a receiver that does not exist, or with a malformed matcher, is refused.
        let unknown: JSONNode = ["receiver": "grafana-default-email", "routes": [["receiver": "ghost"]]]
        #expect(await Self.call(simulator, "PUT", "/api/v1/provisioning/policies", unknown).status == 400)
        let malformed: JSONNode = [
            "receiver": "grafana-default-email", "routes": [["receiver": "team-slack", "object_matchers": [["team", "=="]]]],
        ]
        #expect(await Self.call(simulator, "PUT", "/api/v1/provisioning/policies", malformed).status == 400)
        let policy = await Self.call(simulator, "GET", "/api/v1/provisioning/policies")
        #expect(policy.body?["provenance"] == "api")
        #expect(await simulator.responseProblems.isEmpty)
    }

    @Test("templates and mute timings: optimistic versions, provenance, in-use refusal")
    func templatesAndMuteTimings() async throws {
        let simulator = try Self.simulator()
        let put = await Self.call(
            simulator, "PUT", "/api/v1/provisioning/templates/t1", ["template": "{{ define \"t1\" }}x{{ end }}"])
        #expect(put.status == 202)
        let version = put.body?["version"]?.stringValue ?? ""
        #expect(
            await Self.call(
                simulator, "PUT", "/api/v1/provisioning/templates/t1",
                ["template": "{{ define \"t1\" }}y{{ end }}", "version": "v0"]
            )
            .status == 409)
        #expect(
            await Self.call(
                simulator, "PUT", "/api/v1/provisioning/templates/t1",
                ["template": "{{ define \"t1\" }}y{{ end }}", "version": .string(version)]
            )
            .status == 202)
        let timing: JSONNode = ["name": "weekend", "time_intervals": [["weekdays": ["saturday", "sunday"]]]]
        #expect(await Self.call(simulator, "POST", "/api/v1/provisioning/mute-timings", timing).status == 201)
        #expect(await Self.call(simulator, "POST", "/api/v1/provisioning/mute-timings", timing).status == 409)
        let badTime: JSONNode = ["name": "night", "time_intervals": [["times": [["start_time": "25:00", "end_time": "26:00"]]]]]
        #expect(await Self.call(simulator, "POST", "/api/v1/provisioning/mute-timings", badTime).status == 400)
        await simulator.withState { $0.muteTimings["weekend"]?.provenance = "file" }
        #expect(await Self.call(simulator, "PUT", "/api/v1/provisioning/mute-timings/weekend", timing).status == 403)
        #expect(await simulator.responseProblems.isEmpty)
    }

    @Test("over HTTP: injected 429s come back with Retry-After, and the log records every request")
    func overHTTP() async throws {
        let simulator = try Self.simulator()
        await simulator.inject(status: 429, retryAfter: "1")
        let statuses = try await GrafanaSimulatorServer.with(simulator) { base in
            let transport = try AHCTransport()
            var results: [Int] = []
            for _ in 0..<2 {
                let response = try await transport.send(
                    HTTPRequest(
                        method: "POST", url: base.appendingPathComponent("api/folders"),
                        headers: [("Authorization", "Bearer sim-token"), ("Content-Type", "application/json")],
                        body: Array(#"{"uid":"f9","title":"Nine"}"#.utf8)))
                results.append(response.status)
                if response.status == 429 { #expect(response.header("Retry-After") == "1") }
            }
            return results
        }
        #expect(statuses == [429, 200])
        #expect(await simulator.writes.count == 2)
        #expect(await simulator.requests.map(\.operationID) == ["createFolder", "createFolder"])
    }
}

extension GrafanaSimulator {
    func rules(org: Int) -> [[String: JSONNode]] { withState(org: org) { $0.rules } }
}
