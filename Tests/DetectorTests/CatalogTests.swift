import Detector
import Foundation
import Testing
import TfdriftCore

@Suite("event catalog")
struct CatalogTests {
    @Test("the built-in catalog covers at least 250 mutating calls across the services the issue lists")
    func coverage() {
        let catalog = Fixtures.catalog
        #expect(catalog.count >= 250, "\(catalog.count)")
        let sources = Set(catalog.allEntries.map(\.source))
        for service in [
            "ec2", "iam", "s3", "rds", "lambda", "elasticloadbalancing", "kms", "dynamodb", "ecs", "eks", "cloudtrail",
            "secretsmanager", "ssm", "logs", "sns", "sqs", "route53",
        ] {
            #expect(sources.contains("\(service).amazonaws.com"), "\(service)")
        }
        let readLike = catalog.allEntries.filter { entry in ["Get", "Describe", "List"].contains { entry.name.hasPrefix($0) } }
        #expect(readLike.isEmpty, "\(readLike.map(\.name))")
        // Upstream's defects: Create* ids from the response, Lambda version suffixes.
        #expect(
            catalog.entry(source: "ec2.amazonaws.com", name: "CreateSecurityGroup")?.targets[0].identifiers.contains {
                $0.paths[0].root == .response
            } == true)
        #expect(catalog.entry(source: "ec2.amazonaws.com", name: "RunInstances") != nil)
        #expect(catalog.entry(source: "lambda.amazonaws.com", name: "UpdateFunctionConfiguration") != nil)
    }

    @Test("every covered successful write in the real corpus yields an identifier")
    func identifiersOnRealRecords() throws {
        var covered = 0
        var missing: [String] = []
        for record in Fixtures.corpus where record.errorCode == nil && record.readOnly != true {
            let name = EventCatalog.normalisedEventName(record.eventName)
            guard let entry = Fixtures.catalog.entry(source: record.eventSource, name: name) else { continue }
            covered += 1
            var evaluator = try StateBuilder().evaluator()
            var untouched = record
            untouched.userAgent = "aws-cli/2.15.0"  // judge as a manual change
            _ = evaluator.evaluate(untouched)
            if evaluator.summary.skipped["no_identifier"] != nil {
                missing.append("\(entry.source) \(name) \(record.eventID ?? "")")
            }
        }
        #expect(covered >= 150, "\(covered)")
        #expect(missing.isEmpty, "\(missing)")
    }

    @Test("a catalog file with a typo is an error naming the file, key and line")
    func strictLoading() {
        let yaml = """
            source: ec2.amazonaws.com
            events:
              - name: CreateVpc
                change: create
                resource: aws_vpc
                idd: [response.vpc.vpcId]
            """
        let error = #expect(throws: ConfigError.self) { try CatalogLoader.parse(yaml: yaml, file: "extra.yaml") }
        #expect(error?.description.contains("extra.yaml") == true)
        #expect(error?.keyPath == "events[0].idd")
        #expect(error?.message.contains("did you mean id?") == true)
        #expect(error?.line == 6)
        #expect(throws: ConfigError.self) {
            try CatalogLoader.parse(
                yaml: "source: x\nevents:\n  - {name: A, change: alter, resource: aws_vpc, id: [request.a]}\n", file: "f")
        }
        #expect(throws: ConfigError.self) {
            try CatalogLoader.parse(
                yaml: "source: x\nevents:\n  - {name: A, change: create, resource: aws_vpc, id: [requestParameters.a]}\n",
                file: "f")
        }
    }

    @Test("user catalog files extend and override the built-in one")
    func userCatalog() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bedrock.yaml")
        try """
        source: bedrock.amazonaws.com
        events:
          - name: PutUseCaseForModelAccess
            change: modify
            resource: aws_bedrock_model_invocation_logging_configuration
            id: [request.formData]
            severity: medium
        """.write(to: file, atomically: true, encoding: .utf8)
        let catalog = try CatalogLoader.load(extraPaths: [file.path])
        #expect(catalog.count == Fixtures.catalog.count + 1)
        #expect(catalog.entry(source: "bedrock.amazonaws.com", name: "PutUseCaseForModelAccess")?.severity == .medium)
        #expect(throws: ConfigError.self) { try CatalogLoader.load(extraPaths: ["/nonexistent/catalog.yaml"]) }
    }

    @Test("inline policies are matched by Terraform's role:policy id, not by policy name alone")
    func compositeIdentifiers() throws {
        var builder = StateBuilder()
        builder.add(
            "aws_iam_role_policy", "a", ["id": "app:inline", "name": "inline", "role": "app", "policy": #"{"Statement":[]}"#])
        builder.add(
            "aws_iam_role_policy", "b", ["id": "other:inline", "name": "inline", "role": "other", "policy": #"{"Statement":[]}"#])
        let json = """
            {"eventSource":"iam.amazonaws.com","eventName":"PutRolePolicy","eventID":"x1","readOnly":false,"eventTime":"2026-01-01T00:00:00Z",
             "userAgent":"console.amazonaws.com","requestParameters":{"roleName":"app","policyName":"inline",
             "policyDocument":"{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Allow\\",\\"Action\\":\\"*\\",\\"Resource\\":\\"*\\"}]}"}}
            """
        var evaluator = try builder.evaluator()
        let events = Fixtures.decode(json: json).records.flatMap { evaluator.evaluate($0) }
        #expect(events.map(\.resourceAddress) == ["aws_iam_role_policy.a"])
        #expect(events.first?.resourceID == "app:inline")
        #expect(events.first?.diff["policy"]?.actual["Statement"]?.arrayValue?.first?["Action"] == ["*"])
    }
}
