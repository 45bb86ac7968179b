import Foundation
import Logging
import TfdriftCore

/// Retries with full-jitter exponential backoff: attempt n sleeps a random time in
/// `[0, min(maxDelay, baseDelay · 2ⁿ)]`. Throttling (429, 400/503 with Throttling*/SlowDown codes),
/// 5xx and connection failures are retried; everything else fails at once.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Sleeps between attempts (tests inject a recorder; cancellation ends it).
    public var sleep: @Sendable (Duration) async throws -> Void
    public var random: @Sendable (Double) -> Double

    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(20),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable (Double) -> Double = { Double.random(in: 0...$0) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.sleep = sleep
        self.random = random
    }

    public static let standard = RetryPolicy()

    /// The delay before retry number `retry` (0-based).
    public func delay(retry: Int) -> Duration {
        let base = baseDelay.seconds
        let cap = maxDelay.seconds
        let ceiling = min(cap, base * pow(2, Double(min(retry, 30))))
        return .milliseconds(Int((random(ceiling) * 1000).rounded()))
    }
}

/// How a service reports errors.
public enum AWSErrorFormat: Sendable {
    /// `<Error><Code>…</Code><Message>…</Message></Error>` (S3, STS, SNS, IAM).
    case xml
    /// `{"__type": "…#Code", "message": "…"}` (JSON protocols such as SQS's).
    case json
}

/// One AWS service endpoint: signs every attempt with fresh credentials and time, retries what is
/// worth retrying, and turns AWS's answers into typed errors.
public struct AWSServiceClient: Sendable {
    public let service: AWSService
    public let region: String
    public let endpoint: AWSEndpoint
    public let transport: any HTTPTransport
    /// nil: requests go unsigned (STS AssumeRoleWithWebIdentity).
    public let credentials: (any AWSCredentialProvider)?
    public var retry: RetryPolicy
    public var logger: Logger
    public var now: @Sendable () -> Date
    public var timeout: Duration

    public init(
        service: AWSService, region: String, endpoint: AWSEndpoint, transport: any HTTPTransport,
        credentials: (any AWSCredentialProvider)?, retry: RetryPolicy = .standard,
        logger: Logger = Logger(label: "tfdrift.aws"), now: @escaping @Sendable () -> Date = { Date() },
        timeout: Duration = .seconds(30)
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.transport = transport
        self.credentials = credentials
        self.retry = retry
        self.logger = logger
        self.now = now
        self.timeout = timeout
    }

    /// Sends `request`, signed for this service and region; returns a 2xx (or 304) response or throws
    /// `AWSServiceError` / `AWSClientError`.
    public func send(
        _ request: HTTPRequest, operation: String, target: String, signing: SigV4Signer.Options = .standard,
        errorFormat: AWSErrorFormat = .xml
    ) async throws -> HTTPResponse {
        let signer = SigV4Signer(service: service.signingName, region: region)
        var attempt = 0
        var refreshedCredentials = false
        while true {
            attempt += 1
            try Task.checkCancellation()
            var outgoing = request
            var hint: String?
            if let credentials {
                let current = try await credentials.credentials()
                hint = current.hint
                signer.sign(&outgoing, credentials: current, date: now(), options: signing)
            }
            let response: HTTPResponse
            do {
                response = try await transport.send(outgoing)
            } catch let error as HTTPTransportError {
                // A cancelled request (shutdown, a stopped long poll) is not a network failure to retry.
                try Task.checkCancellation()
                guard attempt < retry.maxAttempts, error.kind != .tls else {
                    throw AWSClientError.transport(
                        service: service.displayName, operation: operation, target: target, reason: error.description,
                        attempts: attempt)
                }
                let delay = retry.delay(retry: attempt - 1)
                logger.debug(
                    "AWS request failed, retrying",
                    metadata: [
                        "operation": "\(service.displayName) \(operation)", "attempt": "\(attempt)", "reason": "\(error.kind)",
                        "delay": "\(delay)",
                    ])
                try await retry.sleep(delay)
                continue
            }
            if (200..<300).contains(response.status) || response.status == 304 { return response }
            var error = Self.parseError(
                response, format: errorFormat, service: service.displayName, operation: operation, target: target)
            error.credentialsHint = hint
            error.attempts = attempt
            let retryable = error.isThrottling || response.status >= 500 || AWSServiceError.transientCodes.contains(error.code)
            if retryable && attempt < retry.maxAttempts {
                let delay = retry.delay(retry: attempt - 1)
                logger.debug(
                    "AWS throttled or failed, retrying",
                    metadata: [
                        "operation": "\(service.displayName) \(operation)", "code": "\(error.code)", "status": "\(error.status)",
                        "attempt": "\(attempt)", "delay": "\(delay)",
                    ])
                try await retry.sleep(delay)
                continue
            }
            if ["ExpiredToken", "ExpiredTokenException", "RequestExpired"].contains(error.code), !refreshedCredentials,
                let cache = credentials as? CachedCredentialProvider
            {
                // Our clock said the credentials were fresh; AWS disagrees. Fetch new ones once.
                refreshedCredentials = true
                await cache.invalidate()
                continue
            }
            throw error
        }
    }

