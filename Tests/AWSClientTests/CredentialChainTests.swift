import Foundation
import HTTPTransportAHC
import Synchronization
import TestSupport
import Testing
import TfdriftCore

@testable import AWSClient

@Suite("the default credential chain: order, fall-through, caching, errors")
struct CredentialChainTests {
    func factory(_ variables: [String: String], now: @escaping @Sendable () -> Date = { Date() }) -> AWSClientFactory {
        AWSClientFactory(
            environment: environment(variables), transport: Moto.transport, retry: RetryPolicy(maxAttempts: 1), now: now)
    }

    @Test("environment → profile → web identity → container → IMDS: each applies only when the ones before do not")
    func order() async throws {
        let directory = try TemporaryDirectory()
        let credentialsFile = try directory.write(
            "credentials", "[default]\naws_access_key_id = AKIAPROFILE000001\naws_secret_access_key = profile-secret\n")
        let regionOnly = try directory.write("config", "[default]\nregion = eu-west-1\n")
        let webToken = try directory.write("web-token", "eyJ.web.token")
        let imds = IMDSSimulator(credentials: [servedKeys("instance")])
        let agent = ContainerAgentSimulator(path: "/v2/credentials/task", credentials: [servedKeys("task")])
        try await imds.with { imdsEndpoint in
            try await agent.with { agentBase in
                var variables = [
                    "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT01", "AWS_SECRET_ACCESS_KEY": "environment-secret",
                    "AWS_SHARED_CREDENTIALS_FILE": credentialsFile, "AWS_CONFIG_FILE": regionOnly,
                    "AWS_WEB_IDENTITY_TOKEN_FILE": webToken, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": agentBase + "/v2/credentials/task",
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT": imdsEndpoint,
                ]
                func step() throws -> String { try DefaultCredentialChain(factory: factory(variables)).resolve().name }
                func keys() async throws -> AWSCredentials {
                    try await DefaultCredentialChain(factory: factory(variables)).credentials()
                }

                #expect(try step() == "environment")
                #expect(try await keys().accessKeyID == "AKIAENVIRONMENT01")
                variables["AWS_ACCESS_KEY_ID"] = nil
                variables["AWS_SECRET_ACCESS_KEY"] = nil
                #expect(try step() == "profile default")
                #expect(try await keys().accessKeyID == "AKIAPROFILE000001")
                variables["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials"
                // The config file still has [default] — with a region only, so the chain goes on.
                #expect(try step() == "web identity")
                variables["AWS_WEB_IDENTITY_TOKEN_FILE"] = nil
                #expect(try step() == "container credentials \(agentBase) (AWS_CONTAINER_CREDENTIALS_FULL_URI)")
                #expect(try await keys().accessKeyID == "ASIATASK0001")
                #expect(imds.requests.isEmpty, "IMDS is not asked while an earlier step applies")
                variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = nil
                let last = try DefaultCredentialChain(factory: factory(variables)).resolve()
                #expect(last.isLastResort)
                #expect(
                    last.skipped == [
                        "environment: AWS_ACCESS_KEY_ID is not set", "profile default: no credentials in it",
                        "web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must both be set",
                        "container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set",
                    ])
                #expect(try await keys().accessKeyID == "ASIAINSTANCE0001")
                #expect(agent.served == 1)
            }
        }
    }

    @Test("IMDS as the last resort: its failure lists every step; disabled, it is not contacted")
    func lastResortFails() async throws {
        let closed = try ReservedLoopbackPort()
        let imds = "http://127.0.0.1:\(closed.port)"
        await #expect {
            _ = try await DefaultCredentialChain(factory: factory(["AWS_EC2_METADATA_SERVICE_ENDPOINT": imds])).credentials()
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("no AWS credentials found (tried: environment: AWS_ACCESS_KEY_ID is not set; profile default")
                && text.contains("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set")
                && text.contains("container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set")
                && text.contains("EC2 instance metadata (IMDSv2) at \(imds) from AWS_EC2_METADATA_SERVICE_ENDPOINT: cannot get")
                && text.contains("connection refused") && text.contains("on EC2 attach an instance profile")
        }
        let simulator = IMDSSimulator(credentials: [servedKeys("instance")])
        try await simulator.with { endpoint in
            await #expect {
                _ = try await DefaultCredentialChain(
                    factory: factory(["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint, "AWS_EC2_METADATA_DISABLED": "true"])
                )
                .credentials()
            } throws: { "\($0)".contains("EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED") }
            #expect(simulator.requests.isEmpty)
        }
    }

