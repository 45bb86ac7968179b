import Foundation
import Testing

/// A replay that read nothing, or could not read what it was given, must not look clean: a drift gate in
/// CI would go green having checked nothing (SPEC §2, issue 13 item 1). And the detector's own log as
/// JSON lines when `logging.format: json` (item 7).
@Suite("replay verdicts and the detector's own log")
struct ReplayVerdictTests {
    static let config = CLITests.repository.appendingPathComponent("examples/quickstart/tfdrift.yaml").path
    static let quickstart = CLITests.repository.appendingPathComponent("examples/quickstart/cloudtrail")

    @Test("only corrupt .json.gz files: exit 1 naming them; with --allow-partial the replay still read nothing: exit 1")
    func corruptOnly() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["a.json.gz", "b.json.gz"] {
            try Data([0x1F, 0x8B, 0x08, 0x00, 0xDE, 0xAD]).write(to: directory.appendingPathComponent(name))
        }
        let result = try await CLITests.run(["replay", "--config", Self.config, "--no-progress", directory.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("2 of 2 inputs could not be read"), "\(result.stderr)")
        #expect(result.stderr.contains("a.json.gz: unreadable: gzip data is"), "\(result.stderr)")
        let partial = try await CLITests.run(
            ["replay", "--config", Self.config, "--no-progress", "--allow-partial", directory.path])
        #expect(partial.status == 1)
        #expect(partial.stderr.contains("read no CloudTrail record from 2 inputs"), "\(partial.stderr)")
    }

    @Test("an empty directory: exit 1, saying nothing was checked")
    func empty() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await CLITests.run(["replay", "--config", Self.config, "--no-progress", directory.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("found no CloudTrail log files in its inputs: nothing was checked"), "\(result.stderr)")
    }

    @Test("6 of 8 inputs unreadable: exit 1; --allow-partial reports the drift of the 2 it read (exit 2)")
    func mostlyUnreadable() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixtures = CLITests.repository.appendingPathComponent("Tests/Fixtures/cloudtrail")
        for name in ["stratus-red-team-detonation-logs.json.gz", "otrf-sdaws-200914011940-ec2-proxy-s3-exfiltration.json.gz"] {
            try FileManager.default.copyItem(
                at: fixtures.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        for n in 0..<6 {
            // Unreadable: gzip magic, then garbage.
            try Data([0x1F, 0x8B, 0x08, 0x00, UInt8(n)]).write(to: directory.appendingPathComponent("bad\(n).json.gz"))
        }
        let result = try await CLITests.run(["replay", "--config", Self.config, "--no-progress", directory.path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("6 of 8 inputs could not be read"), "\(result.stderr)")
        let partial = try await CLITests.run(
            ["replay", "--config", Self.config, "--no-progress", "--allow-partial", "--output", "json", directory.path])
        #expect([0, 2].contains(partial.status), "\(partial.stderr)")
        let last = try #require(partial.stderrLines.last)
        let summary = try #require(try CLITests.json(last)["summary"] as? [String: Any])
        #expect(summary["unreadable"] as? Int == 6)
        #expect((summary["records"] as? Int ?? 0) > 0)
    }

    @Test("logging.format: json writes the detector's own log as one JSON object per line")
    func jsonLogs() async throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("tfdrift.yaml")
        try """
        providers:
          aws:
            state:
              local_path: \(CLITests.repository.path)/examples/quickstart/terraform.tfstate
            cloudtrail:
              log_paths: [\(Self.quickstart.path)]
        logging:
          format: json
        outputs:
          stdout: false
          loki:
            url: http://127.0.0.1:9
            spool_dir: \(directory.path)/spool
        """.write(to: config, atomically: true, encoding: .utf8)
        let result = try await CLITests.run(["run", "--config", config.path, "--output", "json"])
        #expect(result.status == 1, "Loki delivered nothing: \(result.stderr)")
        let logLines = result.stderrLines.filter { !$0.hasPrefix("{\"summary\"") && !$0.hasPrefix("{\"error\"") }
        #expect(!logLines.isEmpty)
        for line in logLines {
            let object = try CLITests.json(line)
            #expect(object["level"] is String && object["message"] is String && object["timestamp"] is String, "\(line)")
        }
        #expect(logLines.contains { $0.contains("\"level\":\"warning\"") && $0.contains("Loki") }, "\(logLines)")
    }
}
