import ArgumentParser
import Foundation
import Logging
import TfdriftCore

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum LogLevelOption: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// Options every command takes (SPEC §2).
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long, help: "Configuration file (default: ./tfdrift.yaml, then ./config.yaml).",
        completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    @Option(name: .long, help: "Log level for messages on stderr.")
    var logLevel: LogLevelOption?

    @Option(
        name: .long,
        help:
            "Result format: text (readable; JSON lines when piped) or json. With json, an error is one JSON object on stderr: {\"error\": {\"message\", \"exit_code\"}}."
    )
    var output: OutputFormat = .text

    @Flag(name: .long, help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    /// Loads the configuration; a missing default file is an empty configuration, a missing
    /// explicit `--config` is an error.
    func loadConfig() throws -> TfdriftConfig {
        let path: String
        if let config {
            path = config
        } else if let found = ConfigLoader.defaultPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            path = found
        } else {
            return ConfigLoader.defaults()
        }
        let loaded = try ConfigLoader.load(path: path)
        for warning in loaded.warnings { Console.warn(warning) }
        return loaded
    }

    func bootstrapLogging(config: TfdriftConfig? = nil) {
        let level =
            logLevel.map { Logger.Level(rawValue: $0.rawValue) ?? .info }
            ?? config.flatMap { Logger.Level(rawValue: $0.logging.level) } ?? .info
        LoggingBootstrap.once(level: level, json: config?.logging.format == "json")
    }
}

/// swift-log is bootstrapped once per process, here in the executable (libraries take a Logger).
enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    static func once(level: Logger.Level, json: Bool = false) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            // logging.format: json — one object per line, for shipping the detector's own log to Loki.
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