    @Test("a container endpoint that is configured and fails ends the search with its own error (IMDS is not tried)")
    func configuredStepFails() async throws {
        let simulator = IMDSSimulator(credentials: [servedKeys("instance")])
        try await simulator.with { endpoint in
            await #expect {
                _ = try await DefaultCredentialChain(
                    factory: factory([
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.10/creds",
                        "AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint,
                    ])
                )
                .credentials()
            } throws: { "\($0)".contains("AWS_CONTAINER_CREDENTIALS_FULL_URI: http to 192.0.2.10 is not allowed") }
            #expect(simulator.requests.isEmpty)
        }
    }

    @Test("cached: one fetch while fresh, a refresh 5 minutes before expiry reads the rotated token file again")
    func cachedContainerRefresh() async throws {
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "token-one")
        let clock = Mutex(Date())
        let now: @Sendable () -> Date = { clock.withLock { $0 } }
        let agent = ContainerAgentSimulator(
            path: "/v1/credentials", requiredAuthorization: "token-one",
            credentials: [servedKeys("first", expiresIn: 3600), servedKeys("second", expiresIn: 7200)])
        try await agent.with { base in
            let cache = factory(
                [
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/v1/credentials",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                    "AWS_EC2_METADATA_DISABLED": "true",
                ], now: now
            )
            .defaultCredentials()
            #expect(try await cache.credentials().accessKeyID == "ASIAFIRST0001")
            clock.withLock { $0 += 3000 }  // 10 minutes left: still cached
            #expect(try await cache.credentials().accessKeyID == "ASIAFIRST0001")
            #expect(agent.served == 1)
            _ = try directory.write("token", "token-two")
            agent.requireAuthorization("token-two")
            clock.withLock { $0 += 400 }  // 200 s left: refresh, with the new token
            #expect(try await cache.credentials().accessKeyID == "ASIASECOND0001")
            #expect(agent.authorizations == ["token-one", "token-two"])
            #expect(await cache.fetches == 2)
        }
    }

    @Test("a profile's credential_source EcsContainer / Ec2InstanceMetadata is the first hop of its role_arn")
    func credentialSource() throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write(
            "config",
            """
            [profile in-ecs]
            role_arn = arn:aws:iam::210987654321:role/reader
            credential_source = EcsContainer
            [profile on-ec2]
            role_arn = arn:aws:iam::210987654321:role/reader
            credential_source = Ec2InstanceMetadata
            metadata_service_timeout = 2
            [profile elsewhere]
            role_arn = arn:aws:iam::210987654321:role/reader
            credential_source = Lambda
            """)
        func firstHop(_ profile: String, _ extra: [String: String] = [:]) throws -> (any AWSCredentialProvider)? {
            let variables = ["AWS_CONFIG_FILE": config, "AWS_PROFILE": profile].merging(extra) { $1 }
            let resolved = try DefaultCredentialChain(factory: factory(variables)).resolve()
            return (resolved.provider as? AssumeRoleCredentialProvider)?.sts.client.credentials
        }
        let container = try firstHop("in-ecs", ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/t"])
        #expect((container as? ContainerCredentialProvider)?.url.absoluteString == "http://169.254.170.2/v2/credentials/t")
        let instance = try firstHop("on-ec2")
        #expect((instance as? InstanceMetadataCredentialProvider)?.settings.timeout == .seconds(2))
        #expect { try firstHop("in-ecs") } throws: { "\($0)".contains("neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") }
        #expect { try firstHop("on-ec2", ["AWS_EC2_METADATA_DISABLED": "true"]) } throws: {
            "\($0)".contains("AWS_EC2_METADATA_DISABLED=true")
        }
        #expect { try firstHop("elsewhere") } throws: { "\($0)".contains("credential_source Lambda is unknown") }
    }
}
