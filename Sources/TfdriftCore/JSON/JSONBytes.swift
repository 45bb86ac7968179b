import Foundation

/// An immutable byte buffer that JSON slices point into. CloudTrail files are read into one of these
/// once; records, their `requestParameters` and the state's attribute objects are then ranges into
/// it, decoded only when a drift needs them. That is what makes replay faster than parsing every
/// record into a tree.
public final class JSONBytes: @unchecked Sendable {
    // @unchecked: the memory is written only in `init` and read-only afterwards.
    public let base: UnsafeMutablePointer<UInt8>
    public let count: Int

    public init(capacity: Int, fill: (UnsafeMutablePointer<UInt8>) throws -> Int) rethrows {
        let allocated = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity, 1))
        do {
            count = try fill(allocated)
        } catch {
            allocated.deallocate()
            throw error
        }
        base = allocated
    }

    public convenience init<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        self.init(capacity: bytes.count) { pointer in
            // Contiguous storage (arrays, NIO's ByteBufferView: HTTP bodies) is copied in one go.
            if let copied = bytes.withContiguousStorageIfAvailable({ buffer -> Int in
                if let source = buffer.baseAddress { pointer.update(from: source, count: buffer.count) }
                return buffer.count
            }) {
                return copied
            }
            var index = 0
            for byte in bytes {
                pointer[index] = byte
                index += 1
            }
            return index
        }
    }

    public convenience init(string: String) {
        var copy = string
        let utf8Count = copy.utf8.count
        self.init(capacity: utf8Count) { pointer in
            copy.withUTF8 { buffer in
                if let source = buffer.baseAddress { pointer.update(from: source, count: buffer.count) }
            }
            return utf8Count
        }
    }

    /// Takes ownership of memory from `UnsafeMutablePointer.allocate` (e.g. a gunzip output buffer).
    public init(adopting pointer: UnsafeMutablePointer<UInt8>, count: Int) {
        base = pointer
        self.count = count
    }

    deinit { base.deallocate() }

    /// The string at `[start, end)` (the content between the quotes).
    public func string(start: Int, end: Int, escaped: Bool) -> String {
        if !escaped { return String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self) }
        let scanner = JSONScanner(bytes: self, start: start, end: end)
        return (try? scanner.unescape(JSONScanner.KeyRange(start: start, end: end, hasEscapes: true)))
            ?? String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
    }

    public var all: RawJSON { RawJSON(bytes: self, start: 0, end: count) }

    /// 1-based line of a byte offset, for error messages (computed only when an error is reported).
    public func line(at offset: Int) -> Int {
        var line = 1
        var index = 0
        let limit = min(offset, count)
        while index < limit {
            if base[index] == 10 { line += 1 }
            index += 1
        }
        return line
    }
}

/// A JSON value's bytes inside a `JSONBytes` buffer.
public struct RawJSON: Sendable {
    public let bytes: JSONBytes
    public let start: Int
    public let end: Int

    public init(bytes: JSONBytes, start: Int, end: Int) {
        self.bytes = bytes
        self.start = start
        self.end = end
    }

    public var scanner: JSONScanner { JSONScanner(bytes: bytes, start: start, end: end) }

    /// The full tree. Throws on malformed JSON.
    public func decode() throws -> JSONValue {
        var scanner = scanner
        let value = try scanner.parseValue()
        return value
    }

    public var text: String {
        String(decoding: UnsafeBufferPointer(start: bytes.base + start, count: end - start), as: UTF8.self)
    }

    /// Whether the value is JSON `null` (CloudTrail writes `"responseElements": null`).
    public var isNull: Bool {
        end - start == 4 && bytes.base[start] == UInt8(ascii: "n")
    }
}