    static func parseError(
        _ response: HTTPResponse, format: AWSErrorFormat, service: String, operation: String, target: String
    ) -> AWSServiceError {
        var code: String?
        var message = ""
        let requestID = response.header("x-amz-request-id") ?? response.header("x-amzn-RequestId")
        // SQS's JSON protocol also carries the query-protocol code: "AWS.SimpleQueueService.NonExistentQueue;Sender".
        if let queryError = response.header("x-amzn-query-error"), let first = queryError.split(separator: ";").first {
            code = String(first)
        }
        switch format {
        case .xml:
            let text = response.text
            if code == nil { code = XMLText.first("Code", in: text) }
            message = XMLText.first("Message", in: text) ?? ""
        case .json:
            if let object = try? JSONValue.parse(response.body), object.objectValue != nil {
                if code == nil, let type = (object["__type"] ?? object["code"] ?? object["Code"])?.stringValue {
                    code = String(type.split(separator: "#").last ?? Substring(type))
                }
                message = (object["message"] ?? object["Message"])?.stringValue ?? ""
            }
            if code == nil, let type = response.header("x-amzn-ErrorType") {
                code = String(type.split(separator: ":").first ?? Substring(type))
            }
            // Some endpoints (proxies, emulators) answer JSON-protocol calls with an XML error document.
            if code == nil, response.text.hasPrefix("<") {
                code = XMLText.first("Code", in: response.text)
                message = XMLText.first("Message", in: response.text) ?? message
            }
        }
        let fallback: String
        switch response.status {
        case 301: fallback = "PermanentRedirect"
        case 400: fallback = "BadRequest"
        case 403: fallback = "AccessDenied"
        case 404: fallback = "NotFound"
        case 429: fallback = "TooManyRequestsException"
        case 503: fallback = "ServiceUnavailable"
        default: fallback = "HTTP\(response.status)"
        }
        return AWSServiceError(
            service: service, operation: operation, target: target, status: response.status, code: code ?? fallback,
            message: message, requestID: requestID)
    }

    // MARK: query protocol (STS, SNS, IAM)

    /// `Action=…&Version=…&…` as a form POST; returns the XML response text.
    public func query(action: String, version: String, parameters: [(String, String)] = [], target: String) async throws
        -> String
    {
        var pairs = [("Action", action), ("Version", version)]
        pairs.append(contentsOf: parameters)
        let body = pairs.map { AWSURIEncoding.encode($0.0) + "=" + AWSURIEncoding.encode($0.1) }.joined(separator: "&")
        let request = HTTPRequest(
            method: "POST", url: endpoint.url,
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body: Array(body.utf8),
            timeout: timeout)
        let response = try await send(request, operation: action, target: target, errorFormat: .xml)
        return response.text
    }

    // MARK: JSON protocol (SQS)

    /// `POST /` with `X-Amz-Target: <prefix>.<operation>`; returns the decoded JSON object.
    public func json(
        targetPrefix: String, operation: String, payload: [String: JSONValue], target: String,
        contentType: String = "application/x-amz-json-1.0", timeout: Duration? = nil
    ) async throws -> JSONValue {
        let request = HTTPRequest(
            method: "POST", url: endpoint.url,
            headers: [("Content-Type", contentType), ("X-Amz-Target", "\(targetPrefix).\(operation)")],
            body: JSONWriter.encodeBytes(.object(payload)), timeout: timeout ?? self.timeout)
        let response = try await send(request, operation: operation, target: target, errorFormat: .json)
        if response.body.isEmpty { return [:] }
        guard let object = try? JSONValue.parse(response.body), object.objectValue != nil else {
            throw AWSClientError.malformedResponse(
                service: service.displayName, operation: operation, reason: "not a JSON object: \(response.text.prefix(200))")
        }
        return object
    }
}
