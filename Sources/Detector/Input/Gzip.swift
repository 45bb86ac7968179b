import CZlib
import TfdriftCore

/// gunzip for CloudTrail's `.json.gz`. Detection is by magic bytes (1f 8b), never by file name:
/// S3 object keys lie, and some tools gzip files named `.json`.
public enum Gzip {
    public static func isGzip(_ pointer: UnsafePointer<UInt8>, count: Int) -> Bool {
        count >= 2 && pointer[0] == 0x1F && pointer[1] == 0x8B
    }

    public struct Error: Swift.Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Inflates every gzip member (concatenated members are valid gzip and AWS tools produce them).
    public static func decompress(_ input: UnsafePointer<UInt8>, count: Int, limit: Int = 4 << 30) throws -> JSONBytes {
        var capacity = max(count * 8, 64 * 1024)
        var output = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        var produced = 0
        var consumed = 0
        do {
            while consumed < count {
                // Stop at trailing zero padding after the last member.
                if input[consumed] == 0 { break }
                var stream = z_stream()
                guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                    throw Error(message: "zlib could not start")
                }
                defer { inflateEnd(&stream) }
                stream.next_in = UnsafeMutablePointer(mutating: input + consumed)
                stream.avail_in = uInt(count - consumed)
                var status: Int32 = Z_OK
                while status != Z_STREAM_END {
                    if produced == capacity {
                        guard capacity < limit else { throw Error(message: "decompressed size exceeds \(limit >> 20) MiB") }
                        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                        grown.update(from: output, count: produced)
                        output.deallocate()
                        output = grown
                        capacity *= 2
                    }
                    stream.next_out = output + produced
                    stream.avail_out = uInt(capacity - produced)
                    let before = stream.avail_out
                    status = inflate(&stream, Z_NO_FLUSH)
                    produced += Int(before - stream.avail_out)
                    switch status {
                    case Z_OK, Z_STREAM_END: continue
                    case Z_BUF_ERROR where stream.avail_in == 0:
                        throw Error(message: "gzip data is truncated")
                    case Z_BUF_ERROR: continue
                    default:
                        let message = stream.msg.map { String(cString: $0) } ?? "code \(status)"
                        throw Error(message: "gzip data is corrupt (\(message))")
                    }
                }
                consumed = count - Int(stream.avail_in)
            }
        } catch {
            output.deallocate()
            throw error
        }
        return JSONBytes(adopting: output, count: produced)
    }
}

extension Gzip {
    /// gzip-compresses `bytes` (Loki push bodies, spooled payloads).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
                == Z_OK
        else { throw Error(message: "zlib could not start compressing") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        let produced: Int = try input.withUnsafeMutableBufferPointer { inputBuffer in
            try output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { throw Error(message: "zlib could not compress") }
                return outputBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }
}

extension Gzip {
    /// An input held in memory (an S3 object, an SQS payload), inflated when it is gzip.
    public static func inflatingIfNeeded(_ bytes: [UInt8]) throws -> JSONBytes {
        try bytes.withUnsafeBufferPointer { raw in
            guard let base = raw.baseAddress, isGzip(base, count: raw.count) else { return JSONBytes(bytes) }
            return try decompress(base, count: raw.count)
        }
    }
}
