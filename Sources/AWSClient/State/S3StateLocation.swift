import Foundation
import TfdriftCore

/// Where Terraform's S3 backend keeps a workspace's state, and reading it with cheap change checks.
public struct S3StateLocation: Sendable, Equatable, CustomStringConvertible {
    public var bucket: String
    public var key: String

    /// The default workspace's state is at `key`; another workspace's at
    /// `<workspace_key_prefix>/<workspace>/<key>`, the prefix defaulting to `env:` (Terraform's S3 backend).
    public static func objectKey(bucket: String, key: String, workspace: String?, prefix: String?) -> String {
        guard let workspace, !workspace.isEmpty, workspace != "default" else { return key }
        var prefix = prefix ?? "env:"
        while prefix.hasSuffix("/") { prefix.removeLast() }
        return prefix.isEmpty ? "\(workspace)/\(key)" : "\(prefix)/\(workspace)/\(key)"
    }

    public init(bucket: String, key: String, workspace: String? = nil, workspaceKeyPrefix: String? = nil) {
        self.bucket = bucket
        self.key = Self.objectKey(bucket: bucket, key: key, workspace: workspace, prefix: workspaceKeyPrefix)
    }

    /// From a configured S3 state (`backend: s3`); nil for local states.
    public init?(_ state: StateSourceConfig) {
        guard state.backend == .s3, let bucket = state.bucket, let key = state.key else { return nil }
        self.init(bucket: bucket, key: key, workspace: state.workspace, workspaceKeyPrefix: state.workspaceKeyPrefix)
    }

    public var description: String { "s3://\(bucket)/\(key)" }
}

/// Reads one S3 state: HEAD for the ETag on every interval, GET only when it changed.
public struct S3StateReader: Sendable {
    public let s3: S3Client
    public let location: S3StateLocation

    public init(s3: S3Client, location: S3StateLocation) {
        self.s3 = s3
        self.location = location
    }

    /// The state's bytes and ETag, or nil when the ETag still equals `knownETag`.
    public func fetchIfChanged(knownETag: String?) async throws -> (bytes: [UInt8], etag: String?)? {
        if let knownETag {
            let info = try await s3.headObject(bucket: location.bucket, key: location.key)
            if info.etag == knownETag { return nil }
        }
        guard let object = try await s3.getObject(bucket: location.bucket, key: location.key, ifNoneMatch: knownETag) else {
            return nil
        }
        return (object.body, object.info.etag)
    }
}
