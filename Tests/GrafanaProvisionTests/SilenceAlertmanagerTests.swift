import Foundation
import GrafanaProvision
import HTTPTransportAHC
import Testing
import TfdriftCore

/// The real Prometheus Alertmanager that scripts/test.sh starts (`scripts/alertmanager.sh`).
enum RealAlertmanager {
    static func url() throws -> String {
        let url = ProcessInfo.processInfo.environment["TFDRIFT_TEST_ALERTMANAGER_URL"] ?? ""
        try #require(
            !url.isEmpty,
            "TFDRIFT_TEST_ALERTMANAGER_URL is not set: run the tests with scripts/test.sh, or start one with eval \"$(scripts/alertmanager.sh env)\""
        )
        return url
    }

    static func api() throws -> AlertmanagerAPI {
        try AlertmanagerAPI(
            standalone: AlertmanagerConfig(url: try url()), transport: try AHCTransport(),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100)))
    }

    /// A manager whose silences no other test shares: its own createdBy and a matcher on its own label.
    static func manager(horizon: Double = 14 * 86400) throws -> (SilenceManager, label: String) {
        let label = "t" + UUID().uuidString.prefix(8).lowercased()
        let options = SilenceOptions(
            horizon: horizon, matchers: [LabelMatcher(name: "tfdrift_test", op: .equal, value: label)],
            createdBy: "tfdriftctl-test-\(label)")
        return (SilenceManager(api: try api(), options: options), label)
    }

    /// A daily UTC window from an hour ago to an hour from now (overnight when that crosses midnight).
    static func dailyWindow(name: String, startOffset: Double = -3600, endOffset: Double = 3600) throws -> MaintenanceWindow {
        func clock(_ offset: Double) -> String {
            let text = Timestamp.format(Date().addingTimeInterval(offset))
            return String(text.dropFirst(11).prefix(5))
        }
        return try SilenceFixture.weekly(
            name, "Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday", clock(startOffset), clock(endOffset), "UTC")
    }
}

