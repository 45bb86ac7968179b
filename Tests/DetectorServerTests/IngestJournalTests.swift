import Detector
import Foundation
import Prometheus
import Testing
import TfdriftCore

@testable import DetectorServer

/// The write-ahead journal behind HTTP ingest: what was answered 202 survives a crash.
@Suite("ingest journal")
struct IngestJournalTests {
    static func bodies(_ range: Range<Int>) -> [[UInt8]] { range.map { Array(ServerFixtures.createVpc($0).utf8) } }

    static func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory.appendingPathComponent("journal").path)
    }

    static func segments(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("segment-") }.sorted()
    }

    @Test("what was appended and never processed comes back after a crash, in order, with its source")
    func recoverAfterCrash() async throws {
        try await Self.withDirectory { directory in
            do {  // the "crashed" process: appends, syncs, never processes
                let journal = try IngestJournal(directory: directory)
                for (n, body) in Self.bodies(0..<50).enumerated() {
                    let (_, ticket) = try journal.append(source: n % 2 == 0 ? "falco" : "http", body: body)
                    try await journal.waitDurable(ticket)
                }
            }
            let journal = try IngestJournal(directory: directory)
            let (frames, problems) = try journal.recover()
            #expect(problems.isEmpty)
            #expect(frames.map(\.body) == Self.bodies(0..<50))
            #expect(frames.map(\.source) == (0..<50).map { $0 % 2 == 0 ? "falco" : "http" })
            // Positions increase: marking the last one processed lets the next start recover nothing.
            let last = try #require(frames.last?.end)
            journal.markProcessed(last)
            #expect(Self.segments(directory).count == 1, "the recovered segment is deleted once processed")
        }
    }

    @Test("restarts without traffic leave one empty segment, not one per restart")
    func idleRestarts() async throws {
        try await Self.withDirectory { directory in
            for _ in 0..<4 {
                let journal = try IngestJournal(directory: directory)
                let (frames, problems) = try journal.recover()
                #expect(frames.isEmpty && problems.isEmpty)
            }
            #expect(Self.segments(directory).count == 1, "\(Self.segments(directory))")
        }
    }

    @Test("only what is past the processed mark is recovered; segments wholly behind it are deleted")
    func processedMark() async throws {
        try await Self.withDirectory { directory in
            var positions: [JournalPosition] = []
            do {
                // Small segments: 400 requests of ~500 bytes roll over many of them.
                let journal = try IngestJournal(directory: directory, segmentBytes: 16 << 10)
                for body in Self.bodies(0..<400) {
                    let (position, ticket) = try journal.append(source: "http", body: body)
                    try await journal.waitDurable(ticket)
                    positions.append(position)
                }
                #expect(Set(positions.map(\.segment)).count > 5)
                journal.markProcessed(positions[299])
                #expect(Self.segments(directory).count < Set(positions.map(\.segment)).count)
                #expect(journal.bytesOnDisk > 0)
            }
            let journal = try IngestJournal(directory: directory, segmentBytes: 16 << 10)
            let (frames, problems) = try journal.recover()
            #expect(problems.isEmpty)
            #expect(frames.map(\.body) == Self.bodies(300..<400))
            #expect(frames.map(\.end) == Array(positions[300...]))
        }
    }

    @Test("a frame cut short or corrupted by a crash ends recovery of its segment, with a reason")
    func tornAndCorrupt() async throws {
        try await Self.withDirectory { directory in
            do {
                let journal = try IngestJournal(directory: directory)
                for body in Self.bodies(0..<3) { _ = try journal.append(source: "http", body: body) }
            }
            let segment = (directory as NSString).appendingPathComponent(try #require(Self.segments(directory).first))
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: segment)))
            bytes.removeLast(7)  // the last write never finished
            try Data(bytes).write(to: URL(fileURLWithPath: segment))
            do {
                let journal = try IngestJournal(directory: directory)
                let (frames, problems) = try journal.recover()
                #expect(frames.map(\.body) == Self.bodies(0..<2))
                #expect(problems.count == 1)
                #expect(problems.first?.contains("torn frame") == true, "\(problems)")
            }
            // A flipped byte inside the second frame: the checksum catches it.
            let frameLength = 9 + "http".utf8.count + Self.bodies(0..<1)[0].count
            bytes[frameLength + 40] ^= 0xFF
            try Data(bytes).write(to: URL(fileURLWithPath: segment))
            for name in Self.segments(directory) where !segment.hasSuffix(name) {
                try FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
            }
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent("journal.offset"))
            let journal = try IngestJournal(directory: directory)
            let (frames, problems) = try journal.recover()
            #expect(frames.map(\.body) == Self.bodies(0..<1))
            #expect(problems.first?.contains("checksum mismatch") == true, "\(problems)")
        }
    }

    @Test("without journal_sync a request is accepted once written (no sync to wait for) and still recovered")
    func unsynced() async throws {
        try await Self.withDirectory { directory in
            do {
                let queue = IngestQueue(capacity: 10, journal: try IngestJournal(directory: directory, syncs: false))
                let body = Self.bodies(0..<1)[0]
                let batch = RecordBatch.decoding(JSONBytes(body), name: "test", source: "http")
                #expect(queue.offer(batch, body: body) == .accepted(durableTicket: nil))
            }
            let (frames, _) = try IngestJournal(directory: directory).recover()
            #expect(frames.map(\.body) == Self.bodies(0..<1))
        }
    }

    @Test("two detectors cannot share a journal directory")
    func exclusive() async throws {
        try await Self.withDirectory { directory in
            do {
                let first = try IngestJournal(directory: directory)
                let error = #expect(throws: DurabilityError.self) { _ = try IngestJournal(directory: directory) }
                #expect(error?.description.contains("another tfdriftctl process uses this journal") == true)
                #expect(error?.description.contains("server.journal_dir") == true)
                withExtendedLifetime(first) {}
            }
            // Released with the first one: a restarted detector takes it over. (A child process another test
            // forks at this moment shares the lock's file description until it execs: allow it a moment.)
            var taken: IngestJournal?
            for _ in 0..<50 where taken == nil {
                taken = try? IngestJournal(directory: directory)
                if taken == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(taken != nil)
        }
    }

    @Test("many concurrent requests share syncs and all become durable")
    func groupCommit() async throws {
        try await Self.withDirectory { directory in
            let journal = try IngestJournal(directory: directory, segmentBytes: 64 << 10)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<500 {
                    group.addTask {
                        let (_, ticket) = try journal.append(source: "http", body: Array(ServerFixtures.createVpc(n).utf8))
                        try await journal.waitDurable(ticket)
                    }
                }
                try await group.waitForAll()
            }
            let bytes = try Self.segments(directory).flatMap { name in
                [UInt8](try Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name))))
            }
            let again = IngestJournal.frames(in: bytes, from: 0, segment: 0)
            // Read back as one stream, the segments hold every request exactly once.
            #expect(Set(again.frames.map(\.body)) == Set(Self.bodies(0..<500)))
            #expect(again.frames.count == 500)
        }
    }

    @Test("the detector processes what an earlier process accepted before anything new, and the journal empties")
    func runtimeRecovers() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let statePath = directory.appendingPathComponent("terraform.tfstate").path
        try ServerFixtures.stateJSON().write(toFile: statePath, atomically: true, encoding: .utf8)
        var config = ServerFixtures.config(statePath: statePath)
        config.server.enabled = true
        config.server.journalDirectory = directory.appendingPathComponent("journal").path
        do {  // accepted through the queue, as the HTTP route does, and never processed
            let journal = try IngestJournal(directory: try #require(config.server.journalDirectory))
            let queue = IngestQueue(capacity: 100, journal: journal)
            for n in 0..<20 {
                let body = Array(ServerFixtures.createVpc(n).utf8)
                let batch = RecordBatch.decoding(JSONBytes(body), name: "test", source: "http")
                guard case .accepted(let ticket?) = queue.offer(batch, body: body) else {
                    Issue.record("not accepted")
                    return
                }
                try await journal.waitDurable(ticket)
            }
        }
        let sink = CollectingSink()
        var options = DetectorRuntime.Options()
        options.extraSinks = [sink]
        let runtime = try await DetectorRuntime.make(
            config: config, catalog: ServerFixtures.catalog, options: options, logger: ServerFixtures.logger)
        #expect(runtime.dependencies.queue.depth == 20)
        let metrics = String(decoding: runtime.dependencies.registry.emitToBuffer(), as: UTF8.self)
        #expect(metrics.contains("tfdrift_ingest_journal_recovered_total 20"), "\(metrics)")
        let detection = Task { await HTTPIngestSource(queue: runtime.dependencies.queue).run(into: runtime.engine) }
        let events = await sink.waitFor(20)
        #expect(Set(events.compactMap(\.eventID)) == Set((0..<20).map { "vpc-event-\($0)" }))
        runtime.dependencies.queue.close()
        await detection.value
        #expect(runtime.dependencies.queue.journal?.bytesOnDisk == 0, "every segment behind the mark is gone")
    }
}

