import Foundation
import Testing
import TfdriftCore

@testable import Detector

/// The compiled catalog (Resources/generated, written by scripts/catalog/generate.py): its lines, its
/// lookups, the curated YAML compiled into it, and its coverage of the AWS API models.
@Suite("compiled event catalog")
struct CatalogCompiledTests {
    static let text = EmbeddedResources.literal("generated/catalog.tsv") ?? ""
    static let lines = text.split(separator: "\n").map(String.init)

    @Test("every line decodes, lines are sorted by (source, name), and binary search finds each one")
    func linesDecodeAndAreFound() throws {
        #expect(Self.lines.count > 15_000, "\(Self.lines.count)")
        let compiled = try #require(CompiledCatalog.builtIn)
        var previous: (String, String)?
        var undecodable: [String] = []
        var notFound: [String] = []
        var unsorted: [String] = []
        for line in Self.lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            let key = (String(fields[0]), String(fields[1]))
            if let previous, !Self.precedes(previous, key) { unsorted.append("\(previous) before \(key)") }
            previous = key
            if CompiledLine.decode(line) == .unknown { undecodable.append(line) }
            let found = compiled.lookup(source: key.0, name: key.1)
            if found != CompiledLine.decode(line) { notFound.append("\(key.0) \(key.1)") }
        }
        #expect(unsorted.isEmpty, "\(unsorted.prefix(5))")
        #expect(undecodable.isEmpty, "\(undecodable.prefix(5))")
        #expect(notFound.isEmpty, "\(notFound.prefix(5))")
        #expect(compiled.lookup(source: "ec2.amazonaws.com", name: "NoSuchCall") == .unknown)
        #expect(compiled.lookup(source: "aaa.amazonaws.com", name: "A") == .unknown)
        #expect(compiled.lookup(source: "zzz.amazonaws.com", name: "Z") == .unknown)
    }

    /// Byte order of (source, name), the order the generator sorts and the binary search assumes.
    static func precedes(_ a: (String, String), _ b: (String, String)) -> Bool {
        if a.0 != b.0 { return Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8)) }
        return Array(a.1.utf8).lexicographicallyPrecedes(Array(b.1.utf8))
    }

    @Test("the curated YAML compiles to exactly the entries the YAML loader reads from it")
    func curatedEntriesCompileFaithfully() throws {
        let directory = Fixtures.repository.appendingPathComponent("Sources/Detector/Resources/catalog")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 24)
        var compared = 0
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let parsed = try CatalogLoader.parse(yaml: text, file: "built-in catalog/\(file)")
            for expected in parsed.allEntries {
                let compiled = Fixtures.catalog.entry(source: expected.source, name: expected.name)
                #expect(compiled == expected, "\(file): \(expected.name)")
                compared += 1
            }
        }
        #expect(compared >= 664, "\(compared)")
    }

    @Test("the catalog covers AWS: at least 5,000 mapped calls, and 95 % of every service with Terraform types")
    func coverageTargets() {
        let coverage = CatalogCoverage(catalog: Fixtures.catalog)
        #expect(coverage.mapped >= 5_000, "\(coverage.mapped)")
        #expect(coverage.rows.count >= 200, "\(coverage.rows.count)")
        let below = coverage.rows.filter { $0.coveredPercent < 95 }.map { "\($0.service) \($0.coveredPercent)" }
        #expect(below.isEmpty, "\(below)")
        #expect(coverage.mapped + coverage.classified + coverage.uncovered == coverage.mutating)
        // The services the issue names are among them.
        let services = Set(coverage.rows.map(\.service))
        for name in [
            "cloudfront", "wafv2", "apigateway", "cognito-idp", "guardduty", "config", "organizations", "securityhub",
            "macie2", "accessanalyzer", "acm", "stepfunctions", "kinesis", "glue", "opensearch", "redshift", "efs", "backup",
            "sso-admin", "bedrock",
        ] {
            #expect(services.contains(name), "\(name)")
        }
    }

    @Test("classifications, read-only operations and unique sources come from the models")
    func modelKnowledge() {
        let catalog = Fixtures.catalog
        #expect(catalog.classification(source: "ssm.amazonaws.com", name: "SendCommand") != nil)
        #expect(catalog.classification(source: "signin.amazonaws.com", name: "ConsoleLogin") != nil)
        #expect(catalog.classification(source: "ec2.amazonaws.com", name: "RunInstances") == nil)
        #expect(catalog.isReadOnly(source: "ec2.amazonaws.com", name: "DescribeInstances") == true)
        #expect(catalog.isReadOnly(source: "kms.amazonaws.com", name: "Decrypt") == true)
        #expect(catalog.isReadOnly(source: "ec2.amazonaws.com", name: "RunInstances") == false)
        // Named like a read, but it fails a cluster over: the model says mutating.
        #expect(catalog.isReadOnly(source: "elasticache.amazonaws.com", name: "TestFailover") == false)
        #expect(catalog.isReadOnly(source: "example.amazonaws.com", name: "GetWidget") == nil)
        #expect(catalog.uniqueSource(forName: "CreateDetector") == "guardduty.amazonaws.com")
        #expect(catalog.uniqueSource(forName: "CreateAlias") == nil)
    }

    @Test("a user's catalog file overrides a built-in entry and is counted once")
    func userEntriesOverrideCompiled() throws {
        var catalog = Fixtures.catalog
        let before = catalog.count
        catalog.merge(
            try CatalogLoader.parse(
                yaml: """
                    source: guardduty.amazonaws.com
                    events:
                      - {name: UpdateDetector, change: modify, resource: aws_guardduty_detector, id: [request.detectorId], severity: low}
                      - {name: SendCommand, change: modify, resource: aws_instance, id: [request.instanceIds]}
                    """, file: "mine.yaml"))
        #expect(catalog.entry(source: "guardduty.amazonaws.com", name: "UpdateDetector")?.severity == .low)
        #expect(catalog.entry(source: "guardduty.amazonaws.com", name: "UpdateDetector")?.definedIn == "mine.yaml")
        #expect(catalog.count == before + 1)
    }

    @Test("sensitive attributes are marked from the provider schema, in compiled and user entries")
    func sensitiveFromSchema() throws {
        let update = try #require(Fixtures.catalog.entry(source: "docdb-elastic.amazonaws.com", name: "UpdateCluster"))
        #expect(update.targets[0].diff.first { $0.attribute == "admin_user_password" }?.sensitive == true)
        #expect(update.targets[0].diff.first { $0.attribute == "auth_type" }?.sensitive == false)
        let user = try CatalogLoader.parse(
            yaml: """
                source: rds.amazonaws.com
                events:
                  - name: ModifyDBInstance
                    change: modify
                    resource: aws_db_instance
                    id: [request.dBInstanceIdentifier]
                    diff: {password: request.masterUserPassword, instance_class: request.dBInstanceClass}
                """, file: "mine.yaml")
        let diff = try #require(user.entry(source: "rds.amazonaws.com", name: "ModifyDBInstance")?.targets[0].diff)
        #expect(diff.first { $0.attribute == "password" }?.sensitive == true)
        #expect(diff.first { $0.attribute == "instance_class" }?.sensitive == false)
        #expect(TerraformResourceTypes.builtIn.isSensitive(type: "aws_secretsmanager_secret_version", attribute: "secret_string"))
        #expect(!TerraformResourceTypes.builtIn.isSensitive(type: "aws_secretsmanager_secret_version", attribute: "secret_id"))
    }
}
