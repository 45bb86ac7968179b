import Foundation
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Loads local state files (paths or globs) configured under `providers.aws.state(s)`.
/// S3-backed states are fetched by the AWS client layer and handed to `StateParser` as bytes.
public enum StateLoader {
    public struct Loaded: Sendable {
        public var state: TerraformState
        public var seconds: Double
        public init(state: TerraformState, seconds: Double) {
            self.state = state
            self.seconds = seconds
        }
    }

    /// Expands a glob (`states/*.tfstate`); a plain path is returned as-is.
    public static func expand(_ pattern: String) -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in result.gl_pathv[index].map { String(cString: $0) } }.sorted()
    }

    public static func loadLocal(_ source: StateSourceConfig) throws -> [Loaded] {
        guard let pattern = source.localPath else {
            throw StateLoadError(origin: source.name, message: "no local_path configured")
        }
        let paths = expand(pattern)
        guard !paths.isEmpty else {
            throw StateLoadError(origin: pattern, message: "no file matches this glob (state \"\(source.name)\")")
        }
        return try paths.map { path in
            let name = paths.count == 1 ? source.name : "\(source.name):\((path as NSString).lastPathComponent)"
            let started = ContinuousClock.now
            let bytes: JSONBytes
            do {
                bytes = try InputFiles.read(path)
            } catch let error as InputFiles.ReadError {
                throw StateLoadError(origin: path, message: "cannot read it (\(error.reason))")
            }
            var state = try StateParser.parse(bytes, name: name, origin: path)
            state.accountID = source.accountID
            let elapsed = ContinuousClock.now - started
            return Loaded(
                state: state, seconds: elapsed.seconds)
        }
    }
}