@Suite("the live picture across restarts of run")
struct PictureRestartTests {
    @Test("run keeps the live picture beside the journal: the next start continues from it")
    func restoredAtStart() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let statePath = directory.appendingPathComponent("terraform.tfstate").path
        try ServerFixtures.stateJSON().write(toFile: statePath, atomically: true, encoding: .utf8)
        var config = ServerFixtures.config(statePath: statePath)
        config.server.journalDirectory = directory.appendingPathComponent("journal").path
        do {
            let runtime = try await DetectorRuntime.make(
                config: config, catalog: ServerFixtures.catalog, logger: ServerFixtures.logger)
            await runtime.engine.process(
                RecordBatch.decoding(
                    JSONBytes(string: (1...3).map(ServerFixtures.createVpc).joined(separator: "\n")), name: "body", source: "http"
                ))
            #expect(await runtime.engine.openDriftCount == 3)
            // What the picture service does every few seconds and at shutdown.
            let store = try #require(DetectorRuntime.pictureStore(config))
            #expect(store.path == directory.appendingPathComponent("journal/live-picture.jsonl").path)
            try store.save(await runtime.engine.picture)
        }
        let restarted = try await DetectorRuntime.make(
            config: config, catalog: ServerFixtures.catalog, logger: ServerFixtures.logger)
        #expect(await restarted.engine.openDriftCount == 3)
        let metrics = String(decoding: restarted.dependencies.registry.emitToBuffer(), as: UTF8.self)
        #expect(metrics.contains("tfdrift_open_drifts 3"), "\(metrics)")
        // A deletion after the restart resolves the VPC created before it.
        let delete = ServerFixtures.createVpc(1).replacingOccurrences(of: "\"CreateVpc\"", with: "\"DeleteVpc\"")
            .replacingOccurrences(of: "vpc-event-1", with: "vpc-delete-1")
            .replacingOccurrences(
                of: #""responseElements":{"vpc":{"vpcId":"vpc-1"}}"#, with: #""requestParameters":{"vpcId":"vpc-1"}"#)
        let report = await restarted.engine.process(RecordBatch.decoding(JSONBytes(string: delete), name: "body", source: "http"))
        #expect(report.events.map(\.resolvedBy) == [.deleted])
        #expect(await restarted.engine.openDriftCount == 2)
    }

