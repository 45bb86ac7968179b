import Foundation
import TfdriftCore

/// STS over the query protocol: the three calls credential providers and `doctor` need.
public struct STSClient: Sendable {
    public static let version = "2011-06-15"
    public let client: AWSServiceClient

    public init(client: AWSServiceClient) {
        self.client = client
    }

    public struct CallerIdentity: Sendable, Equatable {
        public var account: String
        public var arn: String
        public var userID: String
    }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let xml = try await client.query(
            action: "GetCallerIdentity", version: Self.version, target: client.endpoint.url.absoluteString)
        return try Self.parseCallerIdentity(xml)
    }

    public func assumeRole(
        roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil
    ) async throws -> AWSCredentials {
        var parameters = [("RoleArn", roleARN), ("RoleSessionName", sessionName)]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let xml = try await client.query(action: "AssumeRole", version: Self.version, parameters: parameters, target: roleARN)
        return try Self.parseCredentials(xml, operation: "AssumeRole", source: "assumed role \(roleARN)")
    }

    /// Unsigned by design: the web identity token is the credential (EKS IRSA, GitHub OIDC).
    public func assumeRoleWithWebIdentity(
        roleARN: String, sessionName: String, token: String, durationSeconds: Int? = nil
    ) async throws -> AWSCredentials {
        var parameters = [("RoleArn", roleARN), ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let xml = try await client.query(
            action: "AssumeRoleWithWebIdentity", version: Self.version, parameters: parameters, target: roleARN)
        return try Self.parseCredentials(xml, operation: "AssumeRoleWithWebIdentity", source: "web identity role \(roleARN)")
    }

    // MARK: response parsing

    static func parseCredentials(_ xml: String, operation: String, source: String) throws -> AWSCredentials {
        guard let block = XMLText.elements("Credentials", in: xml).first,
            let accessKeyID = XMLText.first("AccessKeyId", in: block),
            let secret = XMLText.first("SecretAccessKey", in: block)
        else {
            throw AWSClientError.malformedResponse(service: "STS", operation: operation, reason: "no Credentials element")
        }
        let token = XMLText.first("SessionToken", in: block)
        let expiration = XMLText.first("Expiration", in: block).flatMap(parseISO8601)
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token, expiration: expiration, source: source)
    }

    static func parseCallerIdentity(_ xml: String) throws -> CallerIdentity {
        guard let account = XMLText.first("Account", in: xml), let arn = XMLText.first("Arn", in: xml) else {
            throw AWSClientError.malformedResponse(service: "STS", operation: "GetCallerIdentity", reason: "no Account/Arn")
        }
        return CallerIdentity(account: account, arn: arn, userID: XMLText.first("UserId", in: xml) ?? "")
    }
}

/// `2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.123Z`, `2024-05-01T12:00:00+00:00` (STS, S3 LastModified).
func parseISO8601(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 19 else { return nil }
    func number(_ from: Int, _ count: Int) -> Int? {
        var value = 0
        for index in from..<(from + count) {
            let byte = bytes[index]
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
    guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
        let minute = number(14, 2), let second = number(17, 2)
    else { return nil }
    var index = 19
    var fraction = 0.0
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        var scale = 0.1
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            fraction += Double(bytes[index] - 48) * scale
            scale /= 10
            index += 1
        }
    }
    var offset = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"), index + 5 < bytes.count,
        let hours = number(index + 1, 2), let minutes = number(index + 4, 2)
    {
        offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
    }
    // days from civil (Howard Hinnant)
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146_097 + doe - 719_468
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
    return Date(timeIntervalSince1970: Double(seconds) + fraction)
}
