import Foundation

/// The JSON document the container credentials endpoint (ECS agent, EKS Pod Identity agent) and the
/// EC2 instance metadata service answer with: `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`
/// (ISO 8601). IMDS adds `Code` (`Success`), `LastUpdated` and `Type`; the ECS agent adds `RoleArn`;
/// errors come as `{"code", "message"}` (container) or a `Code` other than `Success` (IMDS).
enum MetadataCredentialsDocument {
    /// Why a document gave no credentials, in words that never quote a secret.
    struct Unusable: Error {
        let reason: String
    }

    static func parse(_ body: [UInt8], source: String) throws(Unusable) -> AWSCredentials {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            // The body is not echoed: a truncated document could hold a secret.
            throw Unusable(reason: "the answer is not a JSON object (\(body.count) bytes)")
        }
        if let code = object["Code"] as? String, code != "Success" {
            throw Unusable(reason: errorText(code: code, message: object["Message"] as? String))
        }
        guard let accessKeyID = object["AccessKeyId"] as? String, !accessKeyID.isEmpty,
            let secret = object["SecretAccessKey"] as? String, !secret.isEmpty
        else {
            if let code = object["code"] as? String {
                throw Unusable(reason: errorText(code: code, message: object["message"] as? String))
            }
            let present = object.keys.sorted().joined(separator: ", ")
            throw Unusable(reason: "the document has no AccessKeyId/SecretAccessKey (fields: \(present))")
        }
        var expiration: Date?
        if let text = object["Expiration"] as? String {
            guard let date = parseISO8601(text) else {
                throw Unusable(reason: "Expiration \"\(text.prefix(40))\" is not an ISO 8601 time")
            }
            expiration = date
        }
        let token = (object["Token"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token, expiration: expiration, source: source)
    }

    /// `code: message` from an error document (both are AWS's words, not secrets), bounded in length.
    static func errorText(code: String, message: String?) -> String {
        var text = code
        if let message, !message.isEmpty { text += ": \(message)" }
        return String(text.prefix(300))
    }

    /// The error an endpoint's non-200 answer carries, if it is a JSON error document.
    static func errorDetail(_ body: [UInt8]) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return nil }
        guard let code = (object["code"] ?? object["Code"]) as? String else { return nil }
        return errorText(code: code, message: (object["message"] ?? object["Message"]) as? String)
    }
}
