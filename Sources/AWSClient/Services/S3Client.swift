import Foundation
import TfdriftCore

/// An object's metadata as HEAD and LIST report it.
public struct S3ObjectInfo: Sendable, Equatable {
    public var key: String
    /// As S3 sends it, quotes included (`"d41d8cd9…"`); compare it, send it back in If-None-Match.
    public var etag: String?
    public var size: Int?
    public var lastModified: Date?

    public init(key: String, etag: String?, size: Int?, lastModified: Date?) {
        self.key = key
        self.etag = etag
        self.size = size
        self.lastModified = lastModified
    }
}

public struct S3Object: Sendable {
    public var info: S3ObjectInfo
    public var body: [UInt8]
}

public struct S3ListPage: Sendable {
    public var objects: [S3ObjectInfo]
    public var nextContinuationToken: String?
    /// With a delimiter: the "folders" under the prefix (`AWSLogs/123456789012/`).
    public var commonPrefixes: [String] = []

    public init(objects: [S3ObjectInfo], nextContinuationToken: String?, commonPrefixes: [String] = []) {
        self.objects = objects
        self.nextContinuationToken = nextContinuationToken
        self.commonPrefixes = commonPrefixes
    }
}

/// S3 REST (XML) for what tfdriftctl needs: state files and CloudTrail log objects. Virtual-hosted
/// addressing on AWS; path-style when an endpoint override is set (moto, MinIO, VPC endpoints with a
/// path) or the bucket name is not DNS-safe.
public struct S3Client: Sendable {
    public let client: AWSServiceClient
    /// `.s3` signs the payload hash; over HTTPS `.s3UnsignedPayload` saves hashing large uploads.
    public var signing: SigV4Signer.Options = .s3

    public init(client: AWSServiceClient) {
        self.client = client
    }

    public var pathStyle: Bool { client.endpoint.overridden }

    /// The URL of `bucket`/`key` (key URI-encoded with `/` kept) plus an optional encoded query.
    public func url(bucket: String, key: String?, query: String? = nil) -> URL {
        let base = client.endpoint.url
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        let encodedKey = key.map { AWSURIEncoding.encode($0, keepSlash: true) } ?? ""
        var basePath = components.percentEncodedPath
        if basePath.hasSuffix("/") { basePath.removeLast() }
        if pathStyle || !Self.isVirtualHostable(bucket) {
            components.percentEncodedPath = basePath + "/" + AWSURIEncoding.encode(bucket) + (key == nil ? "" : "/" + encodedKey)
        } else {
            components.host = "\(bucket).\(components.host ?? "")"
            components.percentEncodedPath = basePath + "/" + encodedKey
        }
        components.percentEncodedQuery = query
        return components.url!
    }

