import ArgumentParser
import Detector
import Foundation
import TfdriftCore

struct Catalog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The event catalog as data: the CloudTrail calls it maps, and its coverage of AWS.",
        subcommands: [List.self, Coverage.self])
}

extension Catalog {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every CloudTrail call the catalog maps to Terraform resource types, or classifies as no resource change.",
            discussion: """
                The built-in catalog plus the files in detection.catalog_paths. With --output json: a JSON \
                array, one object per call (event_source, event_name, change, resource_types, identifiers, \
                diff, severity; change "none" with a reason for a call that changes no resource).
                Examples:
                  tfdriftctl catalog list --service guardduty.amazonaws.com
                  tfdriftctl catalog list --resource-type aws_security_group --output json
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Only calls of this event source (e.g. ec2.amazonaws.com, or ec2).")
        var service: String?

        @Option(name: .long, help: "Only calls that can change this Terraform resource type.")
        var resourceType: String?

        @Flag(name: .long, help: "Leave out the calls classified as no resource change.")
        var mappedOnly = false

        func run() async throws {
            let catalog = try global.loadCatalog()
            let source = service.map { $0.contains(".") ? $0 : "\($0).amazonaws.com" }
            let mapped = catalog.allEntries.filter { entry in
                (source == nil || entry.source == source)
                    && (resourceType == nil || entry.targets.contains { $0.resourceType == resourceType })
            }
            let classified =
                mappedOnly || resourceType != nil
                ? [] : catalog.classifiedCalls.filter { source == nil || $0.source == source }
            let rows =
                (mapped.map { CatalogListing.json($0) } + classified.map { CatalogListing.json($0) }).sorted {
                    ($0["event_source"]?.stringValue ?? "", $0["event_name"]?.stringValue ?? "")
                        < ($1["event_source"]?.stringValue ?? "", $1["event_name"]?.stringValue ?? "")
                }
            if global.output == .json {
                print(JSONWriter.encode(.array(rows)))
                return
            }
            for row in rows { print(CatalogListing.text(row)) }
            print("\(mapped.count) mapped calls, \(classified.count) classified as no resource change")
        }
    }

    struct Coverage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Coverage of the AWS API models (botocore) by the catalog, per service and in total.",
            discussion: """
                For every AWS service with at least one Terraform resource type: its mutating operations, \
                how many the catalog maps to resource types, how many it classifies as no resource change, \
                and the ones left uncovered; and how many of the service's resource types some call can observe.
                Example:
                  tfdriftctl catalog coverage --output json
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "List the uncovered calls of each service (text output).")
        var uncovered = false

        func run() async throws {
            let coverage = CatalogCoverage(catalog: try global.loadCatalog())
            if global.output == .json {
                print(JSONWriter.encode(CatalogListing.json(coverage)))
                return
            }
            print(coverage.source)
            let header = [
                "service".padding(toLength: 32, withPad: " ", startingAt: 0), "mutating".leftPad(8), "mapped".leftPad(7),
                "classified".leftPad(10), "uncovered".leftPad(9), "covered".leftPad(8), "types".leftPad(11),
            ]
            print(header.joined(separator: " "))
            for row in coverage.rows {
                let cells = [
                    row.service.padding(toLength: 32, withPad: " ", startingAt: 0), String(row.mutating).leftPad(8),
                    String(row.mapped).leftPad(7), String(row.classified).leftPad(10),
                    String(row.uncovered.count).leftPad(9), String(format: "%.1f%%", row.coveredPercent).leftPad(8),
                    "\(row.observableTypes)/\(row.terraformTypes)".leftPad(11),
                ]
                print(cells.joined(separator: " "))
                if uncovered, !row.uncovered.isEmpty { print("    uncovered: \(row.uncovered.joined(separator: ", "))") }
            }
            print(
                "total: \(coverage.mutating) mutating operations in \(coverage.rows.count) services, \(coverage.mapped) mapped, \(coverage.classified) classified, \(coverage.uncovered) uncovered (\(String(format: "%.1f", coverage.coveredPercent)) % covered)"
            )
        }
    }
}

extension GlobalOptions {
    /// The built-in catalog plus the configuration's `detection.catalog_paths` (no configuration file:
    /// the built-in catalog alone).
    func loadCatalog() throws -> EventCatalog {
        let config = try loadConfig()
        bootstrapLogging(config: config)
        return try CatalogLoader.load(extraPaths: config.detection.catalogPaths)
    }
}

/// The JSON and text shapes of `catalog list` and `catalog coverage`.
enum CatalogListing {
    static func json(_ entry: CatalogEntry) -> JSONValue {
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

    static func json(_ call: ClassifiedCall) -> JSONValue {
        .object([
            "event_source": .string(call.source), "event_name": .string(call.name), "change": .string("none"),
            "reason": .string(call.reason), "resource_types": .array([]), "identifiers": .array([]), "diff": .array([]),
            "severity": .null, "defined_in": .string("generated from the AWS API models"),
        ])
    }

    /// `request.a`, `request.a+request.b (separator ":")`, `… (strip "/hostedzone/")`.
    static func describe(_ source: IdentifierSource) -> String {
        var text = source.paths.map(\.description).joined(separator: "+")
        if source.paths.count > 1, source.separator != ":" { text += " (separator \"\(source.separator)\")" }
        if let prefix = source.stripPrefix { text += " (strip \"\(prefix)\")" }
        return text
    }

    static func text(_ row: JSONValue) -> String {
        let source = row["event_source"]?.stringValue ?? ""
        let name = row["event_name"]?.stringValue ?? ""
        let change = row["change"]?.stringValue ?? ""
        if change == "none" { return "\(source) \(name): no resource change (\(row["reason"]?.stringValue ?? ""))" }
        let types = row["resource_types"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
        let severity = row["severity"]?.stringValue.map { " [\($0)]" } ?? ""
        return "\(source) \(name): \(change) \(types)\(severity)"
    }

    static func json(_ coverage: CatalogCoverage) -> JSONValue {
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
