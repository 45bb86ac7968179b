import Foundation
import TfdriftCore

/// The JSON and text shapes of `catalog list` and `catalog coverage`.
public enum CatalogListing {
    public static func json(_ entry: CatalogEntry) -> JSONValue {
        var identifiers: [JSONValue] = []
        var diff: [JSONValue] = []
        for target in entry.targets {
            identifiers.append(
                .object([
                    "resource_type": .string(target.resourceType),
                    "paths": .array(target.identifiers.map { .string(describe($0)) }),
                ]))
            for mapping in target.diff {
                var object: [String: JSONValue] = [
                    "resource_type": .string(target.resourceType), "attribute": .string(mapping.attribute),
                    "sensitive": .bool(mapping.sensitive),
                ]
                switch mapping.source {
                case .path(let path, let transform):
                    object["from"] = .string(path.description)
                    if transform != .plain { object["as"] = .string(transform.rawValue) }
                case .constant(let value):
                    object["value"] = value
                }
                diff.append(.object(object))
            }
        }
        var resourceTypes: [String] = []
        for target in entry.targets where !resourceTypes.contains(target.resourceType) {
            resourceTypes.append(target.resourceType)
        }
        return .object([
            "event_source": .string(entry.source), "event_name": .string(entry.name), "change": .string(entry.change.rawValue),
            "resource_types": .array(resourceTypes.map(JSONValue.string)), "identifiers": .array(identifiers),
            "diff": .array(diff), "severity": entry.severity.map { .string($0.rawValue) } ?? .null,
            "defined_in": .string(entry.definedIn),
        ])
    }

    public static func json(_ call: ClassifiedCall) -> JSONValue {
        .object([
            "event_source": .string(call.source), "event_name": .string(call.name), "change": .string("none"),
            "reason": .string(call.reason), "resource_types": .array([]), "identifiers": .array([]), "diff": .array([]),
            "severity": .null, "defined_in": .string("generated from the AWS API models"),
        ])
    }

    /// `request.a`, `request.a+request.b (separator ":")`, `… (strip "/hostedzone/")`.
    public static func describe(_ source: IdentifierSource) -> String {
        var text = source.paths.map(\.description).joined(separator: "+")
        if source.paths.count > 1, source.separator != ":" { text += " (separator \"\(source.separator)\")" }
        if let prefix = source.stripPrefix { text += " (strip \"\(prefix)\")" }
        return text
    }

    public static func text(_ row: JSONValue) -> String {
        let source = row["event_source"]?.stringValue ?? ""
        let name = row["event_name"]?.stringValue ?? ""
        let change = row["change"]?.stringValue ?? ""
        if change == "none" { return "\(source) \(name): no resource change (\(row["reason"]?.stringValue ?? ""))" }
        let types = row["resource_types"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
        let severity = row["severity"]?.stringValue.map { " [\($0)]" } ?? ""
        return "\(source) \(name): \(change) \(types)\(severity)"
    }

    public static func json(_ coverage: CatalogCoverage) -> JSONValue {
        func number(_ value: Int) -> JSONValue { .number(String(value)) }
        func percent(_ value: Double) -> JSONValue { .number(String(format: "%.1f", value)) }
        return .object([
            "source": .string(coverage.source),
            "total": .object([
                "services": number(coverage.rows.count), "mutating": number(coverage.mutating), "mapped": number(coverage.mapped),
                "classified": number(coverage.classified), "uncovered": number(coverage.uncovered),
                "covered_percent": percent(coverage.coveredPercent),
                "terraform_types": number(coverage.rows.reduce(0) { $0 + $1.terraformTypes }),
                "observable_types": number(coverage.rows.reduce(0) { $0 + $1.observableTypes }),
            ]),
            "services": .array(
                coverage.rows.map { row in
                    .object([
                        "service": .string(row.service), "event_source": .string(row.eventSource),
                        "mutating": number(row.mutating), "mapped": number(row.mapped), "classified": number(row.classified),
                        "uncovered": number(row.uncovered.count), "uncovered_calls": .array(row.uncovered.map(JSONValue.string)),
                        "covered_percent": percent(row.coveredPercent), "terraform_types": number(row.terraformTypes),
                        "observable_types": number(row.observableTypes),
                    ])
                }),
        ])
    }
}