    @Test("a picture larger than the save buffer is written a buffer at a time and reads back whole")
    func largePicture() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runtime = try await DetectorRuntime.make(
            config: ServerFixtures.config(statePath: nil), catalog: ServerFixtures.catalog, logger: ServerFixtures.logger)
        await runtime.engine.process(
            RecordBatch.decoding(
                JSONBytes(string: (1...4000).map(ServerFixtures.createVpc).joined(separator: "\n")), name: "body", source: "http")
        )
        let picture = await runtime.engine.picture
        #expect(picture.count == 4000)
        let store = PictureStore(path: directory.appendingPathComponent("live-picture.jsonl").path)
        try store.save(picture)
        let written = try Data(contentsOf: URL(fileURLWithPath: store.path))
        #expect(written.count > 2 << 20, "more than one 1 MiB buffer: \(written.count) bytes")
        // Every resource line as the picture renders it, in order, after the header (whose time differs).
        let lines = String(decoding: written, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 4001)
        #expect(Array(lines.dropFirst()) == Array(picture.lines().dropFirst()))
        let reread = try #require(store.load(capacity: 50_000, logger: ServerFixtures.logger))
        #expect(reread.count == 4000)
        #expect(reread.keysByTouch == picture.keysByTouch)
        #expect(reread.driftedCount == picture.driftedCount)
        // The last line about each resource comes back (a state reload resolves from it).
        for key in picture.keysByTouch {
            let before = try #require(picture[key]?.lastLine)
            let after = try #require(reread[key]?.lastLine, "\(key) lost its last line")
            #expect(after.eventID == before.eventID && after.actor == before.actor && after.driftType == before.driftType)
            #expect(reread[key]?.observed == picture[key]?.observed)
        }
        #expect(!FileManager.default.fileExists(atPath: store.path + ".tmp"))
    }

    @Test("a saved picture that does not read is moved aside, and the detector starts without it")
    func unreadable() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = ServerFixtures.config(statePath: nil)
        config.server.journalDirectory = directory.appendingPathComponent("journal").path
        let file = directory.appendingPathComponent("journal/live-picture.jsonl")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "not json\n".write(to: file, atomically: true, encoding: .utf8)
        let runtime = try await DetectorRuntime.make(
            config: config, catalog: ServerFixtures.catalog, logger: ServerFixtures.logger)
        #expect(await runtime.engine.picture.count == 0)
        #expect(FileManager.default.fileExists(atPath: file.path + ".unreadable"))
    }
}
