import Detector
import Foundation
import Testing

/// Every event of upstream's mapping table (TFDrift-Falco, Tests/Fixtures/tfdrift-falco, see its
/// SOURCE.md) is covered: mapped or classified, under the event source upstream's resource type (or
/// its `event_source_conflicts` table) implies.
@Suite("upstream's mapping table")
struct CatalogUpstreamTests {
    /// The table's sections, read line by line (it is a flat YAML file).
    struct Table {
        var relevant: [String] = []
        var types: [String: String] = [:]
        var conflicts: [String: [String: String]] = [:]

        init(text: String) {
            var section = ""
            var conflictName = ""
            for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let line = String(rawLine)
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                if !line.hasPrefix(" ") {
                    section = String(trimmed.dropLast())
                    continue
                }
                switch section {
                case "relevant_events" where trimmed.hasPrefix("- "):
                    relevant.append(String(trimmed.dropFirst(2)))
                case "event_to_resource_type":
                    let parts = trimmed.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2 { types[parts[0]] = parts[1] }
                case "event_source_conflicts":
                    if line.hasPrefix("    ") {
                        let parts = trimmed.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                        if parts.count == 2 { conflicts[conflictName, default: [:]][parts[0]] = parts[1] }
                    } else {
                        conflictName = String(trimmed.dropLast())
                    }
                default:
                    continue
                }
            }
        }
    }

    /// Three names in the table are not CloudTrail events of their service (SOURCE.md): what AWS logs instead.
    static let misnamed = [
        "CreateMethod": "PutMethod", "ModifyDBInstanceAttribute": "ModifyDBInstance", "DeleteVpcEndpoint": "DeleteVpcEndpoints",
    ]

    @Test("all 341 relevant events are mapped or classified in the service upstream names")
    func everyRelevantEventIsCovered() throws {
        let file = Fixtures.repository.appendingPathComponent(
            "Tests/Fixtures/tfdrift-falco/pkg_falco_configs_event_mappings.yaml")
        let table = Table(text: try String(contentsOf: file, encoding: .utf8))
        #expect(table.relevant.count == 341)
        #expect(Set(table.relevant).count == 341)
        let catalog = Fixtures.catalog
        let sourceOfService = Dictionary(
            CatalogCoverage.builtInModels.services.map { ($0.service, $0.eventSource) }, uniquingKeysWith: { first, _ in first })
        func covered(_ source: String, _ name: String) -> Bool {
            catalog.entry(source: source, name: name) != nil || catalog.classification(source: source, name: name) != nil
        }
        var missing: [String] = []
        var throughRealName = 0
        for event in table.relevant {
            let name = Self.misnamed[event] ?? event
            if name != event { throughRealName += 1 }
            var sources: [String] = []
            if let conflicts = table.conflicts[event] {
                sources = Array(conflicts.keys)
            } else if let type = table.types[event] {
                // The service of upstream's type; a type the provider does not have (upstream's
                // aws_lambda_version, aws_cloudformation_change_set…) by its name.
                let service = TerraformResourceTypes.builtIn.types[type]?.service ?? type.split(separator: "_")[1].description
                sources = [sourceOfService[service] ?? "\(service).amazonaws.com"]
            }
            // Upstream's conflict lists name calls some of those services do not have (ElastiCache
            // CreateCluster): covered when the catalog covers it in at least one of them.
            if sources.isEmpty || !sources.contains(where: { covered($0, name) }) {
                missing.append("\(event) \(sources)")
            }
        }
        #expect(missing.isEmpty, "\(missing)")
        #expect(throughRealName == 3)
    }
}
