import Foundation
import TfdriftCore

/// How a failed command reports its error. In text, the argument parser's `Error: …` line. With
/// `--output json`, one JSON object as the only line on stderr, so scripts need no text matching:
///
///     {"error": {"message": "…", "exit_code": 1, "problems": [{"file", "key", "line", "message"}]}}
///
/// `problems` lists configuration and profile problems one by one (each with its file, key path and line).
enum ErrorOutput {
    /// Whether the command line asks for JSON results (`--output json` or `--output=json`).
    static func wantsJSON(_ arguments: [String]) -> Bool {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { return false }
            if argument == "--output=json" { return true }
            if argument == "--output", index + 1 < arguments.count, arguments[index + 1] == "json" { return true }
        }
        return false
    }

    static func json(message: String, exitCode: Int32, error: any Error) -> String {
        var fields: [String: JSONValue] = ["message": .string(message), "exit_code": JSONValue(Int(exitCode))]
        let problems: [ConfigError] =
            switch error {
            case let single as ConfigError: [single]
            case let several as ConfigErrors: several.errors
            default: []
            }
        if !problems.isEmpty {
            fields["problems"] = .array(
                problems.map { problem in
                    [
                        "file": .string(problem.file), "key": .string(problem.keyPath),
                        "line": problem.line.map { JSONValue($0) } ?? .null, "message": .string(problem.message),
                    ]
                })
        }
        return JSONWriter.encode(["error": .object(fields)])
    }
}
