import Foundation
import TfdriftCore

/// Resource kinds in apply order (deletes run in reverse).
public enum ResourceKind: Int, Sendable, Comparable, CaseIterable {
    case dataSource, folder, template, contactPoint, muteTiming, notificationPolicy, ruleGroup, dashboard

    public var label: String {
        switch self {
        case .dataSource: return "data source"
        case .folder: return "folder"
        case .template: return "template"
        case .contactPoint: return "contact point"
        case .muteTiming: return "mute timing"
        case .notificationPolicy: return "notification policy"
        case .ruleGroup: return "rule group"
        case .dashboard: return "dashboard"
        }
    }

    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One field that differs: `path` is dotted (`rules[tfdrift-critical-drift].data[A].model.expr`).
public struct FieldChange: Sendable, Equatable {
    public let path: String
    public let before: JSONValue?
    public let after: JSONValue?
}

/// A write the apply will send.
public struct WriteRequest: Sendable {
    public let method: String
    public let path: String
    public var query: [(String, String)] = []
    public var body: JSONValue?
    public var headers: [(String, String)] = []
}

public struct ResourceChange: Sendable {
    public enum Action: String, Sendable { case create, update, delete }
    public let kind: ResourceKind
    public let name: String
    public let action: Action
    public let fields: [FieldChange]
    let requests: [WriteRequest]
}

/// A resource tfdriftctl will not touch, and why (file-provisioned, owned by someone else).
public struct Refusal: Sendable, CustomStringConvertible {
    public let kind: ResourceKind
    public let name: String
    public let reason: String
    public var description: String { "\(kind.label) \(name): \(reason)" }
}

public struct Plan: Sendable {
    public var changes: [ResourceChange] = []
    public var refusals: [Refusal] = []
    /// Resources that already match, as `kind name`.
    public var unchanged: [String] = []

    public var hasChanges: Bool { !changes.isEmpty }
    public var creates: Int { changes.filter { $0.action == .create }.count }
    public var updates: Int { changes.filter { $0.action == .update }.count }
    public var deletes: Int { changes.filter { $0.action == .delete }.count }

    /// The order apply follows: creates and updates by kind, then deletes in reverse kind order.
    var ordered: [ResourceChange] {
        let forward = changes.enumerated().filter { $0.element.action != .delete }
            .sorted { ($0.element.kind, $0.offset) < ($1.element.kind, $1.offset) }.map(\.element)
        let deletes = changes.enumerated().filter { $0.element.action == .delete }
            .sorted { ($0.element.kind, $0.offset) > ($1.element.kind, $1.offset) }.map(\.element)
        return forward + deletes
    }
}

/// What happened to each resource in an apply.
public struct ApplyResult: Sendable {
    public let kind: ResourceKind
    public let name: String
    public let action: ResourceChange.Action
    /// nil when it succeeded.
    public let error: String?
}

public struct ApplyReport: Sendable {
    public var results: [ApplyResult] = []
    public var refusals: [Refusal] = []

    public init(results: [ApplyResult] = [], refusals: [Refusal] = []) {
        self.results = results
        self.refusals = refusals
    }

    public var failed: Bool { results.contains { $0.error != nil } || !refusals.isEmpty }
}

/// Field-level differences between two JSON values. Arrays of objects with `uid` or `refId` are
/// matched by that key, so one changed rule or query reads as such.
enum JSONDiff {
    /// Numbers are compared by value (`1` and `1.0` are the same number to Grafana's Go encoder).
    static func diff(_ before: JSONValue?, _ after: JSONValue?) -> [FieldChange] {
        compare(before?.canonicalNumbers, after?.canonicalNumbers, path: "")
    }

    private static func compare(_ before: JSONValue?, _ after: JSONValue?, path: String) -> [FieldChange] {
        if before == after { return [] }
        switch (before, after) {
        case (.object(let old)?, .object(let new)?):
            var changes: [FieldChange] = []
            for key in Set(old.keys).union(new.keys).sorted() {
                changes += compare(old[key], new[key], path: path.isEmpty ? key : "\(path).\(key)")
            }
            return changes
        case (.array(let old)?, .array(let new)?):
            if let key = identityKey(old + new) {
                var changes: [FieldChange] = []
                let oldByKey = Dictionary(old.map { ($0[key]?.stringValue ?? "", $0) }, uniquingKeysWith: { first, _ in first })
                let newByKey = Dictionary(new.map { ($0[key]?.stringValue ?? "", $0) }, uniquingKeysWith: { first, _ in first })
                var order: [String] = []
                for item in old + new {
                    let id = item[key]?.stringValue ?? ""
                    if !order.contains(id) { order.append(id) }
                }
                for id in order { changes += compare(oldByKey[id], newByKey[id], path: "\(path)[\(id)]") }
                if changes.isEmpty { changes.append(FieldChange(path: "\(path) (order)", before: before, after: after)) }
                return changes
            }
            if old.count == new.count {
                var changes: [FieldChange] = []
                for index in old.indices { changes += compare(old[index], new[index], path: "\(path)[\(index)]") }
                return changes
            }
            return [FieldChange(path: path, before: before, after: after)]
        default:
            return [FieldChange(path: path.isEmpty ? "(value)" : path, before: before, after: after)]
        }
    }

    static func identityKey(_ items: [JSONValue]) -> String? {
        for key in ["uid", "refId"] where !items.isEmpty && items.allSatisfy({ $0[key]?.stringValue != nil }) {
            let ids = items.compactMap { $0[key]?.stringValue }
            if Set(ids).count <= ids.count { return key }
        }
        return nil
    }
}
