import TfdriftCore

/// Reads `userIdentity` into an `Actor`. Missing parts stay nil (S3 data events by services have
/// no `type`; console sign-ins have no access key).
enum ActorParser {
    static func actor(from record: CloudTrailRecord) -> Actor {
        var actor = Actor()
        actor.sourceIP = record.sourceIPAddress
        actor.userAgent = record.userAgent
        guard let identityPart = record.userIdentity, case .object(let identity)? = try? identityPart.decode() else {
            return actor
        }
        actor.type = identity["type"]?.stringValue
        actor.arn = identity["arn"]?.stringValue
        actor.accountID = identity["accountId"]?.scalarText
        actor.principalID = identity["principalId"]?.stringValue
        actor.userName = identity["userName"]?.stringValue
        actor.invokedBy = identity["invokedBy"]?.stringValue
        if let issuer = identity["sessionContext"]?["sessionIssuer"] {
            actor.issuerARN = issuer["arn"]?.stringValue
        }
        if actor.type == "AssumedRole" || actor.type == "FederatedUser" || actor.arn?.contains(":assumed-role/") == true,
            let arn = actor.arn, let slash = arn.lastIndex(of: "/")
        {
            actor.sessionName = String(arn[arn.index(after: slash)...])
        }
        if actor.userName == nil, actor.type == "IAMUser", let arn = actor.arn, let slash = arn.lastIndex(of: "/") {
            actor.userName = String(arn[arn.index(after: slash)...])
        }
        return actor
    }
}
