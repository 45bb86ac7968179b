import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A string field still in its input buffer, decoded only when read. Most CloudTrail records are
/// read-only calls the detector drops after looking at two fields; not materialising their strings
/// is a large part of replay's speed.
public enum TextSlot: Sendable {
    case absent
    case raw(start: Int, end: Int, escaped: Bool)
    case text(String)

    public init(_ text: String?) { self = text.map(TextSlot.text) ?? .absent }

    public func value(in bytes: JSONBytes?) -> String? {
        switch self {
        case .absent: return nil
        case .text(let text): return text
        case .raw(let start, let end, let escaped):
            guard let bytes else { return nil }
            return bytes.string(start: start, end: end, escaped: escaped)
        }
    }

    public var isPresent: Bool {
        switch self {
        case .absent: return false
        case .text(let text): return !text.isEmpty
        case .raw(let start, let end, _): return end > start
        }
    }

    /// An RFC 3339 time read in place (no string is built); nil when absent or not a time.
    public func timestamp(in bytes: JSONBytes?) -> Date? {
        switch self {
        case .absent: return nil
        case .text(let text): return Timestamp.parse(text)
        case .raw(let start, let end, _):
            guard let bytes else { return nil }
            return Timestamp.parse(UnsafeBufferPointer(start: bytes.base + start, count: end - start))
        }
    }

    /// Compares with an ASCII literal without decoding.
    public func equals(_ literal: StaticString, in bytes: JSONBytes?) -> Bool {
        switch self {
        case .absent: return false
        case .text(let text): return text == literal.description
        case .raw(let start, let end, let escaped):
            guard let bytes, !escaped, end - start == literal.utf8CodeUnitCount else { return false }
            return memcmp(bytes.base + start, literal.utf8Start, end - start) == 0
        }
    }
}
