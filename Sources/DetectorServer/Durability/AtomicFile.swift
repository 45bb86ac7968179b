import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small file replaced whole: written to a temporary beside it, synced, renamed over it, the directory
/// synced — so a crash leaves the old version or the new one, never half of either.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DurabilityError("file", path: temporary, reason: errnoText()) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else {
                let reason = errnoText()
                close(descriptor)
                throw DurabilityError("file", path: temporary, reason: reason)
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            let reason = errnoText()
            close(descriptor)
            throw DurabilityError("file", path: temporary, reason: reason)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw DurabilityError("file", path: path, reason: errnoText()) }
        syncDirectory(directory.isEmpty ? "." : directory)
    }

    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
