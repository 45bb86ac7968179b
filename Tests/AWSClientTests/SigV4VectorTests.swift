import Foundation
import Testing

@testable import AWSClient

/// The official SigV4 suite in `Tests/Fixtures/aws-sigv4` (see its SOURCE.md). Every case of both layouts is
/// applied; none is skipped:
/// - aws-c-auth `v4/*` (38 cases): header signing and query signing, each checked at every step
///   (canonical request, string to sign, signature, and the signed request's Authorization header or
///   query parameters). `normalize: false` cases run with path normalisation off (S3's rule);
///   `sign_body` adds `x-amz-content-sha256`; `omit_session_token` adds the token after signing.
/// - botocore (34 cases incl. `normalize-path/*` and `post-sts-token/*`): canonical request, string to
///   sign and Authorization header. botocore itself skips `normalize-path/get-space` and the three
///   duplicate-query-key cases because Python's request-line parser cannot read them; our parser can,
///   so they run here too.
/// Not applicable, so not copied: the `v4a` (ECDSA multi-region) cases — we sign with v4 only.
@Suite("SigV4 official test vectors")
struct SigV4VectorTests {
    static let root = fixturesDirectory.appendingPathComponent("aws-sigv4")
    static let awsCAuth = root.appendingPathComponent("aws-c-auth/v4")
    static let botocore = root.appendingPathComponent("botocore")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    static var awsCAuthCases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: awsCAuth.path)) ?? []).sorted()
    }

    static var botocoreCases: [String] {
        guard let walker = FileManager.default.enumerator(atPath: botocore.path) else { return [] }
        var cases: [String] = []
        while let path = walker.nextObject() as? String {
            if path.hasSuffix(".req") { cases.append((path as NSString).deletingLastPathComponent) }
        }
        return cases.sorted()
    }

    struct Context: Decodable {
        struct Credentials: Decodable {
            var accessKeyID: String
            var secretAccessKey: String
            var token: String?
            enum CodingKeys: String, CodingKey {
                case accessKeyID = "access_key_id"
                case secretAccessKey = "secret_access_key"
                case token
            }
        }
        var credentials: Credentials
        var expirationInSeconds: Int
        var normalize: Bool
        var region: String
        var service: String
        var signBody: Bool
        var timestamp: String
        var omitSessionToken: Bool?
        enum CodingKeys: String, CodingKey {
            case credentials, normalize, region, service, timestamp
            case expirationInSeconds = "expiration_in_seconds"
            case signBody = "sign_body"
            case omitSessionToken = "omit_session_token"
        }
    }

    @Test("the suites are where the tests expect them, complete")
    func suitesPresent() {
        #expect(Self.awsCAuthCases.count == 38, "\(Self.awsCAuth.path)")
        #expect(Self.botocoreCases.count == 34, "\(Self.botocore.path)")
    }

    @Test("aws-c-auth: header signing", arguments: awsCAuthCases)
    func awsCAuthHeader(name: String) throws {
        let (directory, context, request, signer, credentials) = try load(name)
        let options = SigV4Signer.Options(
            normalizePath: context.normalize, addContentSHA256Header: context.signBody,
            signSessionToken: !(context.omitSessionToken ?? false))
        let signed = signer.sign(request, credentials: credentials, date: Self.date, options: options)
        #expect(signed.canonicalRequest == (try read(directory, "header-canonical-request.txt")))
        #expect(signed.stringToSign == (try read(directory, "header-string-to-sign.txt")))
        #expect(signed.signature == (try read(directory, "header-signature.txt")))
        let expected = try parseRequest(try read(directory, "header-signed-request.txt"))
        for name in ["Authorization", "X-Amz-Date", "X-Amz-Security-Token", "x-amz-content-sha256"] {
            let mine = signed.headers.first { $0.name.lowercased() == name.lowercased() }?.value
            let theirs = expected.headers.first { $0.name.lowercased() == name.lowercased() }?.value
            #expect(mine == theirs, "\(name)")
        }
    }

    @Test("aws-c-auth: query signing (presigned URL)", arguments: awsCAuthCases)
    func awsCAuthQuery(name: String) throws {
        let (directory, context, request, signer, credentials) = try load(name)
        let options = SigV4Signer.Options(
            normalizePath: context.normalize, signSessionToken: !(context.omitSessionToken ?? false))
        let signed = signer.presign(
            request, credentials: credentials, date: Self.date, expires: context.expirationInSeconds, options: options)
        #expect(signed.canonicalRequest == (try read(directory, "query-canonical-request.txt")))
        #expect(signed.stringToSign == (try read(directory, "query-string-to-sign.txt")))
        #expect(signed.signature == (try read(directory, "query-signature.txt")))
        let expected = try parseRequest(try read(directory, "query-signed-request.txt"))
        let mine = Set((signed.query ?? "").split(separator: "&").map(String.init))
        let theirs = Set((expected.query ?? "").split(separator: "&").map(String.init))
        #expect(mine == theirs)
    }

    @Test("botocore layout: canonical request, string to sign, Authorization", arguments: botocoreCases)
    func botocoreCase(path: String) throws {
        let directory = Self.botocore.appendingPathComponent(path)
        let name = (path as NSString).lastPathComponent
        let request = try parseRequest(try read(directory, "\(name).req"))
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: name == "get-vanilla-with-session-token"
                ? "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267" : nil)
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        let signed = signer.sign(request, credentials: credentials, date: Self.date)
        #expect(signed.canonicalRequest == (try read(directory, "\(name).creq")))
        #expect(signed.stringToSign == (try read(directory, "\(name).sts")))
        #expect(signed.headers.first { $0.name == "Authorization" }?.value == (try read(directory, "\(name).authz")))
    }

    // MARK: helpers

    func load(_ name: String) throws -> (URL, Context, SigV4Signer.Request, SigV4Signer, AWSCredentials) {
        let directory = Self.awsCAuth.appendingPathComponent(name)
        let context = try JSONDecoder().decode(
            Context.self, from: Data(contentsOf: directory.appendingPathComponent("context.json")))
        #expect(context.timestamp == "2015-08-30T12:36:00Z")
        let request = try parseRequest(try read(directory, "request.txt"))
        let credentials = AWSCredentials(
            accessKeyID: context.credentials.accessKeyID, secretAccessKey: context.credentials.secretAccessKey,
            sessionToken: context.credentials.token)
        return (directory, context, request, SigV4Signer(service: context.service, region: context.region), credentials)
    }

    func read(_ directory: URL, _ file: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
    }
}

