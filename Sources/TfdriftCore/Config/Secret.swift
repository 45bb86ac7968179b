/// A credential from the config (token, password, webhook URL). Its description never shows the value,
/// so a secret cannot leak through string interpolation into logs, plans or errors.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var isEmpty: Bool { value.isEmpty }
    public var description: String { value.isEmpty ? "<empty>" : "<redacted>" }
    public var debugDescription: String { description }
}
