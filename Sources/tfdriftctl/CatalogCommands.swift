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
