import Foundation
import TfdriftCore

/// A queue as the configuration names it: an ARN (`arn:aws:sqs:REGION:ACCOUNT:NAME`) or a URL
/// (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`, or any endpoint's `/ACCOUNT/NAME`).
public struct SQSQueueReference: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var account: String?
    public var region: String?
    public var partition: String
    /// Known when configured as a URL; from an ARN it is looked up with GetQueueUrl.
    public var url: String?

    public init(_ text: String) throws {
        if text.hasPrefix("arn:") {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 6, parts[2] == "sqs", !parts[3].isEmpty, parts[4].count == 12, !parts[5].isEmpty else {
                throw AWSClientError.invalidQueue(text)
            }
            partition = parts[1]
            region = parts[3]
            account = parts[4]
            name = parts[5]
            url = nil
            return
        }
        guard let parsed = URL(string: text), let scheme = parsed.scheme, scheme == "https" || scheme == "http",
            let host = parsed.host
        else { throw AWSClientError.invalidQueue(text) }
        let segments = parsed.path.split(separator: "/").map(String.init)
        guard segments.count >= 2 else { throw AWSClientError.invalidQueue(text) }
        name = segments[segments.count - 1]
        account = segments[segments.count - 2]
        url = text
        partition = host.hasSuffix(".amazonaws.com.cn") ? "aws-cn" : "aws"
        // sqs.REGION.amazonaws.com, or the legacy REGION.queue.amazonaws.com.
        let labels = host.split(separator: ".").map(String.init)
        if labels.count >= 4, labels[0] == "sqs" {
            region = labels[1]
        } else if labels.count >= 4, labels[1] == "queue" {
            region = labels[0]
        } else {
            region = nil
        }
    }

    /// The ARN, when the account and region are known.
    public var arn: String? {
        guard let account, let region else { return nil }
        return "arn:\(partition):sqs:\(region):\(account):\(name)"
    }

    public var description: String { url ?? arn ?? name }
}

public struct SQSMessage: Sendable, Equatable {
    public var messageID: String
    public var receiptHandle: String
    public var body: String
    public var attributes: [String: String]

    public init(messageID: String, receiptHandle: String, body: String, attributes: [String: String] = [:]) {
        self.messageID = messageID
        self.receiptHandle = receiptHandle
        self.body = body
        self.attributes = attributes
    }

    public var receiveCount: Int { attributes["ApproximateReceiveCount"].flatMap { Int($0) } ?? 1 }
}

/// SQS over its JSON protocol (`application/x-amz-json-1.0`, `X-Amz-Target: AmazonSQS.<Operation>`).
public struct SQSClient: Sendable {
    public static let targetPrefix = "AmazonSQS"
    public let client: AWSServiceClient
    public var queue: SQSQueueReference

    public init(client: AWSServiceClient, queue: SQSQueueReference) {
        self.client = client
        self.queue = queue
    }

    /// This client with the queue URL known (GetQueueUrl for an ARN; once, at startup).
    public func resolved() async throws -> SQSClient {
        if queue.url != nil { return self }
        var copy = self
        copy.queue.url = try await getQueueURL(name: queue.name, ownerAccount: queue.account)
        return copy
    }

    var queueURL: String {
        get throws {
            guard let url = queue.url else {
                throw AWSClientError.invalidQueue("\(queue) (call resolved() to look up the queue URL first)")
            }
            return url
        }
    }

    public func getQueueURL(name: String, ownerAccount: String? = nil) async throws -> String {
        var payload: [String: JSONValue] = ["QueueName": .string(name)]
        if let ownerAccount { payload["QueueOwnerAWSAccountId"] = .string(ownerAccount) }
        let response = try await call("GetQueueUrl", payload, target: queue.description)
        guard let url = response["QueueUrl"]?.stringValue else {
            throw AWSClientError.malformedResponse(service: "SQS", operation: "GetQueueUrl", reason: "no QueueUrl")
        }
        return url
    }

