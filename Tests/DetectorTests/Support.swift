import Detector
import Foundation
import Testing
import TfdriftCore

/// Paths and builders shared by the detector tests.
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repository = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    /// Real third-party CloudTrail (Tests/Fixtures/cloudtrail, provenance and licences in its SOURCE.md).
    static let cloudTrail = repository.appendingPathComponent("Tests/Fixtures/cloudtrail")

    static func path(_ relative: String) -> String {
        testsDirectory.appendingPathComponent("Fixtures").appendingPathComponent(relative).path
    }

    static let catalog: EventCatalog = {
        do { return try CatalogLoader.builtIn() } catch { fatalError("built-in catalog does not load: \(error)") }
    }()

    /// Every record of the given inputs, with malformed inputs and skips.
    static func decode(_ paths: [String]) throws -> (records: [CloudTrailRecord], malformed: [MalformedInput], skips: [InputSkip])
    {
        var records: [CloudTrailRecord] = []
        var malformed: [MalformedInput] = []
        var skips: [InputSkip] = []
        let listing = InputFiles.list(paths)
        for (skip, count) in listing.skipped { skips += Array(repeating: skip, count: count) }
        for file in listing.files {
            let bytes = try InputFiles.read(file)
            let decoder = RecordDecoder(
                onRecord: { records.append($0) }, onMalformed: { malformed.append($0) }, onSkip: { skips.append($0) })
            decoder.decode(bytes, file: file)
        }
        return (records, malformed, skips)
    }

    static func decode(json: String, name: String = "inline") -> (records: [CloudTrailRecord], malformed: [MalformedInput]) {
        var records: [CloudTrailRecord] = []
        var malformed: [MalformedInput] = []
        RecordDecoder(onRecord: { records.append($0) }, onMalformed: { malformed.append($0) }).decode(
            JSONBytes(string: json), file: name)
        return (records, malformed)
    }

    /// The real corpus: every trail file plus the Stratus and OTRF logs (not the SQS notifications).
    static var corpusPaths: [String] {
        [
            cloudTrail.appendingPathComponent("invictus-ir-aws_dataset").path,
            cloudTrail.appendingPathComponent("stratus-red-team-detonation-logs.json.gz").path,
            cloudTrail.appendingPathComponent("otrf-sdaws-200914011940-ec2-proxy-s3-exfiltration.json.gz").path,
        ]
    }

    static let corpus: [CloudTrailRecord] = {
        do { return try decode(corpusPaths).records } catch { fatalError("corpus does not read: \(error)") }
    }()

    static func record(eventID: String) throws -> CloudTrailRecord {
        try #require(corpus.first { $0.eventID == eventID }, "record \(eventID) not in the corpus")
    }

    static func record(named name: String, where predicate: (CloudTrailRecord) -> Bool = { _ in true }) throws -> CloudTrailRecord
    {
        try #require(
            corpus.first { $0.eventName == name && $0.errorCode == nil && predicate($0) }, "no successful \(name) in the corpus")
    }
}

/// Builds a format-4 state from (type, name, attributes) triples.
struct StateBuilder {
    struct Resource {
        var type: String
        var name: String
        var attributes: JSONValue
        var module: String? = nil
        var sensitive: [String] = []
    }

    var resources: [Resource] = []

    mutating func add(
        _ type: String, _ name: String, module: String? = nil, sensitive: [String] = [], _ attributes: [String: JSONValue]
    ) {
        resources.append(Resource(type: type, name: name, attributes: .object(attributes), module: module, sensitive: sensitive))
    }

    var json: String {
        let list: [JSONValue] = resources.map { resource in
            var object: [String: JSONValue] = [
                "mode": .string("managed"), "type": .string(resource.type), "name": .string(resource.name),
                "provider": .string("provider[\"registry.terraform.io/hashicorp/aws\"]"),
                "instances": .array([
                    .object([
                        "schema_version": .number("0"), "attributes": resource.attributes,
                        "sensitive_attributes": .array(
                            resource.sensitive.map { .array([.object(["type": .string("get_attr"), "value": .string($0)])]) }),
                    ])
                ]),
            ]
            if let module = resource.module { object["module"] = .string(module) }
            return .object(object)
        }
        return JSONWriter.encode(
            .object([
                "version": .number("4"), "terraform_version": .string("1.9.8"), "serial": .number("3"),
                "lineage": .string("test"), "outputs": .object([:]), "resources": .array(list), "check_results": .null,
            ]))
    }

    func state(name: String = "test") throws -> TerraformState {
        try StateParser.parse(JSONBytes(string: json), name: name, origin: "\(name).tfstate")
    }

    func evaluator(config: TfdriftConfig = TfdriftConfig()) throws -> DriftEvaluator {
        DriftEvaluator(catalog: Fixtures.catalog, index: StateIndex(states: [try state()]), config: config)
    }
}
