import ArgumentParser
import Detector
import Foundation
import TfdriftApp
import TfdriftCore

struct State: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the configured Terraform state(s).",
        subcommands: [Inspect.self, Coverage.self])
}

extension State {
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the states; print resource counts by type, load time and identifier collisions.",
            discussion: """
                Example:
                  tfdriftctl state inspect --config examples/quickstart/tfdrift.yaml
                """)

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            global.bootstrapLogging(config: config)
            guard !config.states.isEmpty else {
                throw ValidationError(
                    "no Terraform state configured: set providers.aws.state.local_path (or providers.aws.states)")
            }
            let setup = try await DetectorSetup.loading(config)
            if global.output == .json {
                print(JSONWriter.encode(StateReport.json(setup)))
                return
            }
            for loaded in setup.loaded {
                let state = loaded.state
                print("\(state.name): \(state.origin)")
                print(
                    "  Terraform \(state.terraformVersion ?? "?"), serial \(state.serial.map(String.init) ?? "?"), \(state.instances.count) managed instances, \(state.dataSourceCount) data sources, \(ByteCountFormatter.string(fromByteCount: Int64(state.byteCount), countStyle: .file)), loaded in \(String(format: "%.3f", loaded.seconds)) s"
                )
                for (type, count) in state.resourceCountsByType.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                    print("    \(String(count).leftPad(5)) \(type)")
                }
            }
            let collisions = setup.index.collisions
            if !collisions.isEmpty {
                print("Identifiers claimed by more than one resource (drifts on them are reported for each):")
                for collision in collisions.prefix(50) {
                    print("  \(collision.type) \(collision.identifier): \(collision.addresses.joined(separator: ", "))")
                }
            }
        }
    }

    struct Coverage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which resource types in the states the event catalog can observe (the seed's coverage check).",
            discussion: """
                Types listed as not observed never produce drift events: changes to them go unseen.
                Example:
                  tfdriftctl state coverage --config examples/quickstart/tfdrift.yaml
                """)

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.loadConfig()
            global.bootstrapLogging(config: config)
            guard !config.states.isEmpty else {
                throw ValidationError(
                    "no Terraform state configured: set providers.aws.state.local_path (or providers.aws.states)")
            }
            let setup = try await DetectorSetup.loading(config)
            let report = CoverageReport(setup: setup)
            if global.output == .json {
                print(JSONWriter.encode(report.json))
                return
            }
            print(
                "Catalog: \(setup.catalog.count) mutating calls over \(setup.catalog.observableResourceTypes.count) resource types"
            )
            print("Observed (\(report.covered.count) types, \(report.coveredInstances) instances):")
            for (type, count) in report.covered {
                let calls = report.calls[type] ?? []
                let shown = calls.prefix(6).map { $0.split(separator: ":").last.map(String.init) ?? $0 }.joined(separator: ", ")
                let more = calls.count > 6 ? ", … (\(calls.count) calls)" : ""
                print("  ✓ \(type) (\(count)) by \(shown)\(more)")
            }
            if report.uncovered.isEmpty {
                print("Every resource type in the states is observed.")
                return
            }
            print(
                "Not observed (\(report.uncovered.count) types, \(report.uncoveredInstances) instances) — changes to these go unseen:"
            )
            for (service, types) in report.uncoveredByService {
                print("  \(service):")
                for (type, count) in types {
                    let marker = CoverageReport.isSecurityCritical(type) ? " ← security-critical" : ""
                    print("    ✗ \(type) (\(count))\(marker)")
                }
            }
        }
    }
}

/// Coverage of the states' resource types by the catalog: which types some call can observe, and by
/// which calls (`source:name`), from the same catalog `catalog list` prints.
struct CoverageReport {
    var covered: [(String, Int)] = []
    var uncovered: [(String, Int)] = []
    /// The calls that can change each covered type, sorted.
    var calls: [String: [String]] = [:]

    init(setup: DetectorSetup) {
        var counts: [String: Int] = [:]
        for loaded in setup.loaded {
            for (type, count) in loaded.state.resourceCountsByType { counts[type, default: 0] += count }
        }
        var callsByType: [String: Set<String>] = [:]
        for entry in setup.catalog.allEntries {
            for target in entry.targets where counts[target.resourceType] != nil {
                callsByType[target.resourceType, default: []].insert("\(entry.source):\(entry.name)")
            }
        }
        for (type, count) in counts.sorted(by: { $0.key < $1.key }) {
            if let found = callsByType[type] {
                covered.append((type, count))
                calls[type] = found.sorted()
            } else {
                uncovered.append((type, count))
            }
        }
    }

    var coveredInstances: Int { covered.reduce(0) { $0 + $1.1 } }
    var uncoveredInstances: Int { uncovered.reduce(0) { $0 + $1.1 } }

    /// The AWS API a type belongs to (`aws_db_instance` → `rds`, from the provider schema the catalog
    /// was generated with), or the word after `aws_` for a type the schema does not know.
    static func service(of type: String) -> String {
        if let service = TerraformResourceTypes.builtIn.types[type]?.service { return service }
        let parts = type.split(separator: "_")
        return parts.count > 1 ? String(parts[1]) : type
    }

    static func isSecurityCritical(_ type: String) -> Bool {
        [
            "aws_iam_*", "aws_security_group*", "aws_vpc_security_group_*", "aws_network_acl*", "aws_kms_*",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_public_access_block", "aws_s3_bucket_acl",
        ].contains { Glob.matches($0, type) }
    }

    var uncoveredByService: [(String, [(String, Int)])] {
        Dictionary(grouping: uncovered) { Self.service(of: $0.0) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    var json: JSONValue {
        .object([
            "covered": .object(Dictionary(uniqueKeysWithValues: covered.map { ($0.0, JSONValue.number(String($0.1))) })),
            "calls": .object(calls.mapValues { .array($0.map(JSONValue.string)) }),
            "uncovered": .array(
                uncovered.map { type, count in
                    .object([
                        "type": .string(type), "count": .number(String(count)), "service": .string(Self.service(of: type)),
                        "security_critical": .bool(Self.isSecurityCritical(type)),
                    ])
                }),
        ])
    }
}

enum StateReport {
    static func json(_ setup: DetectorSetup) -> JSONValue {
        .object([
            "states": .array(
                setup.loaded.map { loaded in
                    let state = loaded.state
                    return .object([
                        "name": .string(state.name), "origin": .string(state.origin),
                        "terraform_version": state.terraformVersion.map(JSONValue.string) ?? .null,
                        "serial": state.serial.map { .number(String($0)) } ?? .null,
                        "resources": .number(String(state.instances.count)),
                        "data_sources": .number(String(state.dataSourceCount)),
                        "bytes": .number(String(state.byteCount)),
                        "load_seconds": .number(String(format: "%.4f", loaded.seconds)),
                        "by_type": .object(state.resourceCountsByType.mapValues { .number(String($0)) }),
                    ])
                }),
            "collisions": .array(
                setup.index.collisions.map { collision in
                    .object([
                        "type": .string(collision.type), "identifier": .string(collision.identifier),
                        "addresses": .array(collision.addresses.map(JSONValue.string)),
                    ])
                }),
        ])
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
