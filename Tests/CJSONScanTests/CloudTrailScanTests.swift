import CJSONScan
import Detector
import Foundation
import Testing
import TfdriftCore

/// The scan on the real CloudTrail of Tests/Fixtures/cloudtrail (provenance in its SOURCE.md): 57 trail
/// files, 3,313 records, with their real nesting, escapes and non-ASCII text.
@Suite("CJSONScan on real CloudTrail")
struct CloudTrailScanTests {
    struct TrailFile: Sendable {
        let name: String
        let bytes: [UInt8]
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/cloudtrail")

    /// Every .json.gz of the fixtures, inflated with the detector's own gunzip.
    static let files: [TrailFile] = {
        let paths = (FileManager.default.enumerator(atPath: directory.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".json.gz") }.sorted()
        return paths.map { path in
            do {
                let compressed = try [UInt8](Data(contentsOf: directory.appendingPathComponent(path)))
                let inflated = try compressed.withUnsafeBufferPointer { try Gzip.decompress($0.baseAddress!, count: $0.count) }
                return TrailFile(name: path, bytes: Array(UnsafeBufferPointer(start: inflated.base, count: inflated.count)))
            } catch {
                fatalError("cannot read fixture \(path): \(error)")
            }
        }
    }()

    /// The record ends of a trail file ({"Records":[...]}, records at depth 2), by the reference in one call.
    static func referenceEnds(_ bytes: [UInt8]) -> [Int64] {
        bytes.withUnsafeBufferPointer {
            Implementation.reference.scan($0, 0..<$0.count, unitDepth: 2, state: .fresh, capacity: 100_000)
                .ends
        }
    }

    /// Each record's bytes, from its opening brace to its end (records start after the '[' of "Records").
    static func recordSlices(_ bytes: [UInt8], ends: [Int64]) -> [ArraySlice<UInt8>] {
        var start = (bytes.firstIndex(of: UInt8(ascii: "[")) ?? bytes.count - 1) + 1
        return ends.map { end in
            let open = bytes[start..<Int(end)].firstIndex(of: UInt8(ascii: "{")) ?? Int(end)
            start = Int(end)
            return bytes[open..<Int(end)]
        }
    }

    @Test("the fixtures are all there")
    func fixtures() {
        #expect(Self.files.count == 57)
        #expect(Self.files.reduce(0) { $0 + Self.referenceEnds($1.bytes).count } == 3313)
    }

    @Test("the reference cuts every trail file into exactly its records (checked by JSONSerialization)")
    func referenceFindsRecords() throws {
        for file in Self.files {
            let whole = try #require(JSONSerialization.jsonObject(with: Data(file.bytes)) as? [String: Any])
            let records = try #require(whole["Records"] as? [[String: Any]])
            let ends = Self.referenceEnds(file.bytes)
            #expect(ends.count == records.count, "\(file.name)")
            for (slice, record) in zip(Self.recordSlices(file.bytes, ends: ends), records) {
                let parsed = try JSONSerialization.jsonObject(with: Data(slice)) as? NSDictionary
                #expect(parsed == record as NSDictionary, "\(file.name): a record that is not the file's record")
            }
        }
    }

    /// Windows shorter than a block (every call ends in a short block), one block, one block and a byte, and
    /// longer; with an ends array of one (a call per record) or of 64.
    @Test(
        "every kernel finds the same record ends, window by window",
        arguments: [(13, 64), (64, 1), (65, 64), (1000, 1), (4096, 64), (1 << 30, 1)])
    func trailFilesInWindows(window: Int, capacity: Int) {
        for file in Self.files {
            let expected = Self.referenceEnds(file.bytes)
            for implementation in Implementation.underTest {
                let got = file.bytes.withUnsafeBufferPointer {
                    implementation.scanInWindows($0, 0..<$0.count, window: window, unitDepth: 2, capacity: capacity)
                }
                let difference = firstDifference(got.ends, expected)
                #expect(
                    difference == nil,
                    "\(implementation), \(file.name), window \(window), capacity \(capacity): \(difference ?? "")")
                #expect(got.calls.last?.state == .fresh, "\(implementation), \(file.name)")
            }
        }
    }

    @Test("NDJSON of the same records: the value ends are the line ends, in every window")
    func ndjson() {
        var ndjson: [UInt8] = []
        var lineEnds: [Int64] = []
        for file in Self.files {
            for record in Self.recordSlices(file.bytes, ends: Self.referenceEnds(file.bytes)) {
                ndjson += record
                lineEnds.append(Int64(ndjson.count))
                ndjson.append(UInt8(ascii: "\n"))
            }
        }
        #expect(lineEnds.count == 3313)
        for window in [100, 4096, 1 << 30] {
            for implementation in Implementation.withReference {
                let got = ndjson.withUnsafeBufferPointer {
                    implementation.scanInWindows($0, 0..<$0.count, window: window, unitDepth: 0, capacity: 512)
                }
                let difference = firstDifference(got.ends, lineEnds)
                #expect(difference == nil, "\(implementation), window \(window): \(difference ?? "")")
            }
        }
    }

    @Test("skip_container from every bracket of the real files, and each record skipped whole")
    func skipEveryContainer() {
        for file in Self.files {
            let ends = Self.referenceEnds(file.bytes)
            file.bytes.withUnsafeBufferPointer { buffer in
                var disagreements = 0
                var example = ""
                for start in 0..<buffer.count where buffer[start] | 0x20 == UInt8(ascii: "{") {
                    let expected = Implementation.reference.skip(buffer, start: start, end: buffer.count)
                    for implementation in Implementation.underTest {
                        let got = implementation.skip(buffer, start: start, end: buffer.count)
                        if got != expected {
                            disagreements += 1
                            example = "\(implementation) from \(start): \(got), the reference \(expected)"
                        }
                    }
                }
                #expect(disagreements == 0, "\(file.name): \(disagreements) disagreements, e.g. \(example)")
                for record in Self.recordSlices(file.bytes, ends: ends) {
                    for implementation in Implementation.withReference {
                        let end = implementation.skip(buffer, start: record.startIndex, end: buffer.count)
                        #expect(end == Int64(record.endIndex), "\(implementation), \(file.name)")
                    }
                }
            }
        }
    }
}
