import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small file replaced whole: written to a temporary beside it, synced, renamed over it, the directory
/// synced — so a crash leaves the old version or the new one, never half of either.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { output in try output.append(bytes) }
    }

    /// Writes what `produce` appends, a buffer at a time (a large file is never held whole), then
    /// syncs and renames it into place.
    static func write(to path: String, _ produce: (inout Output) throws -> Void) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DurabilityError("file", path: temporary, reason: errnoText()) }
        var output = Output(descriptor: descriptor, path: temporary)
        do {
            try produce(&output)
            try output.flush()
            guard fsync(descriptor) == 0 else { throw DurabilityError("file", path: temporary, reason: errnoText()) }
        } catch {
            // A partial temporary file (a full disk) must not stay behind taking space.
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw DurabilityError("file", path: path, reason: reason)
        }
        syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// A write buffer in front of the temporary file.
    struct Output {
        let descriptor: Int32
        let path: String
        var buffer: [UInt8] = []
        static let capacity = 1 << 20

        init(descriptor: Int32, path: String) {
            self.descriptor = descriptor
            self.path = path
        }

        mutating func append(_ bytes: some Sequence<UInt8>) throws {
            buffer.append(contentsOf: bytes)
            if buffer.count >= Self.capacity { try flush() }
        }

        mutating func flush() throws {
            var offset = 0
            while offset < buffer.count {
                let written = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, buffer.count - offset) }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    throw DurabilityError("file", path: path, reason: written == 0 ? "the write made no progress" : errnoText())
                }
                offset += written
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
