import Foundation
import Testing
import TfdriftCore

@testable import AWSClient

@Suite("service clients with a recording transport")
struct ClientTests {
    @Test("throttling (SlowDown 503, Throttling 400, 429) and 5xx are retried with jittered exponential backoff")
    func retries() async throws {
        for failure in [
            xmlResponse(503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"),
            xmlResponse(
                400, "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"),
            jsonResponse(429, "{}"),
            xmlResponse(500, "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"),
        ] {
            let sleeps = SleepRecorder()
            let transport = RecordingTransport(responses: [failure, failure, xmlResponse(200, "<ok/>")])
            let client = fakeClient(.s3, transport: transport, retry: sleeps.policy)
            let response = try await client.send(
                HTTPRequest(method: "GET", url: URL(string: "https://s3.us-east-1.amazonaws.com/b/k")!), operation: "GetObject",
                target: "s3://b/k", signing: .s3)
            #expect(response.status == 200)
            #expect(transport.requests.count == 3)
            // random = identity: the ceiling itself, 100 ms · 2ⁿ.
            #expect(sleeps.recorded == [.milliseconds(100), .milliseconds(200)])
            // Every attempt is signed afresh.
            #expect(transport.requests.allSatisfy { $0.header("Authorization") != nil })
        }
    }

    @Test("retries stop at maxAttempts; the error quotes the code, message, attempts and advice")
    func retriesExhausted() async throws {
        let sleeps = SleepRecorder()
        let transport = RecordingTransport(responses: [
            xmlResponse(
                503,
                "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>R1</RequestId></Error>",
                headers: [("x-amz-request-id", "R1")])
        ])
        let client = fakeClient(.s3, transport: transport, retry: sleeps.policy)
        await #expect {
            _ = try await client.send(
                HTTPRequest(method: "GET", url: URL(string: "https://s3.us-east-1.amazonaws.com/b/k")!), operation: "GetObject",
                target: "s3://b/k", signing: .s3)
        } throws: { error in
            guard let error = error as? AWSServiceError else { return false }
            let text = "\(error)"
            return error.attempts == 4 && error.isThrottling && text.contains("SlowDown") && text.contains("Please reduce")
                && text.contains("throttled the request 4 times") && text.contains("request id R1")
        }
        #expect(transport.requests.count == 4)
        #expect(sleeps.recorded == [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
        // The cap: 100 ms · 2¹⁰ would be 102 s; maxDelay is 1 s.
        #expect(sleeps.policy.delay(retry: 10) == .seconds(1))
    }

