import AWSClient
import Foundation
import Synchronization
import Testing
import TfdriftApp

/// `replay s3://…` lists only what it needs: the date folders `--since`/`--until` can hold (a day either
/// side), not Digest or Insights folders, not other accounts' folders when accounts are filtered.
@Suite("S3 trail listing")
struct S3TrailTests {
    /// A bucket as a set of keys; records every listing it answers.
    final class FakeBucket: S3Trail.Lister {
        let keys: [String]
        let listed = Mutex<[String]>([])

        init(_ keys: [String]) { self.keys = keys.sorted() }

        func list(prefix: String, folders: Bool) async throws -> S3ListPage {
            listed.withLock { $0.append(prefix + (folders ? " /" : "")) }
            var page = S3ListPage(objects: [], nextContinuationToken: nil)
            var seen = Set<String>()
            for key in keys where key.hasPrefix(prefix) {
                let rest = key.dropFirst(prefix.count)
                if folders, let slash = rest.firstIndex(of: "/") {
                    let folder = prefix + rest[..<slash] + "/"
                    if seen.insert(folder).inserted { page.commonPrefixes.append(folder) }
                } else {
                    page.objects.append(S3ObjectInfo(key: key, etag: nil, size: 10, lastModified: nil))
                }
            }
            return page
        }
    }

    static func key(_ account: String, _ region: String, _ day: String, _ time: String, folder: String = "CloudTrail") -> String {
        "logs/AWSLogs/o-abc123/\(account)/\(folder)/\(region)/\(day)/\(account)_CloudTrail_\(region)_\(time)_x.json.gz"
    }

    static let bucket = FakeBucket([
        key("111111111111", "us-east-1", "2023/07/09", "20230709T2355Z"),
        key("111111111111", "us-east-1", "2023/07/10", "20230710T1220Z"),
        key("111111111111", "eu-west-1", "2023/07/10", "20230710T1215Z"),
        key("111111111111", "us-east-1", "2023/07/20", "20230720T0000Z"),
        key("111111111111", "us-east-1", "2022/12/31", "20221231T0000Z"),
        key("111111111111", "us-east-1", "2023/07/10", "20230710T1220Z", folder: "CloudTrail-Digest"),
        key("222222222222", "us-east-1", "2023/07/10", "20230710T1221Z"),
    ])

    static func time(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("s3:// URLs: the bucket and the prefix")
    func urls() {
        #expect(S3Trail(url: "s3://trail-bucket/logs/AWSLogs/")?.bucket == "trail-bucket")
        #expect(S3Trail(url: "s3://trail-bucket/logs/AWSLogs/")?.prefix == "logs/AWSLogs/")
        #expect(S3Trail(url: "s3://trail-bucket")?.prefix == "")
        #expect(S3Trail(url: "s3:///nobucket") == nil)
        #expect(S3Trail(url: "/local/path") == nil)
    }

    @Test("--since/--until: only the days that can hold them, in time order across regions; digests skipped")
    func pruning() async throws {
        let trail = try #require(S3Trail(url: "s3://b/logs/"))
        let bucket = FakeBucket(Self.bucket.keys)
        let objects = try await trail.objects(
            lister: bucket, since: Self.time("2023-07-10T12:00:00Z"), until: Self.time("2023-07-10T13:00:00Z"), accounts: [])
        #expect(
            objects.map(\.key) == [
                Self.key("111111111111", "us-east-1", "2023/07/09", "20230709T2355Z"),
                Self.key("111111111111", "eu-west-1", "2023/07/10", "20230710T1215Z"),
                Self.key("111111111111", "us-east-1", "2023/07/10", "20230710T1220Z"),
                Self.key("222222222222", "us-east-1", "2023/07/10", "20230710T1221Z"),
            ])
        let listed = bucket.listed.withLock { $0 }
        #expect(!listed.contains { $0.contains("/2023/07/20/") || $0.contains("/2022/") || $0.contains("CloudTrail-Digest") })
    }

    @Test("organisation trails: only the configured accounts' folders are listed")
    func accounts() async throws {
        let trail = try #require(S3Trail(url: "s3://b/logs/"))
        let bucket = FakeBucket(Self.bucket.keys)
        let objects = try await trail.objects(lister: bucket, since: nil, until: nil, accounts: ["222222222222"])
        #expect(objects.map(\.key) == [Self.key("222222222222", "us-east-1", "2023/07/10", "20230710T1221Z")])
        #expect(!bucket.listed.withLock { $0 }.contains { $0.contains("111111111111") })
    }

    @Test("without bounds or accounts: one listing of everything under the prefix")
    func unbounded() async throws {
        let trail = try #require(S3Trail(url: "s3://b/logs/"))
        let bucket = FakeBucket(Self.bucket.keys)
        let objects = try await trail.objects(lister: bucket, since: nil, until: nil, accounts: [])
        #expect(objects.count == 6)
        #expect(bucket.listed.withLock { $0 } == ["logs/"])
    }
}