    /// Long polling: waits up to `waitTimeSeconds` (SQS's maximum, 20) for up to `maxMessages` (maximum 10).
    public func receiveMessages(
        maxMessages: Int = 10, waitTimeSeconds: Int = 20, visibilityTimeout: Int? = nil
    ) async throws -> [SQSMessage] {
        var payload: [String: JSONValue] = [
            "QueueUrl": .string(try queueURL), "MaxNumberOfMessages": JSONValue(min(10, max(1, maxMessages))),
            "WaitTimeSeconds": JSONValue(min(20, max(0, waitTimeSeconds))), "AttributeNames": ["All"],
            "MessageSystemAttributeNames": ["All"],
        ]
        if let visibilityTimeout { payload["VisibilityTimeout"] = JSONValue(visibilityTimeout) }
        let response = try await call(
            "ReceiveMessage", payload, target: try queueURL, timeout: .seconds(Int64(waitTimeSeconds) + 15))
        guard let messages = response["Messages"]?.arrayValue else { return [] }
        return messages.compactMap { object in
            guard let id = object["MessageId"]?.stringValue, let handle = object["ReceiptHandle"]?.stringValue else { return nil }
            let attributes = (object["Attributes"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            return SQSMessage(
                messageID: id, receiptHandle: handle, body: object["Body"]?.stringValue ?? "", attributes: attributes)
        }
    }

    /// Deletes in batches of 10; returns the receipt handles SQS refused (each with its reason).
    @discardableResult
    public func deleteMessageBatch(receiptHandles: [String]) async throws -> [(receiptHandle: String, reason: String)] {
        var failed: [(receiptHandle: String, reason: String)] = []
        var start = 0
        while start < receiptHandles.count {
            let chunk = Array(receiptHandles[start..<min(start + 10, receiptHandles.count)])
            let entries: [JSONValue] = chunk.enumerated().map {
                ["Id": .string("m\($0.offset)"), "ReceiptHandle": .string($0.element)]
            }
            let response = try await call(
                "DeleteMessageBatch", ["QueueUrl": .string(try queueURL), "Entries": .array(entries)], target: try queueURL)
            for failure in response["Failed"]?.arrayValue ?? [] {
                guard let id = failure["Id"]?.stringValue, let index = Int(id.dropFirst()), index < chunk.count else { continue }
                let reason = [failure["Code"]?.stringValue, failure["Message"]?.stringValue].compactMap { $0 }.joined(
                    separator: ": ")
                failed.append((chunk[index], reason))
            }
            start += 10
        }
        return failed
    }

    public func deleteMessage(receiptHandle: String) async throws {
        _ = try await call(
            "DeleteMessage", ["QueueUrl": .string(try queueURL), "ReceiptHandle": .string(receiptHandle)], target: try queueURL)
    }

    /// Makes the message invisible for `timeout` more seconds from now (0 = visible again at once).
    public func changeMessageVisibility(receiptHandle: String, timeout: Int) async throws {
        _ = try await call(
            "ChangeMessageVisibility",
            [
                "QueueUrl": .string(try queueURL), "ReceiptHandle": .string(receiptHandle),
                "VisibilityTimeout": JSONValue(timeout),
            ],
            target: try queueURL)
    }

    public func getQueueAttributes(_ names: [String] = ["All"]) async throws -> [String: String] {
        let response = try await call(
            "GetQueueAttributes", ["QueueUrl": .string(try queueURL), "AttributeNames": .array(names.map { .string($0) })],
            target: try queueURL)
        return (response["Attributes"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    // MARK: setup and tests

    public func createQueue(name: String, attributes: [String: String] = [:]) async throws -> String {
        var payload: [String: JSONValue] = ["QueueName": .string(name)]
        if !attributes.isEmpty { payload["Attributes"] = .object(attributes.mapValues { .string($0) }) }
        let response = try await call("CreateQueue", payload, target: name)
        guard let url = response["QueueUrl"]?.stringValue else {
            throw AWSClientError.malformedResponse(service: "SQS", operation: "CreateQueue", reason: "no QueueUrl")
        }
        return url
    }

    public func setQueueAttributes(_ attributes: [String: String]) async throws {
        _ = try await call(
            "SetQueueAttributes",
            ["QueueUrl": .string(try queueURL), "Attributes": .object(attributes.mapValues { .string($0) })],
            target: try queueURL)
    }

    @discardableResult
    public func sendMessage(body: String) async throws -> String {
        let response = try await call(
            "SendMessage", ["QueueUrl": .string(try queueURL), "MessageBody": .string(body)], target: try queueURL)
        return response["MessageId"]?.stringValue ?? ""
    }

    func call(_ operation: String, _ payload: [String: JSONValue], target: String, timeout: Duration? = nil) async throws
        -> JSONValue
    {
        try await client.json(
            targetPrefix: Self.targetPrefix, operation: operation, payload: payload, target: target, timeout: timeout)
    }
}
