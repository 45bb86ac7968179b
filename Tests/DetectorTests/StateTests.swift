import Detector
import Foundation
import Testing
import TfdriftCore

@Suite("Terraform state")
struct StateTests {
    static func load(_ fixture: String, name: String = "test") throws -> TerraformState {
        try StateParser.parse(try InputFiles.read(Fixtures.path("states/\(fixture)")), name: name, origin: fixture)
    }

    @Test("Terraform 1.x: modules, nested modules, count and for_each keys, tainted and deposed, data sources out")
    func modulesAndIndexes() throws {
        let state = try Self.load("tf1x-modules.tfstate")
        #expect(state.terraformVersion == "1.5.7")
        #expect(state.dataSourceCount == 1)
        let addresses = Set(state.instances.map(\.address))
        #expect(addresses.contains("module.net.aws_subnet.private[\"us-east-1a\"]"))
        #expect(addresses.contains("module.app.aws_instance.web[0]"))
        #expect(addresses.contains("module.app.module.db.aws_db_instance.main"))
        #expect(!addresses.contains { $0.contains("aws_caller_identity") })
        #expect(state.instances.first { $0.address == "module.app.aws_instance.web[1]" }?.tainted == true)
        let databases = state.instances.filter { $0.type == "aws_db_instance" }
        #expect(databases.count == 2)
        #expect(databases.filter { $0.deposedKey == "abcd1234" }.count == 1)
        #expect(state.instances.first { $0.type == "aws_db_instance" }?.isSensitive("password") == true)
    }

    @Test("Terraform 0.12: provider.aws spelling, legacy attributes")
    func terraform012() throws {
        let state = try Self.load("tf012-legacy.tfstate")
        #expect(state.terraformVersion == "0.12.31")
        #expect(state.instances.contains { $0.address == "aws_instance.web[1]" && $0.provider == "provider.aws" })
        #expect(state.instances.contains { $0.address == "module.logs.aws_s3_bucket.this" })
        #expect(state.dataSourceCount == 1)
    }

    @Test("Terraform 1.12: identity objects are indexed; account and region are not identifiers")
    func identity() throws {
        let state = try Self.load("tf112-identity.tfstate")
        let index = StateIndex(states: [state])
        #expect(!index.lookup(type: "aws_instance", identifier: "i-0e5d4c3b2a1f09876", accountID: nil).isEmpty)
        #expect(index.lookup(type: "aws_instance", identifier: "444455556666", accountID: nil).isEmpty)
        let version = try #require(state.instances.first { $0.type == "aws_secretsmanager_secret_version" })
        #expect(version.isSensitive("secret_string"))
        let function = try #require(state.instances.first { $0.type == "aws_lambda_function" })
        #expect(function.isSensitive("environment"))
    }

    @Test("format 3 and older: a clear error naming the Terraform version that wrote it")
    func oldFormats() throws {
        let v3 = #expect(throws: StateLoadError.self) { try Self.load("v3-tf011.tfstate") }
        #expect(v3?.message.contains("format version 3 was written by Terraform 0.11.14") == true)
        #expect(v3?.message.contains("Terraform 0.12 or newer") == true)
        let v1 = #expect(throws: StateLoadError.self) { try Self.load("v1-legacy.tfstate") }
        #expect(v1?.message.contains("format version 1") == true)
    }

    @Test("a truncated state is an error with a line, and no attribute value in it")
    func truncated() throws {
        let error = #expect(throws: StateLoadError.self) { try Self.load("broken-truncated.tfstate") }
        #expect(error?.message.contains("line") == true)
        #expect(error?.origin == "broken-truncated.tfstate")
    }

    @Test("the index is per type and keeps every claimant of an identifier")
    func collisions() throws {
        let index = StateIndex(states: [try Self.load("collision.tfstate")])
        #expect(index.lookup(type: "aws_iam_role", identifier: "app", accountID: nil).count == 2)
        #expect(index.lookup(type: "aws_iam_instance_profile", identifier: "app", accountID: nil).count == 1)
        #expect(index.lookup(type: "aws_sqs_queue", identifier: "app", accountID: nil).count == 1)  // by name
        #expect(index.collisions.contains { $0.type == "aws_iam_role" && $0.identifier == "app" })
    }

    @Test("upstream's state whose four resources share one id: all four are found by type")
    func upstreamCollision() throws {
        let state = try Self.load("upstream/pkg_detector_testdata_terraform.tfstate")
        let index = StateIndex(states: [state])
        #expect(index.instanceCount == state.instances.count)
        #expect(!index.lookup(type: "aws_iam_role", identifier: "tfdrift-falco-test-app-role", accountID: nil).isEmpty)
        #expect(!index.lookup(type: "aws_s3_bucket", identifier: "tfdrift-falco-test-data-943198b9", accountID: nil).isEmpty)
    }

    @Test("identifiers: id, arn, name, identifier — every one reaches the resource")
    func identifiers() throws {
        let index = StateIndex(states: [try Self.load("tf1x-modules.tfstate")])
        for identifier in [
            "orders-20240614081502339100000001", "arn:aws:rds:us-east-1:210987654321:db:orders-20240614081502339100000001",
        ] {
            #expect(!index.lookup(type: "aws_db_instance", identifier: identifier, accountID: nil).isEmpty, "\(identifier)")
        }
        #expect(!index.lookup(type: "aws_ssm_parameter", identifier: "/orders/prod/db/password", accountID: nil).isEmpty)
        // A sensitive attribute's value is never an index key.
        #expect(index.lookup(type: "aws_ssm_parameter", identifier: "pr0d-Orders!v2-9f3k", accountID: nil).isEmpty)
        // A reference attribute does not identify: a subnet is not found by its VPC id.
        #expect(index.lookup(type: "aws_subnet", identifier: "vpc-0e7b6a5d4c3b2a190", accountID: nil).isEmpty)
    }

    @Test("states with an account only match that account")
    func accounts() throws {
        var state = try Self.load("tf1x-modules.tfstate")
        state.accountID = "210987654321"
        let index = StateIndex(states: [state])
        #expect(!index.lookup(type: "aws_vpc", identifier: "vpc-0e7b6a5d4c3b2a190", accountID: "210987654321").isEmpty)
        #expect(index.lookup(type: "aws_vpc", identifier: "vpc-0e7b6a5d4c3b2a190", accountID: "999999999999").isEmpty)
    }

    @Test("globs load several files, each named")
    func globs() throws {
        var source = StateSourceConfig(name: "all", backend: .local)
        source.localPath = Fixtures.path("states/tf1*.tfstate")
        let loaded = try StateLoader.loadLocal(source)
        #expect(loaded.map(\.state.name).sorted() == ["all:tf112-identity.tfstate", "all:tf1x-modules.tfstate"])
        source.localPath = Fixtures.path("states/nothing-*.tfstate")
        #expect(throws: StateLoadError.self) { try StateLoader.loadLocal(source) }
    }
}
