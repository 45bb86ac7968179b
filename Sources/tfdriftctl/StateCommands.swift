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
            guard !config.states.isEmpty else { throw AppError.noStateConfigured }
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
            guard !config.states.isEmpty else { throw AppError.noStateConfigured }
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

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
