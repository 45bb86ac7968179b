import Foundation
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

@testable import AWSClient

@Suite("EC2 instance profile credentials (IMDSv2) against an IMDS simulator")
struct InstanceMetadataTests {
    static let rolesPath = "/latest/meta-data/iam/security-credentials/"

    func provider(_ endpoint: String, jitter: TimeInterval = 300) throws -> InstanceMetadataCredentialProvider {
        InstanceMetadataCredentialProvider(
            settings: try InstanceMetadataSettings.resolve(
                environment: environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint]), profile: nil),
            transport: Moto.transport, jitter: { jitter })
    }

    @Test("a session token (TTL 21600) first, then the role and its keys, every GET with the token")
    func imdsV2() async throws {
        let imds = IMDSSimulator(credentials: [servedKeys("instance")])
        try await imds.with { endpoint in
            // The simulator is strict: without a token, metadata is refused (HttpTokens=required).
            let anonymous = try await Moto.transport.send(
                HTTPRequest(method: "GET", url: URL(string: endpoint + Self.rolesPath)!, timeout: .seconds(5)))
            #expect(anonymous.status == 401)
            #expect(imds.unauthorized == 1)

            let credentials = try await provider(endpoint).credentials()
            #expect(credentials.accessKeyID == "ASIAINSTANCE0001")
            #expect(credentials.secretAccessKey == "instance-secret-value")
            #expect(credentials.sessionToken == "instance-session-token")
            #expect(abs((credentials.expiration ?? .distantPast).timeIntervalSinceNow - 6 * 3600) < 120)
            #expect(credentials.source == "instance profile role tfdrift-instance (IMDS \(endpoint))")
            #expect(
                imds.requests == [
                    "GET \(Self.rolesPath)", "PUT /latest/api/token", "GET \(Self.rolesPath)",
                    "GET \(Self.rolesPath)tfdrift-instance",
                ])
            #expect(imds.ttlHeaders == ["21600"])
            #expect(imds.unauthorized == 1, "no request of the provider was refused")
        }
    }

    @Test("a token that ran out (401) is replaced once, at the role listing and at the credentials")
    func expiredToken() async throws {
        let imds = IMDSSimulator(credentials: [servedKeys("instance")])
        try await imds.with { endpoint throws in
            imds.outliveNextTokens(1)
            #expect(try await provider(endpoint).credentials().accessKeyID == "ASIAINSTANCE0001")
            #expect(
                imds.requests == [
                    "PUT /latest/api/token", "GET \(Self.rolesPath)", "PUT /latest/api/token", "GET \(Self.rolesPath)",
                    "GET \(Self.rolesPath)tfdrift-instance",
                ])
            #expect(imds.unauthorized == 1)

            imds.outliveNextTokens(5)
            await #expect {
                _ = try await provider(endpoint).credentials()
            } throws: { "\($0)".contains("IMDS refused a fresh session token (HTTP 401)") }
        }
    }

    @Test("no instance profile: the 404 says to attach one")
    func noRole() async throws {
        let imds = IMDSSimulator(credentials: [servedKeys("instance")])
        imds.setRole(nil)
        try await imds.with { endpoint in
            await #expect {
                _ = try await provider(endpoint).credentials()
            } throws: { error in
                let text = "\(error)"
                return text.hasPrefix("AWS credentials from EC2 instance metadata (IMDSv2) at \(endpoint)")
                    && text.contains("no instance profile") && text.contains("attach an instance profile")
            }
        }
    }

    @Test("credentials that IMDS still serves after their expiry get a short grace period, fresh ones are untouched")
    func staleCredentials() async throws {
        let imds = IMDSSimulator(credentials: [servedKeys("stale", expiresIn: -60), servedKeys("fresh")])
        try await imds.with { endpoint in
            let stale = try await provider(endpoint, jitter: 200).credentials()
            let extended = try #require(stale.expiration).timeIntervalSinceNow
            #expect(extended > 780 && extended <= 800, "10 minutes plus the jitter from now, not already expired: \(extended)")
            let fresh = try await provider(endpoint, jitter: 200).credentials()
            #expect(abs(try #require(fresh.expiration).timeIntervalSinceNow - 6 * 3600) < 120)
        }
    }

    @Test("a machine without IMDS: one request, over within the 1 s timeout, and the error says what it means")
    func nothingAnswers() async throws {
        let silent = try ReservedLoopbackPort(listening: true)
        let started = ContinuousClock.now
        await #expect {
            _ = try await provider("http://127.0.0.1:\(silent.port)").credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("no answer to a session token (PUT /latest/api/token) within 1 s")
                && text.contains("not an EC2 instance") && text.contains("hop limit")
        }
        // The 1 s deadline, not the transport's 60 s read timeout (the endpoint accepts and never answers);
        // generous, since a loaded machine's tests share two cores.
        #expect(started.duration(to: .now) < .seconds(20))

        let closed = try ReservedLoopbackPort()
        await #expect {
            _ = try await provider("http://127.0.0.1:\(closed.port)").credentials()
        } throws: { "\($0)".contains("connection refused") && "\($0)".contains("after 1 attempt") }
    }

    @Test("settings: botocore's defaults; endpoint, mode, timeout and attempts from the environment or the profile")
    func settings() throws {
        let defaults = try InstanceMetadataSettings.resolve(environment: environment([:]), profile: nil)
        #expect(defaults.endpoint.absoluteString == "http://169.254.169.254")
        #expect(defaults.timeout == .seconds(1))
        #expect(defaults.attempts == 1)
        #expect(defaults.tokenTTL == 21_600)

        let ipv6 = try InstanceMetadataSettings.resolve(
            environment: environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"]), profile: nil)
        #expect(ipv6.endpoint.absoluteString == "http://[fd00:ec2::254]")
        let fromProfile = try InstanceMetadataSettings.resolve(
            environment: environment([:]),
            profile: [
                "ec2_metadata_service_endpoint_mode": "ipv6", "metadata_service_timeout": "2.5",
                "metadata_service_num_attempts": "3",
            ])
        #expect(fromProfile.endpoint == ipv6.endpoint)
        #expect(fromProfile.timeout == .milliseconds(2500))
        #expect(fromProfile.attempts == 3)
        let endpointWins = try InstanceMetadataSettings.resolve(
            environment: environment([
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338/", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6",
                "AWS_METADATA_SERVICE_TIMEOUT": "3", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2",
            ]), profile: ["metadata_service_timeout": "9"])
        #expect(endpointWins.endpoint.absoluteString == "http://127.0.0.1:1338/")
        #expect(endpointWins.url("/latest/api/token")?.absoluteString == "http://127.0.0.1:1338/latest/api/token")
        #expect(endpointWins.timeout == .seconds(3), "the environment wins over the profile")
        #expect(endpointWins.attempts == 2)

        for (name, value) in [
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5"), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254"),
            ("AWS_METADATA_SERVICE_TIMEOUT", "0"), ("AWS_METADATA_SERVICE_TIMEOUT", "soon"),
            ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0"),
        ] {
            #expect {
                try InstanceMetadataSettings.resolve(environment: environment([name: value]), profile: nil)
            } throws: {
                "\($0)".hasPrefix("\(name): \"\(value)\"")
            }
        }
        #expect(InstanceMetadataSettings.isDisabled(environment(["AWS_EC2_METADATA_DISABLED": "TRUE"])))
        #expect(!InstanceMetadataSettings.isDisabled(environment(["AWS_EC2_METADATA_DISABLED": "false"])))
    }
}
