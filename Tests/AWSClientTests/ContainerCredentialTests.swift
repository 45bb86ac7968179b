import Foundation
import HTTPTransportAHC
import TestSupport
import Testing
import TfdriftCore

@testable import AWSClient

/// Keys in the shape the ECS agent and IMDS hand out (temporary: ASIA…, a session token, an expiry).
func servedKeys(_ name: String, expiresIn seconds: TimeInterval = 6 * 3600) -> ServedCredentials {
    ServedCredentials(
        accessKeyID: "ASIA\(name.uppercased())0001", secretAccessKey: "\(name)-secret-value", token: "\(name)-session-token",
        expiration: Date().addingTimeInterval(seconds))
}

func environment(_ variables: [String: String]) -> AWSEnvironment {
    AWSEnvironment(variables: variables, homeDirectory: "/nonexistent")
}

@Suite("container credentials (ECS task role, EKS Pod Identity) against an agent simulator")
struct ContainerCredentialTests {
    /// The provider these variables describe, with the real transport.
    func provider(_ variables: [String: String]) throws -> ContainerCredentialProvider? {
        try ContainerCredentialProvider.fromEnvironment(environment(variables), transport: Moto.transport)
    }
    @Test("FULL_URI on loopback with a token file: GET with Accept and Authorization; the file is re-read on every fetch")
    func fullURIWithTokenFile() async throws {
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "pod-identity-token-one\n")
        let agent = ContainerAgentSimulator(
            path: "/v1/credentials", requiredAuthorization: "pod-identity-token-one",
            credentials: [servedKeys("first"), servedKeys("second")])
        try await agent.with { base in
            let provider = try #require(
                try provider([
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/v1/credentials",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                ]))
            let first = try await provider.credentials()
            #expect(first.accessKeyID == "ASIAFIRST0001")
            #expect(first.secretAccessKey == "first-secret-value")
            #expect(first.sessionToken == "first-session-token")
            let expiration = try #require(first.expiration)
            #expect(abs(expiration.timeIntervalSinceNow - 6 * 3600) < 120)
            #expect(first.source == "container credentials \(base) (AWS_CONTAINER_CREDENTIALS_FULL_URI)")

            // The agent rotates the token; the file follows; the next fetch must send the new one.
            _ = try directory.write("token", "pod-identity-token-two")
            agent.requireAuthorization("pod-identity-token-two")
            #expect(try await provider.credentials().accessKeyID == "ASIASECOND0001")
            #expect(agent.authorizations == ["pod-identity-token-one", "pod-identity-token-two"])
            #expect(agent.accepts == ["application/json", "application/json"])

            // A token the agent no longer accepts: its answer, no secret, and no second try for a 4xx.
            agent.requireAuthorization("pod-identity-token-three")
            await #expect {
                _ = try await provider.credentials()
            } throws: { error in
                let text = "\(error)"
                return text.contains("AWS credentials from container credentials \(base)")
                    && text.contains("HTTP 401 (AccessDeniedException: invalid authorization token)")
                    && !text.contains("pod-identity-token") && !text.contains("/v1/credentials")
            }
            #expect(agent.authorizations.count == 3)
        }
    }

