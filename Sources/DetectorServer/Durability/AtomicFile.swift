import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file replaced whole: written to a temporary beside it (through `AppendOnlyFile`, a buffer at a
/// time), synced, renamed over it, the directory synced — so a crash leaves the old version or the new
/// one, never half of either.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { output in try output.append(bytes) }
    }

    /// Writes what `produce` appends, a buffer at a time (a large file is never held whole), then
    /// syncs and renames it into place. On any failure the temporary file is removed.
    static func write(to path: String, _ produce: (inout Output) throws -> Void) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = path + ".tmp"
        var output = Output(file: try AppendOnlyFile("file", path: temporary))
        do {
            try output.file.truncate()  // a temporary left by a crash
            try produce(&output)
            try output.flush()
            try output.file.sync(metadata: true)
        } catch {
            // A partial temporary file (a full disk) must not stay behind taking space.
            output.file.close()
            unlink(temporary)
            throw error
        }
        output.file.close()
        guard rename(temporary, path) == 0 else {
            let failure = DurabilityError.errno("file", path)
            unlink(temporary)
            throw failure
        }
        syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// A write buffer in front of the temporary file.
    struct Output {
        var file: AppendOnlyFile
        var buffer: [UInt8] = []
        static let capacity = 1 << 20

        mutating func append(_ bytes: some Sequence<UInt8>) throws {
            buffer.append(contentsOf: bytes)
            if buffer.count >= Self.capacity { try flush() }
        }

        mutating func flush() throws {
            try file.append(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// A new or renamed file's directory entry must be durable too, or a crash could forget the file.
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}