    @Test("connection failures are retried; TLS failures are not")
    func transportErrors() async throws {
        let transport = RecordingTransport { request, index in
            if index == 0 { throw HTTPTransportError(kind: .connect, url: request.url.absoluteString, reason: "refused") }
            return xmlResponse(200, "")
        }
        let client = fakeClient(.s3, transport: transport)
        _ = try await client.send(
            HTTPRequest(method: "GET", url: URL(string: "https://s3.us-east-1.amazonaws.com/b/k")!), operation: "GetObject",
            target: "s3://b/k")
        #expect(transport.requests.count == 2)

        let tls = RecordingTransport { request, _ in
            throw HTTPTransportError(kind: .tls, url: request.url.absoluteString, reason: "certificate not trusted")
        }
        await #expect {
            _ = try await fakeClient(.s3, transport: tls).send(
                HTTPRequest(method: "GET", url: URL(string: "https://s3.us-east-1.amazonaws.com/b/k")!), operation: "GetObject",
                target: "s3://b/k")
        } throws: { "\($0)".contains("certificate not trusted") && "\($0)".contains("after 1 attempt") }
        #expect(tls.requests.count == 1)
    }

    @Test("authentication and permission errors fail at once, name the key (not the secret) and say what to do")
    func authenticationErrors() async throws {
        let secretCredentials = AWSCredentials(
            accessKeyID: "AKIAABCDEFGHWXYZ", secretAccessKey: "very-secret-value", sessionToken: "very-secret-token",
            source: "profile prod")
        for (body, expectation) in [
            (
                "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><StringToSign>AWS4-HMAC-SHA256</StringToSign><CanonicalRequest>x-amz-security-token:very-secret-token</CanonicalRequest></Error>",
                "secret access key does not belong"
            ),
            ("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", "tfdriftctl iam-policy"),
            (
                "<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>",
                "AWS_ACCESS_KEY_ID"
            ),
        ] {
            let transport = RecordingTransport(responses: [xmlResponse(403, body)])
            let client = fakeClient(.s3, transport: transport, credentials: StaticCredentialProvider(secretCredentials))
            await #expect {
                _ = try await client.send(
                    HTTPRequest(method: "GET", url: URL(string: "https://s3.us-east-1.amazonaws.com/b/k")!),
                    operation: "GetObject",
                    target: "s3://b/k", signing: .s3)
            } throws: { error in
                let text = "\(error)"
                return text.contains(expectation) && text.contains("AKIA…WXYZ from profile prod")
                    && !text.contains("very-secret-value") && !text.contains("very-secret-token")
            }
            #expect(transport.requests.count == 1)
        }
    }

    @Test("JSON protocol errors: __type and x-amzn-query-error both give the code")
    func jsonErrors() {
        let error = AWSServiceClient.parseError(
            jsonResponse(
                400, #"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#,
                headers: [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")]),
            format: .json, service: "SQS", operation: "GetQueueUrl", target: "q")
        #expect(error.code == "AWS.SimpleQueueService.NonExistentQueue")
        #expect(error.message == "The specified queue does not exist.")
        #expect("\(error)".contains("check providers.aws.cloudtrail.sqs_queue"))
        let plain = AWSServiceClient.parseError(
            jsonResponse(400, #"{"__type":"com.amazonaws.sqs#ReceiptHandleIsInvalid","message":"bad"}"#), format: .json,
            service: "SQS", operation: "DeleteMessage", target: "q")
        #expect(plain.code == "ReceiptHandleIsInvalid")
    }

    @Test("S3 addressing: virtual-hosted on AWS, path-style with an endpoint override or a dotted bucket")
    func s3Addressing() {
        let aws = S3Client(client: fakeClient(.s3, transport: RecordingTransport(responses: []), region: "eu-west-1"))
        #expect(
            aws.url(bucket: "my-state", key: "env:/prod/a b/terraform.tfstate").absoluteString
                == "https://my-state.s3.eu-west-1.amazonaws.com/env%3A/prod/a%20b/terraform.tfstate")
        #expect(
            aws.url(bucket: "my.dotted.bucket", key: "k").absoluteString
                == "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k")
        #expect(
            aws.url(bucket: "logs", key: nil, query: "list-type=2").absoluteString
                == "https://logs.s3.eu-west-1.amazonaws.com/?list-type=2")
        let local = S3Client(
            client: fakeClient(.s3, transport: RecordingTransport(responses: []), endpoint: "http://127.0.0.1:5000"))
        #expect(
            local.url(bucket: "logs", key: "AWSLogs/1/x+y.json.gz").absoluteString
                == "http://127.0.0.1:5000/logs/AWSLogs/1/x%2By.json.gz")
    }

    @Test("S3 requests carry x-amz-content-sha256 and sign the path exactly as sent")
    func s3Signing() async throws {
        let transport = RecordingTransport(responses: [
            HTTPResponse(
                status: 200,
                headers: [("ETag", "\"abc\""), ("Content-Length", "3"), ("Last-Modified", "Wed, 12 Oct 2009 17:50:00 GMT")],
                body: [1, 2, 3])
        ])
        let s3 = S3Client(client: fakeClient(.s3, transport: transport, endpoint: "http://127.0.0.1:5000"))
        let object = try #require(try await s3.getObject(bucket: "b", key: "a//b/../c d"))
        #expect(object.info.etag == "\"abc\"")
        #expect(object.info.lastModified == Date(timeIntervalSince1970: 1_255_369_800))
        let request = try #require(transport.requests.first)
        #expect(request.url.path(percentEncoded: true) == "/b/a//b/../c%20d")
        #expect(request.header("x-amz-content-sha256") == SigV4Signer.emptyPayloadHash)
        #expect(request.header("Host") == "127.0.0.1:5000")
        // The canonical path keeps `//` and `..` (S3 must not normalise).
        let signer = SigV4Signer(service: "s3", region: "us-east-1")
        let signed = signer.sign(
            SigV4Signer.Request(method: "GET", path: "/b/a//b/../c%20d", headers: [("Host", "h")]), credentials: testCredentials,
            date: Date(), options: .s3)
        #expect(signed.canonicalRequest.split(separator: "\n")[1] == "/b/a//b/../c%20d")
        let unsigned = signer.sign(
            SigV4Signer.Request(method: "PUT", path: "/b/k", headers: [("Host", "h")], body: [1]), credentials: testCredentials,
            date: Date(), options: .s3UnsignedPayload)
        #expect(unsigned.headers.first { $0.name == "x-amz-content-sha256" }?.value == "UNSIGNED-PAYLOAD")
        #expect(unsigned.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test("S3 canonical URI encodes reserved key characters once, as AWS specifies (and botocore does)")
    func s3ReservedCharacters() throws {
        let s3 = S3Client(
            client: fakeClient(.s3, transport: RecordingTransport(responses: []), endpoint: "http://127.0.0.1:5000"))
        let url = s3.url(bucket: "tf", key: "env:/prod/a+b&c=é (1).tfstate")
        #expect(url.path(percentEncoded: true) == "/tf/env%3A/prod/a%2Bb%26c%3D%C3%A9%20%281%29.tfstate")
        var request = HTTPRequest(method: "GET", url: url)
        SigV4Signer(service: "s3", region: "us-east-1").sign(&request, credentials: testCredentials, date: Date(), options: .s3)
        let wire = SigV4Signer.wireRequest(request)
        let signed = SigV4Signer(service: "s3", region: "us-east-1").sign(
            wire, credentials: testCredentials, date: Date(), options: .s3)
        #expect(signed.canonicalRequest.split(separator: "\n")[1] == "/tf/env%3A/prod/a%2Bb%26c%3D%C3%A9%20%281%29.tfstate")
    }

    @Test("S3 presigned GET URL: UNSIGNED-PAYLOAD, expiry and the session token in the query")
    func presign() throws {
        let signer = SigV4Signer(service: "s3", region: "us-east-1")
        var credentials = testCredentials
        credentials.sessionToken = "token/with+chars"
        let url = try #require(
            signer.presignedURL(
                HTTPRequest(method: "GET", url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!),
                credentials: credentials, date: Date(timeIntervalSince1970: 1_369_353_600), expires: 86_400))
        let query = url.query(percentEncoded: true) ?? ""
        #expect(query.contains("X-Amz-Expires=86400"))
        #expect(query.contains("X-Amz-Security-Token=token%2Fwith%2Bchars"))
        #expect(query.contains("X-Amz-Date=20130524T000000Z"))
        #expect(query.contains("X-Amz-Signature="))
    }

    /// AWS's documented presigned-URL example (S3 API reference, "Authenticating Requests: Using Query
    /// Parameters"): GET examplebucket/test.txt, 2013-05-24, 86400 s, signature aeeed9bb….
    @Test("S3 documented presign example")
    func presignDocumented() {
        let signer = SigV4Signer(service: "s3", region: "us-east-1")
        let credentials = AWSCredentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        let signed = signer.presign(
            SigV4Signer.Request(method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com")]),
            credentials: credentials, date: Date(timeIntervalSince1970: 1_369_353_600), expires: 86_400,
            options: .s3UnsignedPayload)
        #expect(signed.signature == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    /// AWS's documented header-signing example (S3 API reference, "Signature Calculations for the
    /// Authorization Header"): GET /test.txt with Range, signature f0e8bdb8….
    @Test("S3 documented GetObject header example")
    func s3HeaderDocumented() {
        let signer = SigV4Signer(service: "s3", region: "us-east-1")
        let credentials = AWSCredentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        let signed = signer.sign(
            SigV4Signer.Request(
                method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")]),
            credentials: credentials, date: Date(timeIntervalSince1970: 1_369_353_600), options: .s3)
        #expect(signed.signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("ListObjectsV2 follows continuation tokens and decodes keys")
    func listContinuation() async throws {
        let page1 = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>AWSLogs/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            <Contents><Key>AWSLogs/a&amp;b.json.gz</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
            <Contents><Key>AWSLogs/b.json.gz</Key><LastModified>2009-10-12T17:50:31.000Z</LastModified><ETag>"x"</ETag><Size>1</Size></Contents>
            </ListBucketResult>
            """
        let page2 = """
            <ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated><Contents><Key>AWSLogs/c.json.gz</Key><ETag>"y"</ETag><Size>2</Size></Contents></ListBucketResult>
            """
        let transport = RecordingTransport(responses: [xmlResponse(200, page1), xmlResponse(200, page2)])
        let s3 = S3Client(client: fakeClient(.s3, transport: transport))
        let objects = try await s3.listAllObjects(bucket: "b", prefix: "AWSLogs/", pageSize: 2)
        #expect(objects.map(\.key) == ["AWSLogs/a&b.json.gz", "AWSLogs/b.json.gz", "AWSLogs/c.json.gz"])
        #expect(objects[0].etag == "\"fba9dede5f27731c9771645a39863328\"")
        #expect(objects[0].size == 434_234)
        #expect(objects[0].lastModified == Date(timeIntervalSince1970: 1_255_369_830))
        let second = transport.requests[1].url.query(percentEncoded: true) ?? ""
        #expect(second.contains("continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D"))
        #expect(second.contains("prefix=AWSLogs%2F"))
    }

    @Test("SQS JSON protocol: target header, content type, long-poll parameters")
    func sqsProtocol() async throws {
        let transport = RecordingTransport(responses: [
            jsonResponse(
                200,
                #"{"Messages":[{"MessageId":"m1","ReceiptHandle":"r1","MD5OfBody":"x","Body":"{}","Attributes":{"ApproximateReceiveCount":"3"}}]}"#
            )
        ])
        let sqs = SQSClient(
            client: fakeClient(.sqs, transport: transport),
            queue: try SQSQueueReference("https://sqs.us-east-1.amazonaws.com/123456789012/ct"))
        let messages = try await sqs.receiveMessages()
        #expect(
            messages == [
                SQSMessage(messageID: "m1", receiptHandle: "r1", body: "{}", attributes: ["ApproximateReceiveCount": "3"])
            ])
        #expect(messages[0].receiveCount == 3)
        let request = try #require(transport.requests.first)
        #expect(request.header("X-Amz-Target") == "AmazonSQS.ReceiveMessage")
        #expect(request.header("Content-Type") == "application/x-amz-json-1.0")
        #expect(request.timeout > .seconds(20), "the HTTP deadline outlasts the 20 s long poll")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body ?? [])) as? [String: Any])
        #expect(body["WaitTimeSeconds"] as? Int == 20)
        #expect(body["MaxNumberOfMessages"] as? Int == 10)
        #expect(body["QueueUrl"] as? String == "https://sqs.us-east-1.amazonaws.com/123456789012/ct")
    }

    @Test("queue references: ARN or URL")
    func queueReferences() throws {
        let arn = try SQSQueueReference("arn:aws:sqs:eu-west-1:123456789012:cloudtrail-events")
        #expect(arn.region == "eu-west-1")
        #expect(arn.account == "123456789012")
        #expect(arn.name == "cloudtrail-events")
        #expect(arn.url == nil)
        let url = try SQSQueueReference("https://sqs.ap-southeast-2.amazonaws.com/123456789012/q1")
        #expect(url.arn == "arn:aws:sqs:ap-southeast-2:123456789012:q1")
        let legacy = try SQSQueueReference("https://eu-west-1.queue.amazonaws.com/123456789012/q2")
        #expect(legacy.region == "eu-west-1")
        let local = try SQSQueueReference("http://127.0.0.1:5000/123456789012/q3")
        #expect(local.region == nil)
        #expect(throws: AWSClientError.self) { try SQSQueueReference("cloudtrail-events") }
        #expect(throws: AWSClientError.self) { try SQSQueueReference("arn:aws:sns:eu-west-1:123456789012:topic") }
    }

    @Test("GetQueueUrl resolves an ARN once, with the owner account")
    func resolveARN() async throws {
        let transport = RecordingTransport(responses: [
            jsonResponse(200, #"{"QueueUrl":"https://sqs.eu-west-1.amazonaws.com/123456789012/ct"}"#)
        ])
        let sqs = SQSClient(
            client: fakeClient(.sqs, transport: transport, region: "eu-west-1"),
            queue: try SQSQueueReference("arn:aws:sqs:eu-west-1:123456789012:ct"))
        let resolved = try await sqs.resolved()
        #expect(resolved.queue.url == "https://sqs.eu-west-1.amazonaws.com/123456789012/ct")
        let body = try #require(
            try JSONSerialization.jsonObject(with: Data(transport.requests[0].body ?? [])) as? [String: String])
        #expect(body == ["QueueName": "ct", "QueueOwnerAWSAccountId": "123456789012"])
        _ = try await resolved.resolved()
        #expect(transport.requests.count == 1)
    }

    @Test("XML reader: entities, attributes, self-closing and similarly named tags")
    func xml() {
        let text = #"<a><Key attr="1">x &lt;&amp;&gt; &#65;&#x42;</Key><KeyCount>3</KeyCount><Key/><Code>Z</Code></a>"#
        #expect(XMLText.elements("Key", in: text).count == 2)
        #expect(XMLText.first("Key", in: text) == "x <&> AB")
        #expect(XMLText.first("KeyCount", in: text) == "3")
        #expect(XMLText.first("Missing", in: text) == nil)
        #expect(XMLText.escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&apos;")
    }

    @Test("timestamps: ISO 8601 with fractions and offsets, HTTP dates, SigV4 stamps")
    func timestamps() {
        #expect(parseISO8601("2024-02-29T23:59:59Z") == Date(timeIntervalSince1970: 1_709_251_199))
        #expect(parseISO8601("2024-02-29T23:59:59.500Z") == Date(timeIntervalSince1970: 1_709_251_199.5))
        #expect(parseISO8601("2024-03-01T01:59:59+02:00") == Date(timeIntervalSince1970: 1_709_251_199))
        #expect(parseHTTPDate("Thu, 29 Feb 2024 23:59:59 GMT") == Date(timeIntervalSince1970: 1_709_251_199))
        let stamp = AWSTimestamp(Date(timeIntervalSince1970: 1_709_251_199.9))
        #expect(stamp.dateTime == "20240229T235959Z")
        #expect(stamp.date == "20240229")
    }
}