    /// DNS-compatible bucket names (no dots: TLS wildcard certificates do not cover them).
    static func isVirtualHostable(_ bucket: String) -> Bool {
        guard (3...63).contains(bucket.count), !bucket.contains(".") else { return false }
        return bucket.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "-") }
    }

    // MARK: objects

    /// GET; with `ifNoneMatch` an unchanged object returns nil (304) without a body.
    public func getObject(bucket: String, key: String, ifNoneMatch: String? = nil) async throws -> S3Object? {
        var headers: [(name: String, value: String)] = []
        if let ifNoneMatch { headers.append(("If-None-Match", ifNoneMatch)) }
        let request = HTTPRequest(method: "GET", url: url(bucket: bucket, key: key), headers: headers, timeout: .seconds(300))
        let response = try await send(request, operation: "GetObject", bucket: bucket, key: key)
        if response.status == 304 { return nil }
        return S3Object(info: info(key: key, response), body: response.body)
    }

    /// HEAD: the ETag for cheap change detection. A missing object is an `AWSServiceError` with code `NoSuchKey`.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectInfo {
        let request = HTTPRequest(method: "HEAD", url: url(bucket: bucket, key: key), timeout: client.timeout)
        let response = try await send(request, operation: "HeadObject", bucket: bucket, key: key)
        return info(key: key, response)
    }

    @discardableResult
    public func putObject(bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream")
        async throws -> String?
    {
        let request = HTTPRequest(
            method: "PUT", url: url(bucket: bucket, key: key), headers: [("Content-Type", contentType)], body: body,
            timeout: .seconds(300))
        return try await send(request, operation: "PutObject", bucket: bucket, key: key).header("ETag")
    }

    public func deleteObject(bucket: String, key: String) async throws {
        let request = HTTPRequest(method: "DELETE", url: url(bucket: bucket, key: key), timeout: client.timeout)
        _ = try await send(request, operation: "DeleteObject", bucket: bucket, key: key)
    }

    /// One page of ListObjectsV2 (up to `maxKeys`, S3's maximum 1000).
    public func listObjectsV2(
        bucket: String, prefix: String? = nil, delimiter: String? = nil, continuationToken: String? = nil,
        startAfter: String? = nil, maxKeys: Int? = nil
    ) async throws -> S3ListPage {
        var query = [("list-type", "2")]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        if let prefix, !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        let encoded = query.map { AWSURIEncoding.encode($0.0) + "=" + AWSURIEncoding.encode($0.1) }.joined(separator: "&")
        let request = HTTPRequest(method: "GET", url: url(bucket: bucket, key: nil, query: encoded), timeout: client.timeout)
        let response = try await send(request, operation: "ListObjectsV2", bucket: bucket, key: prefix)
        return Self.parseListPage(response.text)
    }

    /// Every object under `prefix`, following continuation tokens.
    public func listAllObjects(bucket: String, prefix: String? = nil, pageSize: Int? = nil) async throws -> [S3ObjectInfo] {
        try await listAll(bucket: bucket, prefix: prefix, delimiter: nil, pageSize: pageSize).objects
    }

    /// Every object and "folder" directly under `prefix` (with `delimiter` "/"), or every object under it.
    public func listAll(bucket: String, prefix: String?, delimiter: String?, pageSize: Int? = nil) async throws -> S3ListPage {
        var result = S3ListPage(objects: [], nextContinuationToken: nil)
        var token: String?
        repeat {
            let page = try await listObjectsV2(
                bucket: bucket, prefix: prefix, delimiter: delimiter, continuationToken: token, maxKeys: pageSize)
            result.objects += page.objects
            result.commonPrefixes += page.commonPrefixes
            token = page.nextContinuationToken
        } while token != nil
        return result
    }

    static func parseListPage(_ xml: String) -> S3ListPage {
        var objects: [S3ObjectInfo] = []
        for block in XMLText.elements("Contents", in: xml) {
            guard let key = XMLText.first("Key", in: block) else { continue }
            objects.append(
                S3ObjectInfo(
                    key: key, etag: XMLText.first("ETag", in: block), size: XMLText.first("Size", in: block).flatMap { Int($0) },
                    lastModified: XMLText.first("LastModified", in: block).flatMap(parseISO8601)))
        }
        let truncated = XMLText.first("IsTruncated", in: xml) == "true"
        let token = truncated ? XMLText.first("NextContinuationToken", in: xml) : nil
        let folders = XMLText.elements("CommonPrefixes", in: xml).compactMap { XMLText.first("Prefix", in: $0) }
        return S3ListPage(
            objects: objects, nextContinuationToken: token.flatMap { $0.isEmpty ? nil : $0 }, commonPrefixes: folders)
    }

    // MARK: buckets (tests and setup)

    public func createBucket(_ bucket: String) async throws {
        var body: [UInt8]?
        if client.region != "us-east-1" {
            body = Array(
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(client.region)</LocationConstraint></CreateBucketConfiguration>"
                    .utf8)
        }
        let request = HTTPRequest(method: "PUT", url: url(bucket: bucket, key: nil), body: body, timeout: client.timeout)
        _ = try await send(request, operation: "CreateBucket", bucket: bucket, key: nil)
    }

    /// `PUT ?notification` with a `NotificationConfiguration` document.
    public func putBucketNotificationConfiguration(bucket: String, xml: String) async throws {
        let request = HTTPRequest(
            method: "PUT", url: url(bucket: bucket, key: nil, query: "notification="),
            headers: [("Content-Type", "application/xml")],
            body: Array(xml.utf8), timeout: client.timeout)
        _ = try await send(request, operation: "PutBucketNotificationConfiguration", bucket: bucket, key: nil)
    }

    // MARK: plumbing

    func send(_ request: HTTPRequest, operation: String, bucket: String, key: String?) async throws -> HTTPResponse {
        let target = "s3://\(bucket)/\(key ?? "")"
        do {
            return try await client.send(request, operation: operation, target: target, signing: signing, errorFormat: .xml)
        } catch var error as AWSServiceError where error.status == 404 && error.code == "NotFound" {
            // HEAD has no body to carry the code.
            error.code = key == nil ? "NoSuchBucket" : "NoSuchKey"
            throw error
        } catch var error as AWSServiceError where request.method == "HEAD" && error.status == 403 && error.message.isEmpty {
            error.message = "HEAD responses carry no error body; a 403 here is AccessDenied or a signature problem"
            throw error
        }
    }

    func info(key: String, _ response: HTTPResponse) -> S3ObjectInfo {
        S3ObjectInfo(
            key: key, etag: response.header("ETag"), size: response.header("Content-Length").flatMap { Int($0) },
            lastModified: response.header("Last-Modified").flatMap(parseHTTPDate))
    }
}

/// `Tue, 15 Nov 1994 08:12:31 GMT` (RFC 7231 IMF-fixdate).
func parseHTTPDate(_ text: String) -> Date? {
    let parts = text.split(separator: " ")
    guard parts.count == 6 else { return nil }
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard let monthIndex = months.firstIndex(of: String(parts[2])), let day = Int(parts[1]), let year = Int(parts[3]) else {
        return nil
    }
    func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return parseISO8601("\(pad(year, 4))-\(pad(monthIndex + 1, 2))-\(pad(day, 2))T\(parts[4])Z")
}
