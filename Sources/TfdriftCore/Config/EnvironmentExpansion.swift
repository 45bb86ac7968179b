import Foundation

/// `${VAR}` and `${VAR:-default}` in configuration and data files (tfdrift.yaml, alert profiles): the
/// project's one expander, so both kinds of file follow the same rules.
///
/// - `${VAR}` is the variable's value; unset or empty, it expands to nothing and `VAR` is reported as
///   unset (the caller decides whether that is an error).
/// - `${VAR:-default}` is the value when it is set and not empty, `default` otherwise (as in the shell).
/// - Text without a closing `}` is left as written.
public enum EnvironmentExpansion {
    public struct Result: Sendable, Equatable {
        public var text: String
        /// Variables referenced without a default that are unset or empty, in order.
        public var unset: [String]

        public init(text: String, unset: [String]) {
            self.text = text
            self.unset = unset
        }
    }

    public static func expand(_ text: String, environment: [String: String]) -> Result {
        guard text.contains("${") else { return Result(text: text, unset: []) }
        var output = ""
        var unset: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                output += rest[open.lowerBound...]
                return Result(text: output, unset: unset)
            }
            let expression = rest[open.upperBound..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = expression.range(of: ":-") {
                name = expression[..<separator.lowerBound]
                fallback = expression[separator.upperBound...]
            } else {
                name = expression
                fallback = nil
            }
            if let value = environment[String(name)], !value.isEmpty {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                unset.append(String(name))
            }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return Result(text: output, unset: unset)
    }

    /// The sentence for a value that needed an unset variable: `grafana.token: ${GRAFANA_TOKEN} is not set
    /// in the environment`.
    public static func unsetMessage(keyPath: String, variable: String) -> String {
        "\(keyPath): ${\(variable)} is not set in the environment"
    }
}
