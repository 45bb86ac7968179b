import TfdriftCore

/// Converts a Falco `http_output` alert from the CloudTrail plugin into a CloudTrail record.
///
/// Falco renders missing fields as `null` or the string `<NA>`; the full request may be present as
/// `ct.request` (a JSON string) or only as individual `ct.request.<field>` values, whose names Falco
/// lower-cases — the catalog's path lookup falls back to case-insensitive keys for that reason.
public enum FalcoAlert {
    public enum Outcome {
        case record(CloudTrailRecord)
        /// An alert of another rule (syscalls, Kubernetes audit): no `ct.*` field at all.
        case notCloudTrail
        case malformed(String)
    }

    static func text(_ value: JSONValue?) -> String? {
        guard let value, let text = value.scalarText, text != "<NA>", !text.isEmpty else { return nil }
        return text
    }

    public static func record(outputFields raw: RawJSON, alertTime: String?, location: InputLocation) -> Outcome {
        guard case .object(let fields)? = try? raw.decode() else {
            return .malformed("Falco alert: \"output_fields\" is not an object")
        }
        // A Falco that also runs syscall rules sends their alerts to the same URL: not ours to judge.
        guard fields.keys.contains(where: { $0.hasPrefix("ct.") }) else { return .notCloudTrail }
        guard let name = text(fields["ct.name"]) else {
            return .malformed("Falco alert without ct.name: not from the CloudTrail plugin (add ct.name to the rule's output)")
        }
        var record = CloudTrailRecord(location: location)
        record.eventName = name
        // Upstream's rule does not output ct.src; the catalog resolves the source from the name then.
        record.eventSource = text(fields["ct.src"]) ?? ""
        record.eventID = text(fields["ct.id"])
        record.eventTime = text(fields["ct.time"]) ?? alertTime
        record.awsRegion = text(fields["ct.region"])
        record.errorCode = text(fields["ct.error"])
        record.userAgent = text(fields["ct.useragent"])
        record.sourceIPAddress = text(fields["ct.srcip"])
        if let readOnly = text(fields["ct.readonly"]) { record.readOnly = readOnly == "true" }
        record.recipientAccountID = text(fields["ct.user.accountid"])

        var identity: [String: JSONValue] = [:]
        if let type = text(fields["ct.user.identitytype"]) ?? text(fields["ct.user.type"]) { identity["type"] = .string(type) }
        if let arn = text(fields["ct.user.arn"]) { identity["arn"] = .string(arn) }
        if let account = text(fields["ct.user.accountid"]) { identity["accountId"] = .string(account) }
        if let principal = text(fields["ct.user.principalid"]) { identity["principalId"] = .string(principal) }
        if let user = text(fields["ct.user"]) { identity["userName"] = .string(user) }
        record.userIdentity = .value(.object(identity))

        record.requestParameters = part(fields["ct.request"], prefix: "ct.request.", in: fields)
        record.responseElements = part(fields["ct.response"], prefix: "ct.response.", in: fields)
        if let time = record.eventTime, record.eventDate == nil {
            return .malformed("Falco alert: ct.time \"\(time.prefix(40))\" is not an RFC 3339 time")
        }
        return .record(record)
    }

    /// `ct.request` as a JSON string (or object), else an object built from `ct.request.*` fields.
    static func part(_ whole: JSONValue?, prefix: String, in fields: [String: JSONValue]) -> JSONPart? {
        if let whole {
            switch whole {
            case .object: return .value(whole)
            case .string(let text) where text != "<NA>":
                if let parsed = try? JSONValue.parse(text) { return .value(parsed) }
            default: break
            }
        }
        var object: [String: JSONValue] = [:]
        for (key, value) in fields where key.hasPrefix(prefix) {
            guard text(value) != nil || value.objectValue != nil || value.arrayValue != nil else { continue }
            object[String(key.dropFirst(prefix.count))] = value
        }
        return object.isEmpty ? nil : .value(.object(object))
    }
}
