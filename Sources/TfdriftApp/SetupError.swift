/// A command cannot run with this configuration: what is missing, and what to set.
public struct SetupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