@Suite("Silences against a real Prometheus Alertmanager")
struct SilenceAlertmanagerTests {
    @Test("schedule, re-run without duplicates, change (updated), remove (expired); a foreign silence stays; alerts are muted")
    func lifecycle() async throws {
        let (manager, label) = try RealAlertmanager.manager()
        let api = manager.api
        let window = try RealAlertmanager.dailyWindow(name: "Daily \(label)")
        let expected = SilencePlanner.occurrences(
            of: window, now: Date(), until: Date().addingTimeInterval(14 * 86400)
        ).count
        #expect(expected >= 14)

        // Someone else's silence on the same label, made before we start.
        let foreignBody: JSONValue = [
            "matchers": [["name": "tfdrift_test", "value": .string(label), "isRegex": false, "isEqual": true]],
            "startsAt": .string(Timestamp.format(Date())), "endsAt": .string(Timestamp.format(Date().addingTimeInterval(86400))),
            "createdBy": "alice", "comment": "hand-made, not tfdriftctl's",
        ]
        let foreignID = try await api.post(foreignBody)

        // 1. Schedule.
        let plan = try await manager.plan(windows: [window])
        #expect(plan.count(.create) == expected)
        let report = await manager.apply(plan)
        #expect(!report.failed, "\(report.results.compactMap(\.error))")
        var ours = try await manager.list(scope: .ours, states: [.active, .pending])
        #expect(ours.count == expected)
        #expect(ours.filter { $0.state == .active }.count == 1)
        let running = try #require(ours.first { $0.state == .active })
        // The running occurrence started an hour ago; Alertmanager moved the start to now.
        #expect(abs(running.startsAt.timeIntervalSinceNow) < 120)
        #expect(running.comment.contains("[tfdriftctl window=\"Daily \(label)\""))

        // 2. Re-run: nothing to change, nothing created.
        let again = try await manager.plan(windows: [window])
        #expect(!again.hasChanges, "\(again.changes.map { ($0.kind, $0.tag.occurrence, $0.fields.map(\.path)) })")
        #expect(await manager.apply(again).results.isEmpty)
        #expect(try await manager.list(scope: .ours, states: [.active, .pending]).count == expected)

        // 3. The silence actually mutes an alert carrying our label.
        let alertmanagerURL = try RealAlertmanager.url()
        let transport = try AHCTransport()
        let alert: JSONValue = [
            [
                "labels": ["alertname": "TfdriftSilenceTest", "tfdrift_test": .string(label)],
                "startsAt": .string(Timestamp.format(Date())),
                "endsAt": .string(Timestamp.format(Date().addingTimeInterval(600))),
            ]
        ]
        let posted = try await transport.send(
            HTTPRequest(
                method: "POST", url: URL(string: alertmanagerURL + "/api/v2/alerts")!,
                headers: [("Content-Type", "application/json")], body: JSONWriter.encodeBytes(alert)))
        #expect(posted.status == 200, "\(posted.text)")
        let mine = try await api.alerts().filter { $0["labels"]?["tfdrift_test"]?.stringValue == label }
        #expect(mine.count == 1)
        #expect(mine.first?["status"]?["state"] == "suppressed", "\(mine)")
        #expect(mine.first?["status"]?["silencedBy"]?.arrayValue?.contains(.string(running.id)) == true, "\(mine)")

        // 4. The window changes (ends 30 minutes later): every silence is updated, none duplicated.
        let changed = try RealAlertmanager.dailyWindow(name: "Daily \(label)", endOffset: 5400)
        let update = try await manager.plan(windows: [changed])
        #expect(update.count(.update) == expected && update.count(.create) == 0, "\(update.actions.map(\.kind))")
        let updated = await manager.apply(update)
        #expect(!updated.failed, "\(updated.results.compactMap(\.error))")
        // Alertmanager cannot move an active silence's end in place after clamping its start: it replaced
        // that one (new id, old expired); pending ones keep their ids.
        let replaced = updated.results.filter { $0.replaced != nil }
        #expect(replaced.count <= 1)
        ours = try await manager.list(scope: .ours, states: [.active, .pending])
        #expect(ours.count == expected)
        let newEnds = Set(
            SilencePlanner.occurrences(of: changed, now: Date(), until: Date().addingTimeInterval(14 * 86400)).map(\.end))
        #expect(ours.allSatisfy { silence in newEnds.contains { abs($0.timeIntervalSince(silence.endsAt)) < 1 } })
        #expect(!(try await manager.plan(windows: [changed])).hasChanges)
        let stillMuted = try await api.alerts().filter { $0["labels"]?["tfdrift_test"]?.stringValue == label }
        #expect(stillMuted.first?["status"]?["state"] == "suppressed")

        // 5. The window is removed: all our silences expire; the foreign one is untouched.
        let removal = try await manager.plan(windows: [])
        #expect(removal.count(.expire) == expected)
        #expect(!(await manager.apply(removal)).failed)
        #expect(try await manager.list(scope: .ours, states: [.active, .pending]).isEmpty)
        let foreign = try #require(try await api.silence(id: foreignID))
        #expect(foreign.state == .active && foreign.createdBy == "alice")
        _ = try await api.expire(id: foreignID)
    }

