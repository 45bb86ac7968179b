import Foundation
import Testing
import TfdriftCore

@testable import Detector

/// Inputs are read a window at a time and cut at record boundaries (RecordSplitter): no input is held
/// whole, and the records are the same whatever the window.
@Suite("streaming inputs")
struct StreamingTests {
    /// The records (by event id, in order), malformed inputs and skips of `bytes` read `window` bytes at a time.
    static func split(
        _ bytes: [UInt8], window: Int, name: String = "input", maxRecord: Int = 64 << 20, maxInflated: Int = 1 << 30
    )
        throws -> RecordBatch
    {
        let splitter = RecordSplitter.memory(bytes, name: name, window: window, maxUnit: maxRecord, maxInflated: maxInflated)
        var batch = RecordBatch(source: "test")
        while let chunk = try splitter.next() { batch.append(chunk) }
        return batch
    }

    static func record(_ n: Int, padding: Int = 0) -> String {
        let pad = String(repeating: "x", count: padding)
        return
            #"{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","eventID":"e-\#(n)","readOnly":false,"requestParameters":{"note":"a \"quoted\" \\ value {[\#(pad)","nested":[{"a":[1,2,{"b":"]}"}]}]},"responseElements":{"vpc":{"vpcId":"vpc-\#(n)"}}}"#
    }

    static var corpusRecords: [String] {
        get throws {
            let value = try JSONValue.parse(
                String(
                    decoding: try Gzip.inflatingIfNeeded(
                        Array(
                            Data(
                                contentsOf: Fixtures.cloudTrail.appendingPathComponent(
                                    "stratus-red-team-detonation-logs.json.gz")))
                    ).all.text.utf8, as: UTF8.self))
            return (value["Records"]?.arrayValue ?? []).map(JSONWriter.encode)
        }
    }

    @Test("NDJSON larger than the window: every record, in order, whatever the window", arguments: [64, 200, 1000, 4096])
    func ndjson(window: Int) throws {
        let lines = (0..<50).map { Self.record($0, padding: $0 * 7) }
        let batch = try Self.split(Array(lines.joined(separator: "\n").utf8), window: window)
        #expect(batch.records.map(\.eventID) == (0..<50).map { "e-\($0)" })
        #expect(batch.malformedCount == 0, "\(batch.malformed)")
        #expect(batch.records.map(\.location.line) == Array(1...50))
    }

