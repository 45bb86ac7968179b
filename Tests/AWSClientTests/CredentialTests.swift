import Foundation
import Synchronization
import Testing
import TfdriftCore

@testable import AWSClient

@Suite("credentials, region and endpoints")
struct CredentialTests {
    /// IMDS is off unless a test turns it on: nothing here may reach the real 169.254.169.254.
    func factory(_ variables: [String: String], transport: any HTTPTransport = RecordingTransport(responses: []))
        -> AWSClientFactory
    {
        AWSClientFactory(
            environment: AWSEnvironment(
                variables: ["AWS_EC2_METADATA_DISABLED": "true"].merging(variables) { $1 }, homeDirectory: "/nonexistent"),
            transport: transport, retry: SleepRecorder().policy)
    }

    @Test("environment keys and session token; printing never shows secrets")
    func environment() async throws {
        let chain = DefaultCredentialChain(
            factory: factory([
                "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT1", "AWS_SECRET_ACCESS_KEY": "env-secret-value",
                "AWS_SESSION_TOKEN": "env-token-value",
            ]))
        let credentials = try await chain.credentials()
        #expect(credentials.accessKeyID == "AKIAENVIRONMENT1")
        #expect(credentials.sessionToken == "env-token-value")
        #expect(credentials.source == "environment")
        for text in [
            "\(credentials)", String(reflecting: credentials), "\(Mirror(reflecting: credentials).children.map(\.value))",
        ] {
            #expect(!text.contains("env-secret-value"), "\(text)")
            #expect(!text.contains("env-token-value"), "\(text)")
        }
    }