    @Test("AWS_CONTAINER_AUTHORIZATION_TOKEN when there is no file; the file wins when both are set")
    func tokenVariable() async throws {
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "from-the-file")
        let agent = ContainerAgentSimulator(path: "/creds", credentials: [servedKeys("keys")])
        try await agent.with { base in
            var variables = [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "from-the-variable",
            ]
            _ = try await provider(variables)?.credentials()
            variables["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile
            _ = try await provider(variables)?.credentials()
            variables = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/creds"]
            _ = try await provider(variables)?.credentials()
            #expect(agent.authorizations == ["from-the-variable", "from-the-file", nil])
        }
        // Token problems are found before any request (port 9, discard, is never contacted).
        func withTokenFile(_ path: String) throws -> ContainerCredentialProvider? {
            try provider([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": path,
            ])
        }
        let badFile = try directory.write("bad", "line-one\nline-two")
        await #expect {
            _ = try await withTokenFile(badFile)?.credentials()
        } throws: { error in
            "\(error)".contains("line break") && !"\(error)".contains("line-one")
        }
        await #expect {
            _ = try await withTokenFile(directory.path + "/missing")?.credentials()
        } throws: { error in
            "\(error)".contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") && "\(error)".contains("/missing")
        }
    }

    @Test("RELATIVE_URI is a path on the ECS agent (169.254.170.2) and wins over FULL_URI; neither: not applicable")
    func relativeURI() throws {
        let relative = try #require(
            try provider([
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/0c1a3b2e-task",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/ignored",
            ]))
        #expect(relative.url.absoluteString == "http://169.254.170.2/v2/credentials/0c1a3b2e-task")
        #expect(relative.origin == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        #expect(relative.authorization == nil)
        #expect("\(relative)" == "container credentials http://169.254.170.2 (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)")
        #expect(try provider([:]) == nil)
    }

    @Test(
        "FULL_URI over http only to loopback or the ECS/EKS agents' addresses; https anywhere",
        arguments: [
            ("http://127.0.0.1:8080/creds", true), ("http://127.42.0.9/creds", true), ("http://localhost:51679/creds", true),
            ("http://LOCALHOST/creds", true), ("http://[::1]:8080/creds", true), ("http://[0:0:0:0:0:0:0:1]/creds", true),
            ("http://169.254.170.2/v2/credentials/x", true), ("http://169.254.170.23/v1/credentials", true),
            ("http://[fd00:ec2::23]/v1/credentials", true), ("http://[fd00:ec2:0::23]:80/v1/credentials", true),
            ("https://credentials.example.com/role", true), ("HTTPS://credentials.example.com/role", true),
            ("http://169.254.169.254/latest/meta-data/", false), ("http://example.com/creds", false),
            ("http://10.0.0.12/creds", false), ("http://[fd00:ec2::254]/creds", false), ("http://127.0.0.1.nip.io/creds", false),
            ("http://169.254.170.3/creds", false), ("ftp://127.0.0.1/creds", false), ("/v2/credentials", false),
            ("not a url", false),
        ])
    func fullURIHosts(uri: String, allowed: Bool) {
        let result = Result { try ContainerCredentialProvider.validated(fullURI: uri) }
        switch result {
        case .success(let url):
            #expect(allowed, "accepted \(uri)")
            #expect(url.absoluteString == uri)
        case .failure(let error):
            #expect(!allowed, "refused \(uri): \(error)")
            #expect("\(error)".hasPrefix("AWS_CONTAINER_CREDENTIALS_FULL_URI: "))
        }
    }

    @Test("5xx is tried again (3 attempts), a 4xx fails at once with the agent's code, an unreachable agent says so")
    func failures() async throws {
        let agent = ContainerAgentSimulator(path: "/v2/credentials/task", credentials: [servedKeys("task")])
        try await agent.with { base throws in
            var provider = ContainerCredentialProvider(
                url: URL(string: base + "/v2/credentials/task")!, origin: "test", authorization: nil, transport: Moto.transport)
            provider.retryDelay = .milliseconds(20)
            agent.fail(next: 2)
            #expect(try await provider.credentials().accessKeyID == "ASIATASK0001")
            #expect(agent.authorizations.count == 3, "two 500s, then the keys")

            agent.fail(next: 3)
            await #expect {
                _ = try await provider.credentials()
            } throws: { "\($0)".contains("HTTP 500 (InternalError: agent restarting), after 3 attempts") }

            let wrongPath = ContainerCredentialProvider(
                url: URL(string: base + "/v2/credentials/other-task")!, origin: "test", authorization: nil,
                transport: Moto.transport)
            let before = agent.authorizations.count
            await #expect {
                _ = try await wrongPath.credentials()
            } throws: { error in
                let text = "\(error)"
                return text.contains("HTTP 400 (InvalidIdInRequest: credentials not found)") && !text.contains("other-task")
            }
            #expect(agent.authorizations.count == before + 1, "a 4xx is not retried")
        }
        let closed = try ReservedLoopbackPort()
        var unreachable = ContainerCredentialProvider(
            url: URL(string: "http://127.0.0.1:\(closed.port)/v2/credentials/secret-id")!, origin: "test", authorization: nil,
            transport: Moto.transport)
        unreachable.retryDelay = .milliseconds(10)
        await #expect {
            _ = try await unreachable.credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("cannot reach it") && text.contains("after 3 attempts") && !text.contains("secret-id")
        }
    }

    @Test("printing a provider never shows the authorization token")
    func printing() throws {
        let withToken = try #require(
            try provider([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/creds",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "very-secret-token",
            ]))
        for text in ["\(withToken)", String(reflecting: withToken), "\(Mirror(reflecting: withToken).children.map(\.value))"] {
            #expect(!text.contains("very-secret-token"), "\(text)")
        }
    }

    @Test("credential documents: what is missing or wrong is said without echoing a secret")
    func documents() throws {
        func reason(_ json: String) -> String? {
            do {
                _ = try MetadataCredentialsDocument.parse(Array(json.utf8), source: "test")
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(
            reason(#"{"AccessKeyId":"ASIA1","SecretAccessKey":"s3cr3t","Token":"t","Expiration":"2030-01-01T00:00:00Z"}"#) == nil)
        #expect(reason(#"{"AccessKeyId":"AKIA1","SecretAccessKey":"s3cr3t"}"#) == nil, "long-term keys have no token or expiry")
        let truncated = #"{"AccessKeyId":"ASIA1","SecretAccessKey":"s3cr3t""#
        #expect(reason(truncated) == "the answer is not a JSON object (\(truncated.utf8.count) bytes)")
        #expect(
            reason(#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role","AccessKeyId":"x"}"#)
                == "AssumeRoleUnauthorizedAccess: EC2 cannot assume the role")
        #expect(reason(#"{"code":"InvalidIdInRequest","message":"not found"}"#) == "InvalidIdInRequest: not found")
        #expect(
            reason(#"{"SecretAccessKey":"s3cr3t","Token":"t"}"#)
                == "the document has no AccessKeyId/SecretAccessKey (fields: SecretAccessKey, Token)")
        #expect(
            reason(#"{"AccessKeyId":"ASIA1","SecretAccessKey":"s3cr3t","Expiration":"tomorrow"}"#)
                == "Expiration \"tomorrow\" is not an ISO 8601 time")
    }
}