    @Test("a trail file's records cut at their ends across windows, a record larger than the window included")
    func trailFile() throws {
        let records = try Self.corpusRecords
        let file = #"{"Records": ["# + records.joined(separator: ",\n ") + "]}\n"
        let whole = try Self.split(Array(file.utf8), window: 8 << 20)
        for window in [97, 1024, 4096] {
            let batch = try Self.split(Array(file.utf8), window: window)
            #expect(batch.records.count == records.count)
            #expect(batch.records.map(\.eventID) == whole.records.map(\.eventID))
            #expect(batch.records.map(\.location.index) == Array(0..<records.count).map { Optional($0) })
            #expect(batch.malformedCount == 0, "\(batch.malformed)")
            // The same records as decoding the whole file at once.
            let reference = Fixtures.decode(json: file).records
            #expect(batch.records.map(\.eventID) == reference.map(\.eventID))
            #expect(
                batch.records.map { $0.requestParameters.map { try? $0.decode() } }
                    == reference.map { $0.requestParameters.map { try? $0.decode() } })
        }
    }

    @Test("gzip inflated as a stream: concatenated members and trailing padding")
    func gzipStream() throws {
        let first = try Gzip.compress(Array((0..<20).map { Self.record($0) }.joined(separator: "\n").utf8) + [0x0A])
        let second = try Gzip.compress(Array((20..<40).map { Self.record($0) }.joined(separator: "\n").utf8))
        let batch = try Self.split(first + second + [0, 0, 0, 0], window: 512)
        #expect(batch.records.map(\.eventID) == (0..<40).map { "e-\($0)" })
        #expect(batch.malformedCount == 0)
    }

    @Test("a truncated gzip file: the records before the break are kept, the input is reported unreadable")
    func truncatedGzip() throws {
        let compressed = try Gzip.compress(Array((0..<200).map { Self.record($0, padding: 300) }.joined(separator: "\n").utf8))
        let splitter = RecordSplitter.memory(
            Array(compressed.prefix(compressed.count * 2 / 3)), name: "cut.json.gz", window: 4096, maxUnit: 1 << 20,
            maxInflated: 1 << 30)
        var batch = RecordBatch(source: "test")
        let error = #expect(throws: InputReadError.self) { while let chunk = try splitter.next() { batch.append(chunk) } }
        #expect(error?.description == "cut.json.gz: gzip data is truncated")
        #expect(batch.records.count > 50)
        #expect(batch.records.map(\.eventID) == (0..<batch.records.count).map { "e-\($0)" })
    }

    @Test("the inflated size is capped by a setting, with an error naming the input and the key")
    func inflateCap() throws {
        let bomb = try Gzip.compress([UInt8](repeating: 0x20, count: 8 << 20))
        let splitter = RecordSplitter.memory(bomb, name: "bomb.json.gz", window: 1 << 20, maxUnit: 1 << 20, maxInflated: 2 << 20)
        let error = #expect(throws: InputReadError.self) { while try splitter.next() != nil {} }
        #expect(error?.description.contains("bomb.json.gz: inflates to more than 2 MiB") == true)
        #expect(error?.description.contains("providers.aws.cloudtrail.max_inflated_mb") == true)
    }

    @Test("a malformed NDJSON line is counted with its line; the next lines go on")
    func malformedLine() throws {
        var lines = (0..<6).map { Self.record($0) }
        lines[2] = #"{"eventName":"Broken","eventSource":"x.amazonaws.com","#  // cut short, no closing brace
        let batch = try Self.split(Array(lines.joined(separator: "\n").utf8), window: 300)
        #expect(batch.records.map(\.eventID) == ["e-0", "e-1", "e-3", "e-4", "e-5"])
        #expect(batch.malformedCount == 1)
        #expect(batch.malformed.first?.location.line == 3)
    }

    @Test("a pretty-printed record across lines, and concatenated values on one line")
    func prettyAndConcatenated() throws {
        let pretty =
            "{\n  \"eventTime\": \"2026-01-01T00:00:00Z\",\n  \"eventSource\": \"ec2.amazonaws.com\",\n  \"eventName\": \"CreateVpc\",\n  \"eventID\": \"p\"\n}\n"
        let concatenated = Self.record(1) + Self.record(2) + "\n"
        let batch = try Self.split(Array((pretty + concatenated).utf8), window: 64)
        #expect(batch.records.map(\.eventID) == ["p", "e-1", "e-2"])
        #expect(batch.records.map(\.location.line) == [1, 7, 7])
    }

    @Test("a record larger than the limit is malformed and skipped; the next ones are read")
    func oversizedRecord() throws {
        let records = [Self.record(0), Self.record(1, padding: 50_000), Self.record(2)]
        let file = #"{"Records":["# + records.joined(separator: ",") + "]}"
        let batch = try Self.split(Array(file.utf8), window: 4096, maxRecord: 16_384)
        #expect(batch.records.map(\.eventID) == ["e-0", "e-2"])
        #expect(batch.malformed.map(\.reason) == ["a record larger than 16 KiB; skipped"])
        #expect(batch.malformed.first?.location.index == 1)
    }

    @Test("a trail file cut off inside a record: the records before it are kept, the rest is malformed")
    func truncatedTrail() throws {
        let file = #"{"Records":["# + (0..<5).map { Self.record($0) }.joined(separator: ",")
        let batch = try Self.split(Array(file.dropLast(30).utf8), window: 200)
        #expect(batch.records.map(\.eventID) == ["e-0", "e-1", "e-2", "e-3"])
        #expect(batch.malformedCount == 1)
        #expect(batch.malformed.first?.location.index == 4)
    }

    @Test("every record of the real CloudTrail reads the same streamed as whole, in S3 layout and gzip")
    func realCorpus() throws {
        let (whole, _, _) = try Fixtures.decode(Fixtures.corpusPaths)
        var streamed: [CloudTrailRecord] = []
        for file in InputFiles.list(Fixtures.corpusPaths).files {
            let splitter = try RecordSplitter.file(file, window: 4096, maxUnit: 1 << 20, maxInflated: 1 << 30)
            var batch = RecordBatch(source: "test")
            while let chunk = try splitter.next() { batch.append(chunk) }
            #expect(batch.malformedCount == 0, "\(file): \(batch.malformed)")
            streamed += batch.records
        }
        #expect(streamed.count == whole.count)
        #expect(Set(streamed.compactMap(\.eventID)) == Set(whole.compactMap(\.eventID)))
    }
}

@Suite("parallel replay")
struct ParallelReplayTests {
    /// The drift lines of a replay of the real corpus against the invictus case's state.
    static func lines(jobs: Int, window: Int) async throws -> [String] {
        let state = Fixtures.repository.appendingPathComponent("Tests/Fixtures/labelled/invictus-2023-07-10/terraform.tfstate")
        var source = StateSourceConfig(name: "default", backend: .local)
        source.localPath = state.path
        var config = TfdriftConfig()
        config.states = [source]
        let setup = try DetectorSetup(catalog: Fixtures.catalog, loaded: StateLoader.loadLocal(source))
        let sink = CollectingSink()
        let engine = DetectionEngine(
            evaluator: DriftEvaluator(catalog: setup.catalog, index: setup.index, config: config), sinks: [sink],
            reorderWindow: 3600)
        var options = ChunkPipeline.Options()
        options.jobs = jobs
        options.window = window
        options.triage = RecordTriage(catalog: setup.catalog, config: config)
        try await FileSource(paths: Fixtures.corpusPaths, options: options).run(into: engine)
        await engine.finishInput()
        let summary = await engine.summary
        #expect(summary.records == 3313)
        return await sink.events.map { event in
            var stable = event
            stable.detectedAt = Date(timeIntervalSince1970: 0)
            return stable.jsonLine()
        }
    }

    @Test("the same drift lines, in the same order, with one worker or four, whole windows or small ones")
    func sameLines() async throws {
        let reference = try await Self.lines(jobs: 1, window: 4 << 20)
        #expect(reference.count > 30)
        #expect(try await Self.lines(jobs: 4, window: 4 << 20) == reference)
        #expect(try await Self.lines(jobs: 2, window: 2048) == reference)
    }
}