    @Test("shared credentials and config files: profiles, precedence, comments, [profile x]")
    func sharedFiles() async throws {
        let directory = try TemporaryDirectory()
        let credentialsFile = try directory.write(
            "credentials",
            """
            # comment
            [default]
            aws_access_key_id = AKIADEFAULT00001
            aws_secret_access_key = default/secret+value#1

            [prod]
            aws_access_key_id=AKIAPROD00000001
            aws_secret_access_key=prod-secret ; inline comment
            aws_session_token = prod-token
            """)
        let configFile = try directory.write(
            "config",
            """
            [default]
            region = eu-west-1
            [profile prod]
            region = ap-northeast-1
            aws_access_key_id = AKIAIGNORED000001
            services = local
            [services local]
            s3 =
              endpoint_url = http://127.0.0.1:9000
            """)
        var variables = ["AWS_SHARED_CREDENTIALS_FILE": credentialsFile, "AWS_CONFIG_FILE": configFile]
        let defaults = try await DefaultCredentialChain(factory: factory(variables)).credentials()
        #expect(defaults.accessKeyID == "AKIADEFAULT00001")
        #expect(defaults.secretAccessKey == "default/secret+value#1")
        #expect(factory(variables).region(configured: nil) == "eu-west-1")

        variables["AWS_PROFILE"] = "prod"
        let prod = try await DefaultCredentialChain(factory: factory(variables)).credentials()
        #expect(prod.accessKeyID == "AKIAPROD00000001", "the credentials file wins over the config file")
        #expect(prod.secretAccessKey == "prod-secret")
        #expect(prod.sessionToken == "prod-token")
        #expect(prod.source == "profile prod")
        #expect(factory(variables).region(configured: nil) == "ap-northeast-1")
        #expect(factory(variables).region(configured: "us-west-2") == "us-west-2")
        let s3 = try factory(variables).endpoint(.s3, region: "ap-northeast-1", configured: nil)
        #expect(s3.url.absoluteString == "http://127.0.0.1:9000")
        #expect(s3.origin == "[services local]")
        let sqs = try factory(variables).endpoint(.sqs, region: "ap-northeast-1", configured: nil)
        #expect(sqs.url.absoluteString == "https://sqs.ap-northeast-1.amazonaws.com")
        #expect(!sqs.overridden)

        variables["AWS_PROFILE"] = "missing"
        await #expect {
            try await DefaultCredentialChain(factory: factory(variables)).credentials()
        } throws: { error in
            "\(error)".contains("AWS profile \"missing\" not found")
        }
    }

    @Test("no credentials anywhere: the error lists what was tried and what to set")
    func nothing() async {
        await #expect {
            try await DefaultCredentialChain(factory: factory([:])).credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("no AWS credentials found") && text.contains("AWS_WEB_IDENTITY_TOKEN_FILE")
                && text.contains("AWS_PROFILE") && text.contains("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                && text.contains("EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
        }
    }

    static let assumeRoleResponse = """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleResult>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
              <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
              <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
              <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==</SessionToken>
              <Expiration>2019-11-09T13:34:41Z</Expiration>
            </Credentials>
            <PackedPolicySize>6</PackedPolicySize>
          </AssumeRoleResult>
          <ResponseMetadata>
            <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
          </ResponseMetadata>
        </AssumeRoleResponse>
        """

    /// The example response of the AWS STS API reference (AssumeRoleWithWebIdentity).
    static let webIdentityResponse = """
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
            <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
              <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
              <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
              <Expiration>2014-10-24T23:00:23Z</Expiration>
              <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
            </Credentials>
            <SourceIdentity>SourceIdentityValue</SourceIdentity>
            <Provider>www.amazon.com</Provider>
          </AssumeRoleWithWebIdentityResult>
          <ResponseMetadata>
            <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
          </ResponseMetadata>
        </AssumeRoleWithWebIdentityResponse>
        """

    @Test("STS responses (AWS's documented examples) parse into credentials with expiry")
    func stsParsing() throws {
        let assumed = try STSClient.parseCredentials(Self.assumeRoleResponse, operation: "AssumeRole", source: "x")
        #expect(assumed.accessKeyID == "ASIAIOSFODNN7EXAMPLE")
        #expect(assumed.secretAccessKey == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY")
        #expect(assumed.sessionToken?.hasSuffix("LxBA==") == true)
        #expect(assumed.expiration == Date(timeIntervalSince1970: 1_573_306_481))
        let web = try STSClient.parseCredentials(Self.webIdentityResponse, operation: "AssumeRoleWithWebIdentity", source: "x")
        #expect(web.accessKeyID == "ASgeIAIOSFODNN7EXAMPLE")
        #expect(web.sessionToken == "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE")
        #expect(web.expiration == Date(timeIntervalSince1970: 1_414_191_623))
        let identity = try STSClient.parseCallerIdentity(
            """
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <GetCallerIdentityResult>
                <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
                <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
                <Account>123456789012</Account>
              </GetCallerIdentityResult>
              <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
            </GetCallerIdentityResponse>
            """)
        #expect(
            identity
                == STSClient.CallerIdentity(
                    account: "123456789012", arn: "arn:aws:iam::123456789012:user/Alice", userID: "AIDACKCEVSQ6C2EXAMPLE"))
        #expect(throws: AWSClientError.self) { try STSClient.parseCredentials("<Error/>", operation: "AssumeRole", source: "x") }
    }

    @Test("web identity: token file + role ARN → unsigned AssumeRoleWithWebIdentity, token re-read on refresh")
    func webIdentity() async throws {
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "eyJhbGciOiJSUzI1NiJ9.first.sig\n")
        let transport = RecordingTransport { _, _ in xmlResponse(200, Self.webIdentityResponse) }
        let factory = factory(
            [
                "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/tfdrift",
                "AWS_ROLE_SESSION_NAME": "pod-1", "AWS_REGION": "eu-central-1",
            ], transport: transport)
        let credentials = try await DefaultCredentialChain(factory: factory).credentials()
        #expect(credentials.accessKeyID == "ASgeIAIOSFODNN7EXAMPLE")
        #expect(credentials.source == "web identity role arn:aws:iam::123456789012:role/tfdrift")
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "https://sts.eu-central-1.amazonaws.com")
        #expect(request.header("Authorization") == nil, "AssumeRoleWithWebIdentity is unsigned")
        let body = String(decoding: request.body ?? [], as: UTF8.self)
        #expect(body.contains("Action=AssumeRoleWithWebIdentity"))
        #expect(body.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftfdrift"))
        #expect(body.contains("RoleSessionName=pod-1"))
        #expect(
            body.contains("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.first.sig&")
                || body.hasSuffix("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.first.sig"))
        _ = try directory.write("token", "eyJhbGciOiJSUzI1NiJ9.second.sig")
        _ = try await DefaultCredentialChain(factory: factory).credentials()
        #expect(String(decoding: transport.requests[1].body ?? [], as: UTF8.self).contains("second"))
    }

    @Test("profile role_arn + source_profile: AssumeRole signed with the source profile's key")
    func profileRoleChain() async throws {
        let directory = try TemporaryDirectory()
        let credentialsFile = try directory.write(
            "credentials", "[base]\naws_access_key_id = AKIABASE00000001\naws_secret_access_key = base-secret\n")
        let configFile = try directory.write(
            "config",
            """
            [profile cross]
            role_arn = arn:aws:iam::210987654321:role/reader
            source_profile = base
            external_id = ext-1
            role_session_name = drift
            region = us-west-2
            [profile loop-a]
            role_arn = arn:aws:iam::1:role/a
            source_profile = loop-b
            [profile loop-b]
            role_arn = arn:aws:iam::1:role/b
            source_profile = loop-a
            """)
        let transport = RecordingTransport { _, _ in xmlResponse(200, Self.assumeRoleResponse) }
        let variables = ["AWS_SHARED_CREDENTIALS_FILE": credentialsFile, "AWS_CONFIG_FILE": configFile, "AWS_PROFILE": "cross"]
        let credentials = try await DefaultCredentialChain(factory: factory(variables, transport: transport)).credentials()
        #expect(credentials.accessKeyID == "ASIAIOSFODNN7EXAMPLE")
        let request = try #require(transport.requests.first)
        #expect(request.url.host == "sts.us-west-2.amazonaws.com")
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.contains("Credential=AKIABASE00000001/"))
        #expect(authorization.contains("/us-west-2/sts/aws4_request"))
        let body = String(decoding: request.body ?? [], as: UTF8.self)
        #expect(body.contains("Action=AssumeRole&"))
        #expect(body.contains("ExternalId=ext-1"))
        #expect(body.contains("RoleSessionName=drift"))

        var looping = variables
        looping["AWS_PROFILE"] = "loop-a"
        await #expect {
            try await DefaultCredentialChain(factory: factory(looping, transport: transport)).credentials()
        } throws: { "\($0)".contains("source_profile cycle") }
    }

    @Test("assume_role_arn per source wraps the base credentials in a cached AssumeRole provider")
    func perSourceAssumeRole() async throws {
        let transport = RecordingTransport { _, _ in xmlResponse(200, Self.assumeRoleResponse) }
        let factory = factory(["AWS_REGION": "us-east-1"], transport: transport)
        let base = StaticCredentialProvider(testCredentials)
        #expect(try factory.credentials(base: base, assumeRoleARN: nil) is StaticCredentialProvider)
        let provider = try factory.credentials(base: base, assumeRoleARN: "arn:aws:iam::210987654321:role/state-reader")
        #expect(provider is CachedCredentialProvider)
        // The documented sample expired in 2019: every call refreshes (that is the point of the cache test below).
        _ = try await provider.credentials()
        #expect(transport.requests.count == 1)
        #expect(transport.requests[0].header("Authorization")?.contains("Credential=AKIDEXAMPLE12345/") == true)
    }

    final class CountingProvider: AWSCredentialProvider {
        let count = Mutex(0)
        let lifetime: TimeInterval
        let clock: @Sendable () -> Date
        init(lifetime: TimeInterval, clock: @escaping @Sendable () -> Date) {
            self.lifetime = lifetime
            self.clock = clock
        }
        func credentials() async throws -> AWSCredentials {
            let n = count.withLock {
                $0 += 1
                return $0
            }
            try await Task.sleep(for: .milliseconds(20))
            return AWSCredentials(
                accessKeyID: "ASIA\(n)", secretAccessKey: "s", sessionToken: "t", expiration: clock().addingTimeInterval(lifetime)
            )
        }
    }

    @Test("the cache refreshes before expiry and shares one refresh between concurrent callers")
    func cacheRefresh() async throws {
        let now = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
        let clock: @Sendable () -> Date = { now.withLock { $0 } }
        let base = CountingProvider(lifetime: 3600, clock: clock)
        let cache = CachedCredentialProvider(base, refreshMargin: 300, now: clock)
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await cache.credentials().accessKeyID } }
            for try await id in group { #expect(id == "ASIA1") }
        }
        #expect(base.count.withLock { $0 } == 1)
        now.withLock { $0 += 3000 }  // 10 minutes left: still outside the 5-minute margin
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        now.withLock { $0 += 400 }  // 200 s left: refresh
        #expect(try await cache.credentials().accessKeyID == "ASIA2")
        await cache.invalidate()
        #expect(try await cache.credentials().accessKeyID == "ASIA3")
    }

    @Test("region: configuration, AWS_REGION, AWS_DEFAULT_REGION, profile")
    func region() {
        let environment = AWSEnvironment(variables: ["AWS_DEFAULT_REGION": "eu-west-3"], homeDirectory: "/x")
        #expect(
            AWSRegionResolver.resolve(configured: nil, environment: environment, profile: ["region": "us-west-1"]) == "eu-west-3")
        #expect(AWSRegionResolver.resolve(configured: "sa-east-1", environment: environment, profile: nil) == "sa-east-1")
        let both = AWSEnvironment(
            variables: ["AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-north-1"], homeDirectory: "/x")
        #expect(AWSRegionResolver.resolve(configured: nil, environment: both, profile: nil) == "eu-north-1")
        let none = AWSEnvironment(variables: [:], homeDirectory: "/x")
        #expect(AWSRegionResolver.resolve(configured: nil, environment: none, profile: ["region": "us-west-1"]) == "us-west-1")
        #expect(AWSRegionResolver.resolve(configured: nil, environment: none, profile: nil) == nil)
        #expect(throws: AWSClientError.noRegion(service: "S3")) {
            try AWSClientFactory(environment: none, transport: RecordingTransport(responses: []))
                .serviceClient(.s3, region: nil, endpoint: nil, credentials: nil)
        }
    }

    @Test("endpoints: config value, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, default; ignore switch")
    func endpoints() throws {
        let environment = AWSEnvironment(
            variables: ["AWS_ENDPOINT_URL": "http://localhost:4566", "AWS_ENDPOINT_URL_SQS": "http://localhost:9324"],
            homeDirectory: "/x")
        func resolve(_ service: AWSService, _ configured: String? = nil, _ env: AWSEnvironment = environment) throws
            -> AWSEndpoint
        {
            try AWSEndpointResolver.resolve(service: service, region: "eu-west-1", configured: configured, environment: env)
        }
        #expect(try resolve(.sqs).url.absoluteString == "http://localhost:9324")
        #expect(try resolve(.sqs).origin == "AWS_ENDPOINT_URL_SQS")
        #expect(try resolve(.s3).url.absoluteString == "http://localhost:4566")
        #expect(try resolve(.sts).overridden)
        #expect(try resolve(.s3, "https://bucket.vpce-1a2b.s3.eu-west-1.vpce.amazonaws.com").origin == "configuration")
        let ignoring = AWSEnvironment(
            variables: environment.variables.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]) { $1 }, homeDirectory: "/x")
        #expect(try resolve(.s3, nil, ignoring).url.absoluteString == "https://s3.eu-west-1.amazonaws.com")
        #expect(try !resolve(.sns, nil, ignoring).overridden)
        #expect(
            AWSEndpointResolver.defaultURL(service: .sqs, region: "cn-north-1").absoluteString
                == "https://sqs.cn-north-1.amazonaws.com.cn")
        #expect(throws: AWSClientError.self) { try resolve(.s3, "localhost:4566") }
        for service in [AWSService.s3, .sqs, .sns, .sts] {
            #expect(service.endpointVariable == "AWS_ENDPOINT_URL_\(service.rawValue.uppercased())")
        }
    }
}
