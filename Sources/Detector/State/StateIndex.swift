import TfdriftCore

/// All loaded states, indexed per resource type under every identifier a CloudTrail call may carry.
///
/// Keys are (type, identifier) — never one flat map — and each key holds every instance that
/// claims it, so two resources sharing an id (an IAM role and its instance profile, or the same
/// bucket in two states) are all found instead of the last one loaded silently winning.
public struct StateIndex: Sendable {
    public struct Reference: Sendable, Hashable {
        public let state: Int
        public let instance: Int
    }

    public let states: [TerraformState]
    let byType: [String: [String: [Reference]]]
    /// Instances by state name and address (deposed objects as `address (deposed KEY)`).
    let byAddress: [String: Reference]
    /// Accounts named by states (`account_id`), for routing multi-account trails.
    public let accountIDs: Set<String>

    public init(states: [TerraformState]) {
        self.states = states
        var byType: [String: [String: [Reference]]] = [:]
        var byAddress: [String: Reference] = [:]
        for (stateIndex, state) in states.enumerated() {
            for (instanceIndex, instance) in state.instances.enumerated() {
                let reference = Reference(state: stateIndex, instance: instanceIndex)
                byAddress[Self.addressKey(state: state.name, address: instance.displayAddress)] = reference
                // Mutated in place: copying the per-type table out and back is quadratic.
                for identifier in instance.identifiers {
                    byType[instance.type, default: [:]][identifier, default: []].append(reference)
                }
                if let scope = TerraformResourceTypes.singletonScopes[instance.type] {
                    let key = Self.singletonKey(instance, scope: scope, stateAccount: state.accountID)
                    byType[instance.type, default: [:]][key, default: []].append(reference)
                }
            }
        }
        self.byType = byType
        self.byAddress = byAddress
        self.accountIDs = Set(states.compactMap(\.accountID))
    }

    static func addressKey(state: String, address: String) -> String { "\(state)|\(address)" }

    /// The instance at `address` in the state named `state`, if it is still there.
    public func reference(state: String, address: String) -> Reference? {
        byAddress[Self.addressKey(state: state, address: address)]
    }

    public func instance(_ reference: Reference) -> ResourceInstance {
        states[reference.state].instances[reference.instance]
    }

    /// Instances of `type` claiming `identifier` in `accountID`'s account: a state's `account_id`
    /// scopes all its resources, an instance's own account (from its ARN) scopes it alone; unknown
    /// accounts match any.
    public func lookup(type: String, identifier: String, accountID: String?) -> [Reference] {
        guard let references = byType[type]?[identifier] ?? singletonWithoutKey(type) else { return [] }
        guard let accountID else { return references }
        return references.filter { reference in
            if let stateAccount = states[reference.state].accountID, stateAccount != accountID { return false }
            if let instanceAccount = instance(reference).accountID, instanceAccount != accountID { return false }
            return true
        }
    }

    /// An account/region singleton (aws_ebs_encryption_by_default, aws_s3_account_public_access_block…)
    /// is identified by the region or account a call names. Its instance is indexed under its `region`
    /// attribute (provider 6+) or its account; one whose region or account the state does not tell is
    /// indexed under `*` and matches any call in the accounts the lookup allows.
    static let unknownSingletonKey = "*"

    static func singletonKey(
        _ instance: ResourceInstance, scope: TerraformResourceTypes.SingletonScope, stateAccount: String?
    ) -> String {
        let attributes = (try? instance.attributes?.decode())?.objectValue
        switch scope {
        case .region:
            return attributes?["region"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 } ?? unknownSingletonKey
        case .account:
            return instance.accountID ?? stateAccount ?? attributes?["account_id"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 }
                ?? unknownSingletonKey
        }
    }

    func singletonWithoutKey(_ type: String) -> [Reference]? {
        guard TerraformResourceTypes.singletonScopes[type] != nil else { return nil }
        return byType[type]?[Self.unknownSingletonKey]
    }

    public var resourceTypes: Set<String> { Set(byType.keys) }
    public var instanceCount: Int { states.reduce(0) { $0 + $1.instances.count } }

    /// Identifiers claimed by more than one instance of the same type (reported by `state inspect`).
    public var collisions: [(type: String, identifier: String, addresses: [String])] {
        var result: [(String, String, [String])] = []
        for (type, identifiers) in byType {
            for (identifier, references) in identifiers where references.count > 1 {
                let addresses = Set(references.map { "\(states[$0.state].name):\(instance($0).address)" })
                if addresses.count > 1 { result.append((type, identifier, addresses.sorted())) }
            }
        }
        return result.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }
}
