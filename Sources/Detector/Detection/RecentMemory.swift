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
