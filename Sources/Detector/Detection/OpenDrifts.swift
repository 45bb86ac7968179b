import DequeModule
import Foundation
import TfdriftCore

/// Drifts reported and not yet explained by a state reload, so that a later reload can report them
/// `drift_resolved`. One entry per resource (the latest drift wins).
///
/// Bounded: past `capacity` the oldest entry is forgotten (and counted), so a detector flooded with
/// drift — a console-heavy account, an unmanaged region — holds a fixed amount of memory. A forgotten
/// drift is still in the log; only its automatic resolution is lost.
struct OpenDrifts {
    struct Entry {
        /// The drift as reported, without its message (a resolution writes its own).
        var event: DriftEvent
        /// A fingerprint of the state's attributes for the resource when the drift was found (nil for
        /// an unmanaged resource): a drift with no comparable values is resolved when they change.
        var attributesFingerprint: Int?
        var sequence: Int
    }

    let capacity: Int
    private(set) var entries: [String: Entry] = [:]
    /// Keys in the order they were (re)opened, with the sequence number they were opened under.
    private var order: Deque<(key: String, sequence: Int)> = []
    private var nextSequence = 0
    /// Open drifts forgotten because the table was full.
    private(set) var evicted = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        entries.reserveCapacity(capacity)
    }

    var count: Int { entries.count }

    static func key(_ event: DriftEvent) -> String { "\(event.resourceType)|\(event.resourceID)" }

    mutating func open(_ event: DriftEvent, attributesFingerprint: Int?) {
        var slim = event
        slim.message = ""
        let key = Self.key(event)
        nextSequence += 1
        entries[key] = Entry(event: slim, attributesFingerprint: attributesFingerprint, sequence: nextSequence)
        order.append((key, nextSequence))
        while entries.count > capacity, let oldest = order.popFirst() {
            // Skip queue entries for drifts since resolved or reopened under a newer sequence.
            if entries[oldest.key]?.sequence == oldest.sequence {
                entries.removeValue(forKey: oldest.key)
                evicted += 1
            }
        }
        compactOrder()
    }

    mutating func close(_ key: String) { entries.removeValue(forKey: key) }

    /// The queue also holds stale keys (resolved or reopened drifts): once it is twice the table,
    /// rebuild it from the live entries so it cannot grow without bound.
    private mutating func compactOrder() {
        if order.count > 2 * capacity + 4096 {
            order = Deque(order.filter { entries[$0.key]?.sequence == $0.sequence })
        }
    }
}
