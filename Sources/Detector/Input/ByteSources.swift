import CZlib
import Foundation
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Where an input's bytes come from, a window at a time: a file, an object already in memory, or either
/// of them inflated on the fly when it is gzip. Nothing here holds a whole input.
protocol ByteSource {
    /// Fills up to `count` bytes at `buffer`; 0 at the end of the input.
    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int
    /// Bytes taken from the underlying input so far (compressed bytes for gzip): for progress.
    var consumed: Int { get }
}

/// Why an input could not be read, naming it.
public struct InputReadError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

/// A file read with `read(2)`.
final class FileByteSource: ByteSource {
    let path: String
    let descriptor: Int32
    private(set) var consumed = 0

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw InputReadError(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(descriptor) }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        while true {
            let got = Glibc.read(descriptor, buffer, count)
            if got >= 0 {
                consumed += got
                return got
            }
            if errno == EINTR { continue }
            throw InputReadError(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

/// Bytes already in memory (an S3 object, an HTTP body).
struct MemoryByteSource: ByteSource {
    let bytes: [UInt8]
    private(set) var consumed = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        let length = min(count, bytes.count - consumed)
        guard length > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in buffer.update(from: source.baseAddress! + consumed, count: length) }
        consumed += length
        return length
    }
}

/// gzip inflated as a stream: concatenated members (valid gzip, and AWS tools write them) and trailing
/// zero padding included; the inflated size is capped, so a decompression bomb is an error naming
/// the input, not an exhausted machine.
struct GzipByteSource<Compressed: ByteSource>: ByteSource {
    var compressed: Compressed
    let path: String
    let maxInflated: Int
    private var started = false
    private var finished = false
    private let inputCapacity = 256 << 10
    private var produced = 0
    /// Holds the stream's buffers; released when the last copy goes.
    private let storage: Storage

    final class Storage {
        var stream: UnsafeMutablePointer<z_stream>?
        let input: UnsafeMutablePointer<UInt8>
        init(capacity: Int) { input = .allocate(capacity: capacity) }
        deinit {
            if let stream {
                inflateEnd(stream)
                stream.deallocate()
            }
            input.deallocate()
        }
    }

    var consumed: Int { compressed.consumed }

    init(_ compressed: Compressed, path: String, maxInflated: Int) {
        self.compressed = compressed
        self.path = path
        self.maxInflated = maxInflated
        storage = Storage(capacity: inputCapacity)
    }

    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        if finished { return 0 }
        let zstream = try streamPointer()
        zstream.pointee.next_out = buffer
        zstream.pointee.avail_out = uInt(count)
        while zstream.pointee.avail_out > 0 {
            if zstream.pointee.avail_in == 0 {
                let got = try compressed.read(into: storage.input, count: inputCapacity)
                if got == 0 {
                    // The input ended: fine between members, truncated inside one.
                    if started { throw InputReadError(path: path, reason: "gzip data is truncated") }
                    finished = true
                    break
                }
                zstream.pointee.next_in = storage.input
                zstream.pointee.avail_in = uInt(got)
            }
            if !started {
                // Zero padding after the last member ends the input.
                if zstream.pointee.next_in.pointee == 0 {
                    finished = true
                    break
                }
                guard inflateReset2(zstream, 15 + 16) == Z_OK else {
                    throw InputReadError(path: path, reason: "zlib could not start")
                }
                started = true
            }
            let status = inflate(zstream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: started = false
            default:
                let message = zstream.pointee.msg.map { String(cString: $0) } ?? "code \(status)"
                throw InputReadError(path: path, reason: "gzip data is corrupt (\(message))")
            }
        }
        let got = count - Int(zstream.pointee.avail_out)
        produced += got
        if produced > maxInflated {
            throw InputReadError(
                path: path,
                reason:
                    "inflates to more than \(maxInflated >> 20) MiB (providers.aws.cloudtrail.max_inflated_mb); not a CloudTrail log, or raise the limit"
            )
        }
        return got
    }

    private mutating func streamPointer() throws -> UnsafeMutablePointer<z_stream> {
        if let existing = storage.stream { return existing }
        let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        guard inflateInit2_(pointer, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            pointer.deallocate()
            throw InputReadError(path: path, reason: "zlib could not start")
        }
        storage.stream = pointer
        return pointer
    }
}
