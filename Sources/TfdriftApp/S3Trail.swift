import AWSClient
import Detector
import Foundation
import TfdriftCore

/// `replay s3://bucket/prefix`: the trail's log files straight from its bucket. The keys follow
/// CloudTrail's layout — `AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>` — so with
/// `--since`/`--until` only the date folders that can hold those days are listed (a day either side:
/// a file is filed by when it was delivered). Digest and Insights folders are skipped, and with
/// `providers.aws.cloudtrail.accounts` so are other accounts' folders of an organisation trail.
public struct S3Trail: Sendable {
    public let bucket: String
    public let prefix: String

    /// `s3://bucket/prefix` → bucket and prefix; nil when `text` is not an S3 URL.
    public init?(url text: String) {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        guard let bucketEnd = rest.firstIndex(of: "/") else {
            guard !rest.isEmpty else { return nil }
            bucket = String(rest)
            prefix = ""
            return
        }
        bucket = String(rest[..<bucketEnd])
        guard !bucket.isEmpty else { return nil }
        prefix = String(rest[rest.index(after: bucketEnd)...])
    }

    public var description: String { "s3://\(bucket)/\(prefix)" }

    /// Lists a prefix: its objects and, with the delimiter, its folders.
    public protocol Lister: Sendable {
        func list(prefix: String, folders: Bool) async throws -> S3ListPage
    }

    /// The log files to read, in time order (as a local directory is read).
    public func objects(
        lister: any Lister, since: Date?, until: Date?, accounts: Set<String>
    ) async throws -> [S3ObjectInfo] {
        var found: [S3ObjectInfo] = []
        let range = DayRange(since: since, until: until)
        try await walk(prefix, lister: lister, range: range, accounts: accounts, depth: 0, into: &found)
        return found.filter { object in
            InputFiles.classify(object.key) == nil
                && InputFiles.logExtensions.contains { object.key.lowercased().hasSuffix($0) }
        }.sorted { (InputFiles.timeKey($0.key) ?? $0.key, $0.key) < (InputFiles.timeKey($1.key) ?? $1.key, $1.key) }
    }

    /// The days a replay needs, widened by one either side (files are filed by delivery time).
    struct DayRange {
        let first: DateComponents?
        let last: DateComponents?
        var isBounded: Bool { first != nil || last != nil }

        init(since: Date?, until: Date?) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            first = since.map { calendar.dateComponents([.year, .month, .day], from: $0.addingTimeInterval(-86_400)) }
            last = until.map { calendar.dateComponents([.year, .month, .day], from: $0.addingTimeInterval(86_400)) }
        }

        /// Whether the folder `parts` (year, then month, then day) can hold a day in range.
        func admits(_ parts: [Int]) -> Bool {
            func key(_ components: DateComponents?) -> [Int]? {
                components.map { Array([$0.year ?? 0, $0.month ?? 0, $0.day ?? 0].prefix(parts.count)) }
            }
            if let low = key(first), parts.lexicographicallyPrecedes(low) { return false }
            if let high = key(last), high.lexicographicallyPrecedes(parts) { return false }
            return true
        }
    }

    func walk(
        _ prefix: String, lister: any Lister, range: DayRange, accounts: Set<String>, depth: Int, into found: inout [S3ObjectInfo]
    ) async throws {
        guard range.isBounded || !accounts.isEmpty else {
            found += try await lister.list(prefix: prefix, folders: false).objects
            return
        }
        let page = try await lister.list(prefix: prefix, folders: true)
        found += page.objects
        let datePath = Self.datePath(prefix)
        for folder in page.commonPrefixes {
            let name = String(folder.dropFirst(prefix.count).dropLast())
            if name == "CloudTrail-Digest" || name == "CloudTrail-Insight" { continue }
            if !accounts.isEmpty, name.count == 12, name.allSatisfy(\.isNumber), Self.isAccountLevel(prefix),
                !accounts.contains(name)
            {
                continue
            }
            if let number = Int(name), datePath.count < 3, name.count == (datePath.isEmpty ? 4 : 2) {
                guard range.admits(datePath + [number]) else { continue }
            }
            guard depth < 12 else { continue }
            try await walk(folder, lister: lister, range: range, accounts: accounts, depth: depth + 1, into: &found)
        }
    }

    /// The year/month/day folders at the end of `prefix` (`…/us-east-1/2023/07/` → [2023, 7]).
    static func datePath(_ prefix: String) -> [Int] {
        let parts = prefix.split(separator: "/").map(String.init)
        var numbers: [Int] = []
        for part in parts.reversed() {
            guard let number = Int(part), part.allSatisfy(\.isNumber), part.count == 4 || part.count == 2 else { break }
            numbers.insert(number, at: 0)
        }
        guard let year = numbers.first, numbers.count <= 3, String(year).count == 4 else { return [] }
        return numbers
    }

    /// Account folders sit under `AWSLogs/` or `AWSLogs/o-…/`.
    static func isAccountLevel(_ prefix: String) -> Bool {
        let parts = prefix.split(separator: "/")
        guard let last = parts.last else { return false }
        return last == "AWSLogs" || (last.hasPrefix("o-") && parts.dropLast().last == "AWSLogs")
    }
}

/// The AWS client as a lister.
struct S3BucketLister: S3Trail.Lister {
    let s3: S3Client
    let bucket: String

    func list(prefix: String, folders: Bool) async throws -> S3ListPage {
        try await s3.listAll(bucket: bucket, prefix: prefix.isEmpty ? nil : prefix, delimiter: folders ? "/" : nil)
    }
}

extension AWSContext {
    /// The inputs of `replay s3://…`: listed (pruned by date and account), fetched by the pipeline's
    /// workers several at a time.
    func replayInputs(_ trail: S3Trail, config: TfdriftConfig, since: Date?, until: Date?) async throws -> [ChunkPipeline.Input] {
        let cloudTrail = config.cloudTrail
        let s3 = try self.s3(region: cloudTrail.region, endpoint: cloudTrail.endpoint, assumeRole: cloudTrail.assumeRoleARN)
        let objects: [S3ObjectInfo]
        do {
            objects = try await trail.objects(
                lister: S3BucketLister(s3: s3, bucket: trail.bucket), since: since, until: until,
                accounts: Set(cloudTrail.accounts))
        } catch {
            throw AppError.cannotList(trail.description, "\(error)")
        }
        return objects.map { object in
            let name = "s3://\(trail.bucket)/\(object.key)"
            return ChunkPipeline.Input(
                name: name, size: object.size ?? 0,
                reading: .fetched { options in
                    guard let fetched = try await s3.getObject(bucket: trail.bucket, key: object.key) else {
                        throw InputReadError(path: name, reason: "S3 returned no body")
                    }
                    return RecordSplitter.memory(
                        fetched.body, name: name, window: options.window, maxUnit: options.maxRecordBytes,
                        maxInflated: options.maxInflatedBytes)
                })
        }
    }
}
