import Foundation
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Finds CloudTrail log files under the paths a user gives: files as-is, directories walked in the
/// S3 key layout (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/…`, and organisation trails
/// `AWSLogs/o-…/<account>/…`). Digest and Insights files are skipped: they are not API calls.
public enum InputFiles {
    public struct Listing: Sendable {
        public var files: [String] = []
        public var skipped: [InputSkip: Int] = [:]
        public var missing: [String] = []
    }

    public static let logExtensions = [".json", ".json.gz", ".gz", ".jsonl", ".ndjson", ".log"]

    public static func list(_ paths: [String]) -> Listing {
        var listing = Listing()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                listing.missing.append(path)
                continue
            }
            guard isDirectory.boolValue else {
                // A file named explicitly is read whatever its name, except a digest/insight file.
                if let skip = classify(path) { listing.skipped[skip, default: 0] += 1 } else { listing.files.append(path) }
                continue
            }
            var found: [String] = []
            let enumerator = FileManager.default.enumerator(atPath: path)
            while let relative = enumerator?.nextObject() as? String {
                let full = (path as NSString).appendingPathComponent(relative)
                var childIsDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: full, isDirectory: &childIsDirectory), !childIsDirectory.boolValue
                else { continue }
                if (relative as NSString).lastPathComponent.hasPrefix(".") { continue }
                if let skip = classify(full) {
                    listing.skipped[skip, default: 0] += 1
                } else if logExtensions.contains(where: { relative.lowercased().hasSuffix($0) }) {
                    found.append(full)
                } else {
                    listing.skipped[.notALogFile, default: 0] += 1
                }
            }
            // Trail files in time order across regions and accounts (their names carry the delivery time),
            // so a replay meets a change before its revert; other files by path.
            listing.files.append(contentsOf: found.sorted { (timeKey($0) ?? $0, $0) < (timeKey($1) ?? $1, $1) })
        }
        return listing
    }

    /// `20230710T1220Z` from `…_CloudTrail_us-east-1_20230710T1220Z_r7NFD65BgeDMqD23.json.gz`.
    public static func timeKey(_ path: String) -> String? {
        let name = (path as NSString).lastPathComponent
        guard let marker = name.range(of: "_CloudTrail_") else { return nil }
        let parts = name[marker.upperBound...].split(separator: "_")
        guard parts.count >= 2, parts[1].count == 14, parts[1].hasSuffix("Z") else { return nil }
        return String(parts[1])
    }

    /// The size of a file on disk (0 when it cannot be read: reading it will say why).
    public static func size(of path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    public static func classify(_ path: String) -> InputSkip? {
        if path.contains("/CloudTrail-Digest/") || path.contains("_CloudTrail-Digest_") { return .digestFile }
        if path.contains("/CloudTrail-Insight/") || path.contains("_CloudTrail-Insight_") { return .insightFile }
        return nil
    }

    public struct ReadError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        public var description: String { "\(path): \(reason)" }
    }

    /// Reads a whole file, gunzipping it when it starts with the gzip magic bytes.
    public static func read(_ path: String) throws -> JSONBytes {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ReadError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw ReadError(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        let raw = try JSONBytes(capacity: size) { pointer in
            var total = 0
            while total < size {
                let count = Glibc.read(descriptor, pointer + total, size - total)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ReadError(path: path, reason: String(cString: strerror(errno)))
                }
                if count == 0 { break }
                total += count
            }
            return total
        }
        guard Gzip.isGzip(raw.base, count: raw.count) else { return raw }
        do {
            return try Gzip.decompress(raw.base, count: raw.count)
        } catch {
            throw ReadError(path: path, reason: "\(error)")
        }
    }
}
