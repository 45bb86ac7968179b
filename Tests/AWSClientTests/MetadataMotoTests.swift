import Foundation
import HTTPTransportAHC
import Testing
import TfdriftCore

@testable import AWSClient

/// The ECS agent and IMDS simulators hand out real temporary credentials from moto's STS, and the
/// requests signed with them go to moto with signature checking on: the whole path from the endpoint's
/// JSON to an accepted SigV4 signature (with `X-Amz-Security-Token`).
@Suite("container and instance-profile credentials sign requests that moto accepts")
struct MetadataMotoTests {
    /// What the agent or IMDS would hold for a role: temporary keys from AssumeRole.
    func roleCredentials(_ moto: Moto, role: String) async throws -> AWSCredentials {
        let arn = try await moto.createAssumableRole(role)
        return try await moto.factory().credentials(
            base: moto.credentialsProvider(), assumeRoleARN: arn, sessionName: "tfdrift-metadata"
        ).credentials()
    }

    func factory(_ moto: Moto, _ variables: [String: String]) -> AWSClientFactory {
        AWSClientFactory(
            environment: environment(
                ["AWS_ENDPOINT_URL": moto.url, "AWS_REGION": Moto.region].merging(variables) { $1 }),
            transport: Moto.transport, retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(50)))
    }

    /// S3 (REST/XML), SQS (JSON protocol) and STS (query) with the chain's credentials.
    func exercise(_ moto: Moto, _ factory: AWSClientFactory, role: String) async throws {
        let credentials = factory.defaultCredentials()
        let s3 = try factory.s3(region: nil, endpoint: nil, credentials: credentials)
        let bucket = Moto.unique("metadata")
        try await s3.createBucket(bucket)
        try await s3.putObject(bucket: bucket, key: "AWSLogs/trail.json", body: Array("{}".utf8))
        #expect(try await s3.headObject(bucket: bucket, key: "AWSLogs/trail.json").size == 2)

        let name = Moto.unique("metadata")
        let creator = try factory.sqs(
            queue: "\(moto.url)/\(Moto.account)/\(name)", region: nil, endpoint: nil, credentials: credentials)
        let queueURL = try await creator.createQueue(name: name)
        let sqs = try factory.sqs(queue: queueURL, region: nil, endpoint: nil, credentials: credentials)
        try await sqs.sendMessage(body: "hello")
        #expect(try await sqs.receiveMessages(maxMessages: 1, waitTimeSeconds: 1).map(\.body) == ["hello"])

        let sts = STSClient(client: try factory.serviceClient(.sts, region: nil, endpoint: nil, credentials: credentials))
        #expect(try await sts.getCallerIdentity().arn.contains("assumed-role/\(role)/tfdrift-metadata"))
        #expect(await credentials.fetches == 1, "one fetch from the endpoint, cached for every request")
    }

    @Test("ECS task role / EKS Pod Identity: the agent's keys sign S3, SQS and STS requests")
    func container() async throws {
        let moto = try Moto.connect()
        let role = Moto.unique("task")
        let keys = try await roleCredentials(moto, role: role)
        #expect(keys.accessKeyID.hasPrefix("ASIA") && keys.sessionToken != nil)
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "agent-token")
        let agent = ContainerAgentSimulator(
            path: "/v1/credentials", requiredAuthorization: "agent-token", credentials: [ServedCredentials(keys)])
        try await agent.with { base in
            let factory = factory(
                moto,
                [
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/v1/credentials",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                    "AWS_EC2_METADATA_DISABLED": "true",
                ])
            try await exercise(moto, factory, role: role)
        }
    }

    @Test("EC2 instance profile: IMDSv2's keys sign S3, SQS and STS requests")
    func instanceProfile() async throws {
        let moto = try Moto.connect()
        let role = Moto.unique("instance")
        let keys = try await roleCredentials(moto, role: role)
        let imds = IMDSSimulator(credentials: [ServedCredentials(keys)])
        try await imds.with { endpoint in
            try await exercise(moto, factory(moto, ["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint]), role: role)
            #expect(imds.requests.filter { $0.hasPrefix("PUT") }.count == 1)
        }
    }

    @Test("moto really checks: the key id with another secret, served by IMDS, gets SignatureDoesNotMatch")
    func wrongSecretRefused() async throws {
        let moto = try Moto.connect()
        var keys = try await roleCredentials(moto, role: Moto.unique("instance"))
        keys.secretAccessKey = "not-the-secret-for-this-key"
        let imds = IMDSSimulator(credentials: [ServedCredentials(keys)])
        try await imds.with { endpoint in
            let factory = factory(moto, ["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint])
            let s3 = try factory.s3(region: nil, endpoint: nil, credentials: factory.defaultCredentials())
            await #expect {
                try await s3.createBucket(Moto.unique("refused"))
            } throws: { error in
                let text = "\(error)"
                return (error as? AWSServiceError)?.code == "SignatureDoesNotMatch"
                    && text.contains("from instance profile role") && !text.contains("not-the-secret")
            }
        }
    }
}
