/// A problem in `tfdrift.yaml`, located by key path and line so the user can go straight to it.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let keyPath: String
    public let line: Int?
    public let message: String

    public init(file: String, keyPath: String, line: Int?, message: String) {
        self.file = file
        self.keyPath = keyPath
        self.line = line
        self.message = message
    }

    public var description: String {
        let at = line.map { " at line \($0)" } ?? ""
        let key = keyPath.isEmpty ? "" : "\(keyPath): "
        return "\(file): \(key)\(message)\(at)"
    }
}

/// Several config problems, reported together so one run shows every mistake.
public struct ConfigErrors: Error, CustomStringConvertible, Sendable {
    public let errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String {
        if errors.count == 1 { return errors[0].description }
        return "\(errors.count) problems in the configuration:\n"
            + errors.map { "  - \($0.description)" }.joined(separator: "\n")
    }
}
