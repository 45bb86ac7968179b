import Foundation

/// An error AWS answered with, quoting its code and message, saying what to do. Never contains a
/// secret: only the access key id (which AWS itself logs in CloudTrail) and the credentials' source.
public struct AWSServiceError: Error, CustomStringConvertible, Sendable, Equatable {
    public var service: String
    public var operation: String
    /// What was addressed: `s3://bucket/key`, a queue URL, a role ARN.
    public var target: String
    public var status: Int
    public var code: String
    public var message: String
    public var requestID: String?
    /// The access key id and where the credentials came from, for authentication failures.
    public var credentialsHint: String?
    /// How many attempts were made (retries on throttling and 5xx).
    public var attempts: Int

    public init(
        service: String, operation: String, target: String, status: Int, code: String, message: String,
        requestID: String? = nil, credentialsHint: String? = nil, attempts: Int = 1
    ) {
        self.service = service
        self.operation = operation
        self.target = target
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.credentialsHint = credentialsHint
        self.attempts = attempts
    }

    public var isThrottling: Bool { Self.throttlingCodes.contains(code) || status == 429 }
    public var isAuthentication: Bool { Self.authenticationCodes.contains(code) }
    public var isAccessDenied: Bool { code == "AccessDenied" || code == "AccessDeniedException" || code == "AuthorizationError" }
    public var isNotFound: Bool {
        status == 404 || Self.notFoundCodes.contains(code)
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException", "AWS.SimpleQueueService.RequestThrottled",
    ]
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "AWS.SimpleQueueService.ServiceUnavailable",
    ]
    static let authenticationCodes: Set<String> = [
        "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidClientTokenId", "UnrecognizedClientException",
        "ExpiredToken", "ExpiredTokenException", "InvalidToken", "RequestExpired", "RequestTimeTooSkewed",
        "IncompleteSignature", "MissingAuthenticationToken", "AuthFailure", "InvalidSecurity",
    ]
    static let notFoundCodes: Set<String> = [
        "NoSuchKey", "NoSuchBucket", "NotFound", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
        "NonExistentQueue", "NoSuchEntity",
    ]

    /// What the user should do about it.
    public var advice: String {
        switch code {
        case "SignatureDoesNotMatch":
            return
                "the secret access key does not belong to this access key id (or the clock is off); check AWS_SECRET_ACCESS_KEY, the profile's aws_secret_access_key, and the system time"
        case "InvalidAccessKeyId", "InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure":
            return
                "AWS does not know this access key id; check AWS_ACCESS_KEY_ID / AWS_PROFILE, or whether the key was deleted or deactivated"
        case "ExpiredToken", "ExpiredTokenException", "InvalidToken":
            return "the session token expired or is invalid; refresh the credentials (aws sso login, a new AWS_SESSION_TOKEN)"
        case "RequestExpired", "RequestTimeTooSkewed":
            return "the system clock differs from AWS's by more than 5 minutes; synchronise it (NTP)"
        case "AccessDenied", "AccessDeniedException", "AuthorizationError":
            return "the principal lacks a permission; `tfdriftctl iam-policy` prints the least-privilege policy to attach"
        case "NoSuchBucket":
            return "the bucket does not exist (or is in another partition); check the bucket name in the configuration"
        case "NoSuchKey":
            return "the object does not exist; check the key (and the workspace prefix `env:/<workspace>/`)"
        case "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NonExistentQueue":
            return "the queue does not exist in this account and region; check providers.aws.cloudtrail.sqs_queue"
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            return "the bucket is in another region; set the state's or source's region to the bucket's region"
        default:
            if isThrottling { return "AWS throttled the request \(attempts) times; lower the concurrency or raise the quota" }
            if status >= 500 { return "AWS had a server-side problem (\(attempts) attempts); retry later" }
            return "see the AWS documentation for \(service) \(operation)"
        }
    }

    public var description: String {
        var text = "AWS \(service) \(operation) on \(target) failed: \(code) (HTTP \(status))"
        if !message.isEmpty { text += ": \(message)" }
        if isAuthentication || isAccessDenied, let credentialsHint { text += " [credentials: \(credentialsHint)]" }
        text += " — \(advice)"
        if let requestID { text += " (request id \(requestID))" }
        return text
    }
}

/// Problems on our side of the wire: configuration, credentials, unreadable responses.
public enum AWSClientError: Error, CustomStringConvertible, Sendable, Equatable {
    case noCredentials(tried: [String])
    case noRegion(service: String)
    case invalidEndpoint(String, reason: String)
    case invalidQueue(String)
    case profileNotFound(String, files: [String])
    case invalidProfile(String, reason: String)
    case unreadableFile(String, reason: String)
    case malformedResponse(service: String, operation: String, reason: String)
    case transport(service: String, operation: String, target: String, reason: String, attempts: Int)
    /// A provider that applies (its variables are set, or it is the chain's last resort) failed.
    case credentialProviderFailed(provider: String, reason: String)
    /// A credentials setting (environment variable or profile key) has a value that cannot be used.
    case invalidCredentialSetting(name: String, reason: String)

    public var description: String {
        switch self {
        case .noCredentials(let tried):
            return
                "no AWS credentials found (tried: \(tried.joined(separator: "; "))); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE with ~/.aws/credentials, or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN; on ECS give the task a task role (taskRoleArn), on EC2 attach an instance profile"
        case .noRegion(let service):
            return
                "no AWS region for \(service); set AWS_REGION (or AWS_DEFAULT_REGION), `region` in the AWS profile, or the source's `region` in tfdrift.yaml"
        case .invalidEndpoint(let endpoint, let reason):
            return "invalid AWS endpoint \"\(endpoint)\": \(reason); expected a URL such as https://s3.eu-west-1.amazonaws.com"
        case .invalidQueue(let queue):
            return
                "invalid SQS queue \"\(queue)\": expected an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) or a URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)"
        case .profileNotFound(let profile, let files):
            return "AWS profile \"\(profile)\" not found in \(files.joined(separator: " or ")); check AWS_PROFILE"
        case .invalidProfile(let profile, let reason):
            return "AWS profile \"\(profile)\": \(reason)"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .malformedResponse(let service, let operation, let reason):
            return "AWS \(service) \(operation) returned a response we cannot read: \(reason)"
        case .credentialProviderFailed(let provider, let reason):
            return "AWS credentials from \(provider) failed: \(reason)"
        case .invalidCredentialSetting(let name, let reason):
            return "\(name): \(reason)"
        case .transport(let service, let operation, let target, let reason, let attempts):
            return
                "AWS \(service) \(operation) on \(target): \(reason) (after \(attempts) attempt\(attempts == 1 ? "" : "s")); check the endpoint, network and proxy settings"
        }
    }
}

extension AWSCredentials {
    /// `AKIA…WXYZ from environment`: enough to tell keys apart, never the secret.
    var hint: String {
        let id = accessKeyID.count > 8 ? "\(accessKeyID.prefix(4))…\(accessKeyID.suffix(4))" : accessKeyID
        return "access key \(id) from \(source)"
    }
}
