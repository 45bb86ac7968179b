import DequeModule
import Foundation
import TfdriftCore

/// The event ids seen most recently, for dropping duplicate deliveries of one CloudTrail record
/// (an S3 notification redelivered by SQS, one trail read by both Falco and the queue consumer).
///
/// Bounded by count with first-in-first-out eviction: duplicate deliveries arrive close together,
/// and a long-running detector must not grow with every record it has ever seen. CloudTrail ids are
/// UUIDs, kept as 16 bytes instead of a 36-character heap string; anything else is kept verbatim.
struct RecentEventIDs: Sendable {
    enum Key: Hashable, Sendable {
        case uuid(UInt64, UInt64)
        case text(String)

        init(_ id: String) {
            if let (high, low) = Self.parseUUID(id) {
                self = .uuid(high, low)
            } else {
                self = .text(id)
            }
        }

        /// The canonical 8-4-4-4-12 form, either case (CloudTrail writes lower case).
        static func parseUUID(_ id: String) -> (UInt64, UInt64)? {
            guard id.utf8.count == 36 else { return nil }
            var id = id
            id.makeContiguousUTF8()
            return id.utf8.withContiguousStorageIfAvailable { bytes -> (UInt64, UInt64)? in
                var high: UInt64 = 0
                var low: UInt64 = 0
                var digits = 0
                for (offset, byte) in bytes.enumerated() {
                    if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                        guard byte == UInt8(ascii: "-") else { return nil }
                        continue
                    }
                    let value: UInt8
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
                    default: return nil
                    }
                    if digits < 16 {
                        high = high << 4 | UInt64(value)
                    } else {
                        low = low << 4 | UInt64(value)
                    }
                    digits += 1
                }
                return (high, low)
            } ?? nil
        }
    }

    let capacity: Int
    private(set) var members: Set<Key> = []
    /// Oldest first.
    private var order: Deque<Key> = []

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        // Part reserved up front so that small runs (a replay) stay small; past it the set grows by
        // doubling, and its last rehash (16-byte keys, a few milliseconds) happens once in a lifetime.
        members.reserveCapacity(min(capacity, 1 << 16))
        order.reserveCapacity(min(capacity, 1 << 16))
    }

    var count: Int { members.count }

    /// Inserts; false when the id is already among the recent ones.
    mutating func insert(_ id: String) -> Bool {
        let key = Key(id)
        guard members.insert(key).inserted else { return false }
        order.append(key)
        if order.count > capacity, let oldest = order.popFirst() { members.remove(oldest) }
        return true
    }
}

/// Drifts reported recently, by dedup key, with the event time they were reported at: the same
/// change seen again within the window is one drift event, not two.
///
/// Entries are forgotten in insertion order once they are older than the window (measured against
/// the newest event time seen, so that a replay of old trails dedups like the live stream) or once
/// there are more than `capacity`. Each insert does a constant amount of forgetting, so no single
/// event ever pays for pruning the whole table.
struct RecentDrifts: Sendable {
    let window: Double
    let capacity: Int
    private var lastSeen: [String: Date] = [:]
    /// Reports in the order they were made, oldest first.
    private var order: Deque<(key: String, time: Date)> = []
    private var newest = Date.distantPast

    init(window: Double, capacity: Int) {
        precondition(capacity > 0)
        self.window = window
        self.capacity = capacity
        lastSeen.reserveCapacity(min(capacity, 1 << 17))
    }

    var count: Int { lastSeen.count }

    /// True when `key` was reported within the window of `time`; otherwise records it and returns false.
    mutating func isDuplicate(_ key: String, at time: Date) -> Bool {
        if let previous = lastSeen[key], abs(time.timeIntervalSince(previous)) < window { return true }
        lastSeen[key] = time
        order.append((key, time))
        if time > newest { newest = time }
        forget()
        return false
    }

    private mutating func forget() {
        let horizon = newest.addingTimeInterval(-window)
        // At most two entries per insert: the table shrinks towards its bound without a pause.
        for _ in 0..<2 {
            guard let oldest = order.first, oldest.time < horizon || lastSeen.count > capacity else { return }
            order.removeFirst()
            // A key reported again since keeps its newer entry further along the queue.
            if lastSeen[oldest.key] == oldest.time { lastSeen.removeValue(forKey: oldest.key) }
        }
    }
}
