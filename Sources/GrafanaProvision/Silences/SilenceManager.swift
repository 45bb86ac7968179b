import Foundation
import Logging
import TfdriftCore

/// `silence schedule|list|expire` against one Alertmanager.
public struct SilenceManager: Sendable {
    public let api: AlertmanagerAPI
    let options: SilenceOptions
    let logger: Logger
    let clock: @Sendable () -> Date

    public init(
        api: AlertmanagerAPI, options: SilenceOptions, logger: Logger = Logger(label: "tfdrift.silences"),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.api = api
        self.options = options
        self.logger = logger
        self.clock = clock
    }

    /// Reads the silences and plans (reads only).
    public func plan(windows: [MaintenanceWindow]) async throws -> SilencePlan {
        let existing = try await api.silences()
        return SilencePlanner.plan(windows: windows, existing: existing, options: options, now: clock())
    }

    public struct Result: Sendable {
        public let action: SilenceAction
        /// The silence's id after the write (an update may answer a new one).
        public let id: String?
        /// nil when it succeeded.
        public let error: String?
        /// Set when Alertmanager replaced the silence instead of updating it.
        public let replaced: String?
    }

    public struct Report: Sendable {
        public var results: [Result] = []
        public var failed: Bool { results.contains { $0.error != nil } }
        public func count(_ kind: SilenceAction.Kind) -> Int {
            results.filter { $0.action.kind == kind && $0.error == nil }.count
        }
    }

    /// Sends the plan's writes; a failure is reported and the rest go on.
    public func apply(_ plan: SilencePlan) async -> Report {
        var report = Report()
        for action in plan.changes {
            do {
                switch action.kind {
                case .create:
                    let desired = action.desired!
                    // Alertmanager moves a past start to now itself; sending now keeps requests valid everywhere.
                    let id = try await api.post(desired.body(startsAt: max(desired.startsAt, clock())))
                    report.results.append(Result(action: action, id: id, error: nil, replaced: nil))
                case .update:
                    let (id, replaced) = try await update(action.existing!, to: action.desired!)
                    report.results.append(Result(action: action, id: id, error: nil, replaced: replaced))
                case .expire:
                    let outcome = try await api.expire(id: action.existing!.id)
                    if outcome == .alreadyGone { logger.info("silence \(action.existing!.id) was already gone") }
                    report.results.append(Result(action: action, id: action.existing!.id, error: nil, replaced: nil))
                case .unchanged, .endedEarly:
                    continue
                }
            } catch {
                logger.error(
                    "\(action.kind.rawValue) silence for \(action.tag.window) \(action.tag.occurrence) failed: \(error)")
                report.results.append(Result(action: action, id: action.existing?.id, error: "\(error)", replaced: nil))
            }
        }
        return report
    }

    /// Updates in place where Alertmanager allows it (same matchers; an active silence keeps its start).
    /// Otherwise Alertmanager answers a new id; the old silence must not stay behind, so it is expired when
    /// Alertmanager did not do that itself.
    func update(_ current: Silence, to desired: DesiredSilence) async throws -> (id: String, replaced: String?) {
        let now = clock()
        var start = max(desired.startsAt, now)
        if current.state == .active, desired.startsAt <= now { start = current.startsAt }
        let id = try await api.post(desired.body(id: current.id, startsAt: start))
        guard id != current.id else { return (id, nil) }
        if let old = try await api.silence(id: current.id), old.state != .expired {
            _ = try await api.expire(id: current.id)
        }
        return (id, current.id)
    }

    // MARK: list and expire

    public enum Scope: Sendable {
        case ours, all
    }

    public func list(scope: Scope, states: Set<Silence.State> = Set(Silence.State.allCases)) async throws -> [Silence] {
        let silences = try await api.silences()
        return
            silences
            .filter { scope == .all || $0.isOurs(createdBy: options.createdBy) }
            .filter { states.contains($0.state) }
            .sorted { ($0.startsAt, $0.id) < ($1.startsAt, $1.id) }
    }

    public enum ExpireSelection: Sendable {
        case id(String)
        case window(String)
        case allOurs
    }

    public struct ExpireResult: Sendable {
        public let silence: Silence
        public let outcome: AlertmanagerAPI.ExpireOutcome?
        public let error: String?
    }

    /// The silences a selection names (active and pending ones; an explicit id in any state).
    public func select(_ selection: ExpireSelection) async throws -> [Silence] {
        switch selection {
        case .id(let id):
            guard let silence = try await api.silence(id: id) else {
                throw ProvisionError("\(api.label) has no silence \(id); `tfdriftctl silence list --all` shows the ids")
            }
            return [silence]
        case .window(let name):
            return try await list(scope: .ours, states: [.active, .pending]).filter { $0.tag?.window == name }
        case .allOurs:
            return try await list(scope: .ours, states: [.active, .pending])
        }
    }

    public func expire(_ silences: [Silence]) async -> [ExpireResult] {
        var results: [ExpireResult] = []
        for silence in silences {
            if silence.state == .expired {
                results.append(ExpireResult(silence: silence, outcome: .alreadyGone, error: nil))
                continue
            }
            do {
                results.append(ExpireResult(silence: silence, outcome: try await api.expire(id: silence.id), error: nil))
            } catch {
                results.append(ExpireResult(silence: silence, outcome: nil, error: "\(error)"))
            }
        }
        return results
    }
}
