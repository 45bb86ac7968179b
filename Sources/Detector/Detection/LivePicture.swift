import DequeModule
import Foundation
import TfdriftCore

/// What the detector knows about each resource it has seen changed: what the state expects and what
/// the calls since have made it. This is how a revert is recognised as one (an attribute back at the
/// state's value, a permission removed again, a hand-made user deleted), how a second change to a
/// resource made by hand gets its own line, and how an exact repeat is told from a new value.
///
/// Bounded: past `capacity` resources the one touched longest ago is forgotten (and counted). Its
/// lines are in the log; only the memory of it is lost, so a later revert would read as a change.
public struct LivePicture: Sendable {
    /// One resource as the calls have left it.
    public struct Resource: Sendable, Equatable {
        public var resourceType: String
        public var resourceID: String
        /// Managed resources: the state's name and the Terraform address; nil for unmanaged ones.
        public var state: String?
        public var address: String?
        public var accountID: String?
        /// Whether the resource exists as far as the calls tell: nil when no call said (the state's view).
        public var exists: Bool?
        /// Attribute values the calls set, in the shape the diff compares (policies parsed, rules
        /// flattened), and the state's values for them in the same shape.
        public var observed: [String: JSONValue] = [:]
        public var expected: [String: JSONValue] = [:]
        /// How each attribute is compared (a state reload normalises the new values the same way).
        public var shapes: [String: DiffTransform] = [:]
        /// A call changed something the detector cannot value (no mapping, a withheld or sensitive value):
        /// the resource stays drifted until a state reload shows it changed.
        public var opaque = false
        /// A fingerprint of the state's attributes when the resource was first drifted (opaque changes).
        public var stateFingerprint: UInt64?
        /// Ids of exact repeats, carried on the next line about the resource.
        public var repeats: [String] = []
        /// The last line about the resource, without its message: the resolution after a state reload
        /// is built from it.
        public var lastLine: DriftEvent?
        /// Event time of the last line (repeats older than the dedup window are reported again).
        public var lastLineAt: Date?

        public var isManaged: Bool { address != nil }

        /// Whether it differs from what Terraform's state says.
        public var isDrifted: Bool {
            if !isManaged { return exists != false }
            if exists == false || opaque { return true }
            return observed.contains { attribute, value in !value.looselyEquals(expected[attribute] ?? .null) }
        }
    }

    public let capacity: Int
    public private(set) var resources: [String: Resource] = [:]
    /// Keys in the order they were touched, with the touch they were recorded under.
    private var order: Deque<(key: String, touch: Int)> = []
    private var touches: [String: Int] = [:]
    private var nextTouch = 0
    /// Resources forgotten because the picture was full.
    public private(set) var evicted = 0
    /// Counts every change (a saver writes the picture only when it moved).
    public private(set) var generation = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public var count: Int { resources.count }
    /// Resources that differ from the state (`tfdrift_open_drifts`), kept as resources come and go.
    public private(set) var driftedCount = 0

    public subscript(key: String) -> Resource? { resources[key] }

    /// Records `resource` under `key` as the most recently touched; forgets the oldest past capacity.
    public mutating func store(_ resource: Resource, under key: String) {
        generation += 1
        let previous = resources.updateValue(resource, forKey: key)
        driftedCount += (resource.isDrifted ? 1 : 0) - (previous?.isDrifted == true ? 1 : 0)
        nextTouch += 1
        touches[key] = nextTouch
        order.append((key, nextTouch))
        while resources.count > capacity, let oldest = order.popFirst() {
            // Entries for keys touched again since, or removed, are stale: skip them.
            guard touches[oldest.key] == oldest.touch else { continue }
            remove(oldest.key)
            evicted += 1
        }
        if order.count > 2 * capacity + 4096 { order = Deque(order.filter { touches[$0.key] == $0.touch }) }
    }

    public mutating func remove(_ key: String) {
        generation += 1
        if resources.removeValue(forKey: key)?.isDrifted == true { driftedCount -= 1 }
        touches.removeValue(forKey: key)
    }

    /// Keys by most recent touch last (persistence writes them in this order, so a reload keeps it).
    public var keysByTouch: [String] { touches.sorted { $0.value < $1.value }.map(\.key) }

    /// A hash of a state instance's attributes that stays the same across processes (the picture is
    /// kept on disk): FNV-1a over the attribute bytes.
    public static func fingerprint(_ instance: ResourceInstance) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        guard let raw = instance.attributes else { return hash }
        for offset in raw.start..<raw.end {
            hash ^= UInt64(raw.bytes.base[offset])
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    // MARK: Keys

    /// A managed resource is known by its state and address (stable across reloads and id changes).
    static func managedKey(state: String, address: String) -> String { "m|\(state)|\(address)" }

    /// An unmanaged one by type, account and identifier; an ARN is keyed by its resource name so that
    /// calls naming it by ARN and by name meet.
    static func unmanagedKey(type: String, id: String, account: String?) -> String {
        "u|\(type)|\(account ?? "")|\(shortIdentifier(id))"
    }

    static func shortIdentifier(_ id: String) -> String {
        guard id.hasPrefix("arn:"), let name = id.split(whereSeparator: { $0 == "/" || $0 == ":" }).last else { return id }
        return String(name)
    }
}