/// Reads the suite's raw HTTP requests: `METHOD target HTTP/1.1`, `Name:value` lines (a line starting with
/// whitespace continues the previous value), a blank line, the body. The target is kept exactly as written.
func parseRequest(_ text: String) throws -> SigV4Signer.Request {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let requestLine = lines.removeFirst()
    guard let firstSpace = requestLine.firstIndex(of: " "),
        let protocolStart = requestLine.range(of: " HTTP/", options: .backwards)
    else { throw VectorError.malformed(requestLine) }
    let method = String(requestLine[..<firstSpace])
    let target = String(requestLine[requestLine.index(after: firstSpace)..<protocolStart.lowerBound])
    var path = target
    var query: String?
    if let mark = target.firstIndex(of: "?") {
        path = String(target[..<mark])
        query = String(target[target.index(after: mark)...])
    }
    var headers: [(name: String, value: String)] = []
    var bodyLines: [String] = []
    var inBody = false
    for line in lines {
        if inBody {
            bodyLines.append(line)
        } else if line.isEmpty {
            inBody = true
        } else if line.first == " " || line.first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += "\n" + line
        } else if let colon = line.firstIndex(of: ":") {
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
    }
    return SigV4Signer.Request(
        method: method, path: path, query: query, headers: headers, body: Array(bodyLines.joined(separator: "\n").utf8))
}

enum VectorError: Error { case malformed(String) }
