import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import TfdriftCore

/// `HTTPTransport` over AsyncHTTPClient: a connect timeout and a deadline on every request, bodies
/// always consumed, a private CA and client certificate per client, and NIO/TLS errors turned into
/// sentences ("cannot reach https://grafana… (certificate not trusted; set grafana.ca_file)").
public final class AHCTransport: HTTPTransport {
    let client: HTTPClient
    let caHint: String
    /// Responses larger than this are an error (a misconfigured URL can point at anything).
    let maxResponseBytes: Int

    public init(tls: TLSClientSettings = TLSClientSettings(), caHint: String = "ca_file", maxResponseBytes: Int = 64 << 20) throws
    {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if let caFile = tls.caFile {
            do {
                tlsConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw HTTPTransportError(kind: .tls, url: caFile, reason: "cannot read the CA bundle: \(error)")
            }
        }
        if let certificateFile = tls.certificateFile, let keyFile = tls.keyFile {
            do {
                tlsConfiguration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
                tlsConfiguration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw HTTPTransportError(
                    kind: .tls, url: certificateFile, reason: "cannot read the client certificate or key: \(error)")
            }
        }
        if tls.insecureSkipVerify { tlsConfiguration.certificateVerification = .none }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tlsConfiguration)
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5), read: .seconds(60))
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.caHint = caHint
        self.maxResponseBytes = maxResponseBytes
    }

    deinit {
        // The client must be shut down before release; doing it here keeps owners simple.
        try? client.syncShutdown()
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
            if request.header("Content-Length") == nil {
                outgoing.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            }
        }
        let shownURL = Redaction.url(request.url.absoluteString)
        do {
            let timeout = TimeAmount.nanoseconds(
                request.timeout.nanoseconds
            )
            let response = try await client.execute(outgoing, timeout: timeout)
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return HTTPResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer: body))
        } catch let error as HTTPClientError {
            throw Self.translate(error, url: shownURL, caHint: caHint)
        } catch let error as NIOSSLError {
            throw HTTPTransportError(
                kind: .tls, url: shownURL, reason: "TLS failed: \(error); if the server uses a private CA, set \(caHint)")
        } catch let error as BoringSSLError {
            throw HTTPTransportError(kind: .tls, url: shownURL, reason: "certificate not trusted (\(error)); set \(caHint)")
        } catch let error as HTTPTransportError {
            throw error
        } catch {
            let text = "\(error)"
            if text.contains("certificate") || text.contains("handshake") {
                throw HTTPTransportError(
                    kind: .tls, url: shownURL, reason: "TLS failed (\(text)); set \(caHint) for a private CA")
            }
            if let reason = Self.connectFailure(text) {
                throw HTTPTransportError(kind: .connect, url: shownURL, reason: reason)
            }
            throw HTTPTransportError(kind: .other, url: shownURL, reason: text)
        }
    }

    /// Names a failure to connect plainly. NIO describes a refused connection as "connection reset (error
    /// set): Connection refused (errno: 111)", which reads as if a connection had existed.
    static func connectFailure(_ text: String) -> String? {
        let known = [
            ("Connection refused", "connection refused: nothing is listening at that host and port"),
            ("No route to host", "no route to host"),
            ("Network is unreachable", "network is unreachable"),
        ]
        if let match = known.first(where: { text.contains($0.0) }) { return match.1 }
        if text.contains("connectionRefused") || text.contains("connect") { return "could not connect: \(text)" }
        return nil
    }

    static func translate(_ error: HTTPClientError, url: String, caHint: String) -> HTTPTransportError {
        switch error {
        case .connectTimeout: return HTTPTransportError(kind: .timeout, url: url, reason: "connect timed out after 5 s")
        case .deadlineExceeded, .readTimeout:
            return HTTPTransportError(kind: .timeout, url: url, reason: "no response before the deadline")
        case .remoteConnectionClosed:
            return HTTPTransportError(kind: .other, url: url, reason: "the server closed the connection")
        default: return HTTPTransportError(kind: .other, url: url, reason: "\(error)")
        }
    }
}
