import TfdriftCore

/// One Terraform state file, as the index needs it: managed resource instances with their
/// identifying values; attributes kept as raw JSON and decoded only for a drift's diff.
public struct TerraformState: Sendable {
    public var name: String
    public var origin: String
    public var formatVersion: Int
    public var terraformVersion: String?
    public var serial: Int?
    public var lineage: String?
    public var instances: [ResourceInstance]
    public var dataSourceCount: Int
    public var byteCount: Int
    /// The account this state manages, when configured (multi-account routing).
    public var accountID: String?

    public var resourceCountsByType: [String: Int] {
        instances.reduce(into: [:]) { counts, instance in counts[instance.type, default: 0] += 1 }
    }
}

/// One managed resource instance (`module.net.aws_subnet.private["a"]`), current or deposed.
public struct ResourceInstance: Sendable {
    public var address: String
    public var type: String
    public var provider: String
    public var tainted: Bool
    /// Set for a deposed object (create_before_destroy in progress or failed).
    public var deposedKey: String?
    public var attributes: RawJSON?
    /// Top-level attribute names the state marks sensitive (see `isSensitive`).
    public var sensitiveAttributes: Set<String>
    /// Identifying values this instance is indexed under (id, arn, name…).
    public var identifiers: [String]
    /// The account the resource lives in, from its ARN, `owner_id` or identity (nil: unknown).
    public var accountID: String?

    /// Whether an attribute's value must never be decoded into diffs or logs: marked in the state, or
    /// a secret by name in every provider version (a state written without marks must not leak either).
    /// The address as lines show it: deposed objects (create_before_destroy leftovers) say so.
    public var displayAddress: String { deposedKey.map { "\(address) (deposed \($0))" } ?? address }

    public func isSensitive(_ attribute: String) -> Bool {
        sensitiveAttributes.contains(attribute) || SensitiveAttributes.alwaysSensitive.contains(attribute)
    }

    /// The provider's id (`attributes.id`): what `resource_id` reports for a managed resource.
    public var providerID: String?
}

/// A state that could not be used, with what to do about it.
public struct StateLoadError: Error, CustomStringConvertible, Sendable {
    public let origin: String
    public let message: String
    public init(origin: String, message: String) {
        self.origin = origin
        self.message = message
    }
    public var description: String { "Terraform state \(origin): \(message)" }
}
