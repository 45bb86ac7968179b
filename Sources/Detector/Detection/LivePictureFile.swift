import Foundation
import TfdriftCore

/// The live picture as JSON lines, so `run` continues where it stopped (a deploy, a crash): a header,
/// then one resource per line, least recently touched first.
extension LivePicture {
    static let formatVersion = 1

    /// The lines to write.
    public func lines(savedAt: Date = Date()) -> [String] {
        var lines: [String] = []
        forEachLine(savedAt: savedAt) { lines.append($0) }
        return lines
    }

    /// The lines to write, one at a time (a full picture is tens of megabytes of text).
    public func forEachLine(savedAt: Date = Date(), _ body: (String) throws -> Void) rethrows {
        try body(
            JSONWriter.encode(
                .object([
                    "tfdrift_live_picture": .number(String(Self.formatVersion)), "saved_at": .string(Timestamp.format(savedAt)),
                    "resources": .number(String(count)),
                ])))
        for key in keysByTouch {
            guard let resource = resources[key] else { continue }
            try body(resource.jsonLine(key: key))
        }
    }

    public struct FileError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads what `lines()` wrote. A line that does not read is an error naming it: a picture read
    /// wrong would turn reverts into drift (or the reverse), so the caller decides to start afresh.
    public static func reading(_ text: String, capacity: Int, file: String) throws -> LivePicture {
        var picture = LivePicture(capacity: capacity)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let value: JSONValue
            do {
                value = try JSONValue.parse(String(line))
            } catch {
                throw FileError(description: "\(file):\(number + 1): not JSON (\(error))")
            }
            if number == 0 {
                guard value["tfdrift_live_picture"]?.scalarText == String(formatVersion) else {
                    throw FileError(description: "\(file):1: not a live picture of this version (\(formatVersion))")
                }
                continue
            }
            guard let key = value["key"]?.stringValue, let resource = Resource(json: value) else {
                throw FileError(description: "\(file):\(number + 1): not a resource of the live picture")
            }
            picture.store(resource, under: key)
        }
        return picture
    }
}

extension LivePicture.Resource {
    /// Every field but the last line (see `jsonLine(key:)`).
    func json(key: String) -> JSONValue {
        var fields: [String: JSONValue] = [
            "key": .string(key), "type": .string(resourceType), "id": .string(resourceID), "observed": .object(observed),
            "expected": .object(expected), "shapes": .object(shapes.mapValues { .string($0.rawValue) }),
            "opaque": .bool(opaque), "repeats": .array(repeats.map(JSONValue.string)),
        ]
        if let state { fields["state"] = .string(state) }
        if let address { fields["address"] = .string(address) }
        if let accountID { fields["account_id"] = .string(accountID) }
        if let exists { fields["exists"] = .bool(exists) }
        if let stateFingerprint { fields["state_fingerprint"] = .string(String(stateFingerprint)) }
        if let lastLineAt { fields["last_line_at"] = .string(Timestamp.format(lastLineAt, fractional: true)) }
        return .object(fields)
    }

    /// The resource as one line: its fields, and the last line's own text spliced in as `last_line`
    /// rather than parsed and written again (a full picture is saved every few seconds).
    func jsonLine(key: String) -> String {
        var text = JSONWriter.encode(json(key: key))
        guard let lastLine, text.count > 2, text.last == "}" else { return text }
        text.removeLast()
        text += ",\"last_line\":" + lastLine.jsonLine() + "}"
        return text
    }

    init?(json value: JSONValue) {
        guard let type = value["type"]?.stringValue, let id = value["id"]?.stringValue else { return nil }
        self.init(
            resourceType: type, resourceID: id, state: value["state"]?.stringValue, address: value["address"]?.stringValue,
            accountID: value["account_id"]?.stringValue)
        if case .bool(let flag)? = value["exists"] { exists = flag }
        observed = value["observed"]?.objectValue ?? [:]
        expected = value["expected"]?.objectValue ?? [:]
        shapes = (value["shapes"]?.objectValue ?? [:]).compactMapValues { $0.stringValue.flatMap(DiffTransform.init(rawValue:)) }
        opaque = value["opaque"] == .bool(true)
        stateFingerprint = value["state_fingerprint"]?.stringValue.flatMap { UInt64($0) }
        repeats = value["repeats"]?.arrayValue?.compactMap(\.stringValue) ?? []
        lastLine = value["last_line"].flatMap(DriftEvent.init(line:))
        lastLineAt = value["last_line_at"]?.stringValue.flatMap(Timestamp.parse)
    }
}