    @Test("quirks: an end in the past is rejected (ended occurrences are skipped), DELETE of an unknown id answers 500")
    func quirks() async throws {
        let (manager, label) = try RealAlertmanager.manager()
        let api = manager.api
        let pastBody: JSONValue = [
            "matchers": [["name": "tfdrift_test", "value": .string(label), "isRegex": false, "isEqual": true]],
            "startsAt": .string(Timestamp.format(Date().addingTimeInterval(-7200))),
            "endsAt": .string(Timestamp.format(Date().addingTimeInterval(-3600))),
            "createdBy": "tfdriftctl-test", "comment": "in the past",
        ]
        let rejected = await #expect(throws: AlertmanagerError.self) { try await api.post(pastBody) }
        #expect(rejected?.status == 400)
        #expect(rejected?.description.contains("end time can't be in the past") == true, "\(rejected.map { "\($0)" } ?? "")")

        // A one-off window that ended an hour ago is not even tried.
        let ended = MaintenanceWindow(
            name: "Yesterday \(label)",
            schedule: .oneOff(start: Date().addingTimeInterval(-7200), end: Date().addingTimeInterval(-3600)))
        #expect(!(try await manager.plan(windows: [ended])).hasChanges)

        // Alertmanager 0.25 answers 500 "silence not found" to expiring an id it does not know; a read
        // confirms it is gone, so expiring it counts as done.
        let unknown = UUID().uuidString.lowercased()
        #expect(try await api.expire(id: unknown) == .alreadyGone)

        // Our one-off silence, expired by id through `silence expire`, then expired again: already gone.
        let window = MaintenanceWindow(
            name: "Once \(label)",
            schedule: .oneOff(start: Date().addingTimeInterval(3600), end: Date().addingTimeInterval(7200)))
        #expect(!(await manager.apply(try await manager.plan(windows: [window]))).failed)
        let selected = try await manager.select(.window("Once \(label)"))
        #expect(selected.count == 1 && selected.first?.state == .pending)
        let first = await manager.expire(selected)
        #expect(first.first?.outcome == .expired)
        // Expiring it again is no error (0.25 answers 200 for an expired silence, others 404 or 500).
        let again = try await api.expire(id: selected[0].id)
        #expect(again == .expired || again == .alreadyGone)
        #expect(try await api.silence(id: selected[0].id)?.state == .expired)
        let unknownSelection = await #expect(throws: ProvisionError.self) { try await manager.select(.id(unknown)) }
        #expect(unknownSelection?.description.contains("has no silence") == true)
    }

    @Test("a running silence expired by hand stays expired on the next schedule")
    func endedEarly() async throws {
        let (manager, label) = try RealAlertmanager.manager(horizon: 3 * 3600)
        let window = MaintenanceWindow(
            name: "Now \(label)", schedule: .oneOff(start: Date().addingTimeInterval(-600), end: Date().addingTimeInterval(3600)))
        #expect(!(await manager.apply(try await manager.plan(windows: [window]))).failed)
        let expired = await manager.expire(try await manager.select(.allOurs))
        #expect(expired.count == 1 && expired.first?.error == nil)
        let plan = try await manager.plan(windows: [window])
        #expect(!plan.hasChanges)
        #expect(plan.count(.endedEarly) == 1)
    }

    @Test("the default matchers silence drift alerts in a window, never the detector's health alerts (13.4)")
    func healthAlertsNotSilenced() async throws {
        let label = "t" + UUID().uuidString.prefix(8).lowercased()
        // The defaults, narrowed to this test's alerts so no other test's silences interfere.
        let options = SilenceOptions(
            matchers: SilenceConfig.defaultMatchers + [LabelMatcher(name: "tfdrift_test", op: .equal, value: label)],
            createdBy: "tfdriftctl-test-\(label)")
        let manager = SilenceManager(api: try RealAlertmanager.api(), options: options)
        let window = MaintenanceWindow(
            name: "Now \(label)", schedule: .oneOff(start: Date().addingTimeInterval(-600), end: Date().addingTimeInterval(3600)))
        #expect(!(await manager.apply(try await manager.plan(windows: [window]))).failed)
        let alerts: JSONValue = .array(
            ["drift", "health"].map { kind in
                [
                    "labels": [
                        "alertname": .string("Tfdrift \(kind)"), "managed_by": "tfdriftctl", "tfdrift_kind": .string(kind),
                        "tfdrift_test": .string(label),
                    ],
                    "startsAt": .string(Timestamp.format(Date())),
                    "endsAt": .string(Timestamp.format(Date().addingTimeInterval(600))),
                ]
            })
        let posted = try await AHCTransport().send(
            HTTPRequest(
                method: "POST", url: URL(string: try RealAlertmanager.url() + "/api/v2/alerts")!,
                headers: [("Content-Type", "application/json")], body: JSONWriter.encodeBytes(alerts)))
        #expect(posted.status == 200, "\(posted.text)")
        let mine = try await manager.api.alerts().filter { $0["labels"]?["tfdrift_test"]?.stringValue == label }
        let state = Dictionary(
            uniqueKeysWithValues: mine.map {
                ($0["labels"]?["tfdrift_kind"]?.stringValue ?? "", $0["status"]?["state"]?.stringValue ?? "")
            })
        #expect(state == ["drift": "suppressed", "health": "active"], "\(mine)")
        _ = await manager.expire(try await manager.select(.allOurs))
    }
}
