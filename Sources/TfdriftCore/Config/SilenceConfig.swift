import Foundation

/// `advanced.silences`: how `silence schedule` (and `run`, when `keep_filled` is on) turns maintenance
/// windows into Alertmanager silences.
public struct SilenceConfig: Sendable {
    /// Which Alertmanager holds the silences.
    public enum Target: String, Sendable, CaseIterable {
        /// `alertmanager.url` when it is set, Grafana's built-in Alertmanager otherwise.
        case auto
        /// Grafana's built-in Alertmanager (`/api/alertmanager/grafana/api/v2/…`).
        case grafana
        /// An Alertmanager data source, proxied by Grafana (`/api/alertmanager/<uid>/api/v2/…`).
        case datasource
        /// A standalone Prometheus Alertmanager at `alertmanager.url` (`/api/v2/…`).
        case alertmanager
    }

    /// Every occurrence that starts within this many seconds from now gets its silence.
    public var horizon: Double = 14 * 86400
    /// What the silences match; by default the label every tfdriftctl alert rule carries, except the
    /// detector's health rules (`tfdrift_kind="health"`): a maintenance never hides that the detector is down.
    public var matchers: [LabelMatcher] = SilenceConfig.defaultMatchers

    public static let defaultMatchers = [
        LabelMatcher(name: "managed_by", op: .equal, value: "tfdriftctl"),
        LabelMatcher(name: "tfdrift_kind", op: .notEqual, value: "health"),
    ]
    /// `run` re-runs the schedule every `interval`, so the horizon never runs out.
    public var keepFilled = false
    public var interval: Double = 3600
    public var target: Target = .auto
    /// The Alertmanager data source's uid (target `datasource`).
    public var datasourceUID: String?
    /// `createdBy` on our silences; together with the comment tag it is how tfdriftctl recognises its own.
    /// Give each installation its own when several share one Alertmanager.
    public var createdBy = "tfdriftctl"

    public init() {}
}

/// One Alertmanager label matcher, written as in Alertmanager and amtool: `name="value"`, `name!="value"`,
/// `name=~"regex"`, `name!~"regex"` (quotes optional for simple values).
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case regex = "=~"
        case notRegex = "!~"
        public var isRegex: Bool { self == .regex || self == .notRegex }
        public var isEqual: Bool { self == .equal || self == .regex }
    }

    public var name: String
    public var op: Operator
    public var value: String

    public init(name: String, op: Operator, value: String) {
        self.name = name
        self.op = op
        self.value = value
    }

    public init(name: String, value: String, isRegex: Bool, isEqual: Bool) {
        self.name = name
        self.value = value
        switch (isRegex, isEqual) {
        case (false, true): op = .equal
        case (false, false): op = .notEqual
        case (true, true): op = .regex
        case (true, false): op = .notRegex
        }
    }

    public var description: String {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\(name)\(op.rawValue)\"\(escaped)\""
    }

    /// Parses `name="value"` and its variants; the error says what is wrong.
    public static func parse(_ text: String) -> Result<LabelMatcher, MatcherSyntaxError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let opStart = trimmed.firstIndex(where: { $0 == "=" || $0 == "!" }) else {
            return .failure(MatcherSyntaxError("\"\(text)\": expected name=\"value\" (or !=, =~, !~)"))
        }
        let name = trimmed[..<opStart].trimmingCharacters(in: .whitespaces)
        var rest = trimmed[opStart...]
        let op: Operator
        if rest.hasPrefix("=~") {
            op = .regex
        } else if rest.hasPrefix("!~") {
            op = .notRegex
        } else if rest.hasPrefix("!=") {
            op = .notEqual
        } else if rest.hasPrefix("=") {
            op = .equal
        } else {
            return .failure(MatcherSyntaxError("\"\(text)\": expected an operator =, !=, =~ or !~ after \(name)"))
        }
        rest = rest.dropFirst(op.rawValue.count)
        guard isValidLabelName(name) else {
            return .failure(MatcherSyntaxError("\"\(text)\": \"\(name)\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)"))
        }
        var value = rest.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("\"") {
            guard value.count >= 2, value.hasSuffix("\"") else {
                return .failure(MatcherSyntaxError("\"\(text)\": the value's closing quote is missing"))
            }
            var unescaped = ""
            var escaping = false
            for character in value.dropFirst().dropLast() {
                if escaping {
                    unescaped.append(character == "n" ? "\n" : character)
                    escaping = false
                } else if character == "\\" {
                    escaping = true
                } else {
                    unescaped.append(character)
                }
            }
            value = unescaped
        }
        if op.isRegex, (try? NSRegularExpression(pattern: "^(?:\(value))$")) == nil {
            return .failure(MatcherSyntaxError("\"\(text)\": \"\(value)\" is not a valid regular expression"))
        }
        if op == .equal, value.isEmpty {
            return .failure(
                MatcherSyntaxError("\"\(text)\": an empty value would match every alert without the label; give a value"))
        }
        return .success(LabelMatcher(name: name, op: op, value: value))
    }

    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }
}

public struct MatcherSyntaxError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Reader {
    /// `advanced.silences: {horizon, matchers, keep_filled, interval, target, datasource_uid, created_by}`.
    func readSilences(_ node: YAMLNode) -> SilenceConfig? {
        var silences = SilenceConfig()
        var valid = true
        node.section { section in
            section.read("horizon") { horizon in
                silences.horizon = try horizon.duration(minimum: 3600)
                guard silences.horizon <= 366 * 86400 else { throw horizon.error("at most 366d") }
            }
            section.read("matchers") { matchers in
                silences.matchers = []
                var unreadable = false
                for element in matchers.elements() {
                    let read: Void? = element.attempt {
                        switch LabelMatcher.parse(try element.string()) {
                        case .success(let matcher): silences.matchers.append(matcher)
                        case .failure(let error): throw element.error(error.description)
                        }
                    }
                    if read == nil { unreadable = true }
                }
                // A matcher that did not read says so already.
                guard !unreadable else { return }
                guard !silences.matchers.isEmpty else {
                    throw matchers.error("list at least one matcher, e.g. managed_by=\"tfdriftctl\"")
                }
                guard silences.matchers.contains(where: { $0.op == .equal || $0.op == .regex }) else {
                    throw matchers.error(
                        "at least one matcher must be = or =~ (a silence of only negative matchers mutes everything else)")
                }
            }
            section.read("keep_filled") { silences.keepFilled = try $0.bool() }
            section.read("interval") { silences.interval = try $0.duration(minimum: 60) }
            section.read("target") { silences.target = try $0.oneOf(SilenceConfig.Target.self) }
            section.read("datasource_uid") { silences.datasourceUID = try $0.string() }
            section.read("created_by") { createdBy in
                silences.createdBy = try createdBy.string()
                guard !silences.createdBy.isEmpty else { throw createdBy.error("must not be empty") }
            }
            if silences.target == .datasource, silences.datasourceUID == nil {
                valid = false
                section.problem("target datasource needs datasource_uid (the uid of the Alertmanager data source in Grafana)")
            }
            if silences.horizon < silences.interval * 2 {
                valid = false
                section.problem(
                    "horizon (\(DurationParser.format(silences.horizon))) must be at least twice the interval (\(DurationParser.format(silences.interval))), or silences could run out between runs"
                )
            }
        }
        return valid ? silences : nil
    }
}
