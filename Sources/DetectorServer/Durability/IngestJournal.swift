import Foundation
import Synchronization
import TfdriftCore

#if canImport(Glibc)
    import Glibc
#endif

/// Where an accepted request ends in the journal. Detection marks it once the request's drift events are
/// with the sinks; after a crash, recovery starts right after the last mark.
public struct JournalPosition: Sendable, Equatable {
    public var segment: UInt64
    public var offset: Int
}

/// One accepted request body read back from the journal after a crash.
public struct JournalFrame: Sendable {
    public var source: String
    public var body: [UInt8]
    public var end: JournalPosition
}

/// A write-ahead log for HTTP ingest: a request is answered 202 only once its body is on disk, so a crash
/// (SIGKILL, OOM, power loss) loses nothing that was accepted; the next start processes what was left.
///
/// Bodies are appended as frames (length, CRC-32, source label, bytes) to numbered segment files. Many
/// requests share one `fdatasync` (group commit), run on the journal's own dispatch queue for everyone
/// waiting at that moment.
/// A fixed-width offset file says how far detection got; segments wholly behind it are deleted. Delivery is
/// at least once: a crash between detection and the offset update repeats a few requests (event ids make
/// that harmless within the detector's memory; sinks may see a repeat).
public final class IngestJournal: Sendable {
    public let directory: String
    /// Whether a 202 waits for `fdatasync` (power-loss safe) or only for the write (process-crash safe:
    /// the kernel's page cache outlives a killed process, not a lost machine).
    public let syncs: Bool
    let segmentBytes: Int
    private let state: Mutex<State>
    private let lockDescriptor: Int32
    private let offsetDescriptor: Int32
    private let syncQueue = DispatchQueue(label: "tfdrift.ingest-journal.sync")

    struct State {
        var current: UInt64
        /// The segment being appended to.
        var file: AppendOnlyFile
        /// Sizes of the segments still on disk, including the current one.
        var sizes: [UInt64: Int]
        /// Descriptors this process opened (recovered segments are only read, then deleted by path).
        var files: [UInt64: AppendOnlyFile]
        /// Bytes appended by this process, and how many of them are known to be on disk.
        var appended = 0
        var synced = 0
        var syncing = false
        var waiters: [(ticket: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    /// Frame header: body length (4 bytes, little-endian), CRC-32 of label length + label + body (4), label
    /// length (1).
    static let headerBytes = 9

    static func failure(_ path: String, _ reason: String) -> DurabilityError {
        DurabilityError("ingest journal", path: path, reason: reason)
    }

    /// Opens (creating) the journal directory and takes its lock: two detectors must not share one.
    public init(directory: String, syncs: Bool = true, segmentBytes: Int = 16 << 20) throws {
        self.directory = directory
        self.syncs = syncs
        self.segmentBytes = segmentBytes
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Self.failure(directory, "cannot create the directory (\(error.localizedDescription))")
        }
        let lockPath = (directory as NSString).appendingPathComponent("journal.lock")
        lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockDescriptor >= 0 else { throw Self.failure(lockPath, Self.errnoText()) }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(lockDescriptor)
            throw Self.failure(
                directory, "another tfdriftctl process uses this journal; give each detector its own server.journal_dir")
        }
        let offsetPath = (directory as NSString).appendingPathComponent("journal.offset")
        offsetDescriptor = open(offsetPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard offsetDescriptor >= 0 else {
            close(lockDescriptor)
            throw Self.failure(offsetPath, Self.errnoText())
        }
        var sizes: [UInt64: Int] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard let segment = Self.segmentNumber(name) else { continue }
            let attributes = try? FileManager.default.attributesOfItem(atPath: Self.path(directory, segment))
            sizes[segment] = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        }
        let current = (sizes.keys.max() ?? 0) + 1
        let path = Self.path(directory, current)
        let file: AppendOnlyFile
        do {
            file = try AppendOnlyFile("ingest journal", path: path)
        } catch {
            close(lockDescriptor)
            close(offsetDescriptor)
            throw error
        }
        sizes[current] = 0
        state = Mutex(State(current: current, file: file, sizes: sizes, files: [current: file]))
        AtomicFile.syncDirectory(directory)
    }

    deinit {
        state.withLock { state in
            for file in state.files.values { file.close() }
        }
        close(offsetDescriptor)
        close(lockDescriptor)  // releases the flock
    }

    // MARK: recovery

    /// The frames accepted by an earlier process and not yet processed, oldest first, and a sentence per
    /// segment that ended in a torn or corrupt frame (a crash mid-write: that request was never answered 202).
    public func recover() throws -> (frames: [JournalFrame], problems: [String]) {
        let (start, segments, current) = state.withLock { state in
            (Self.readOffset(offsetDescriptor), state.sizes.keys.filter { $0 != state.current }.sorted(), state.current)
        }
        var frames: [JournalFrame] = []
        var problems: [String] = []
        for segment in segments {
            if let start, segment < start.segment { continue }
            let path = Self.path(directory, segment)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Self.failure(path, "cannot read the segment")
            }
            let from = start.map { $0.segment == segment ? $0.offset : 0 } ?? 0
            let parsed = Self.frames(in: [UInt8](data), from: from, segment: segment)
            frames += parsed.frames
            if let problem = parsed.problem { problems.append("\(path): \(problem)") }
        }
        // Segments wholly behind the offset go now; with nothing to recover, every earlier segment goes
        // (otherwise each idle restart would leave its empty segment behind).
        markProcessed(
            frames.isEmpty
                ? JournalPosition(segment: current, offset: 0)
                : JournalPosition(segment: start?.segment ?? 0, offset: start?.offset ?? 0))
        return (frames, problems)
    }

    static func frames(in bytes: [UInt8], from start: Int, segment: UInt64) -> (frames: [JournalFrame], problem: String?) {
        var frames: [JournalFrame] = []
        var at = start
        while at < bytes.count {
            guard at + headerBytes <= bytes.count else {
                return (frames, "torn frame header at byte \(at); the rest is skipped")
            }
            let length = Int(readUInt32(bytes, at))
            let checksum = readUInt32(bytes, at + 4)
            let bodyStart = at + headerBytes + Int(bytes[at + 8])
            let end = bodyStart + length
            guard end <= bytes.count else { return (frames, "torn frame at byte \(at); the rest is skipped") }
            guard CRC32.checksum(bytes[(at + 8)..<end]) == checksum else {
                return (frames, "checksum mismatch at byte \(at); the rest is skipped")
            }
            frames.append(
                JournalFrame(
                    source: String(decoding: bytes[(at + headerBytes)..<bodyStart], as: UTF8.self),
                    body: Array(bytes[bodyStart..<end]), end: JournalPosition(segment: segment, offset: end)))
            at = end
        }
        return (frames, nil)
    }

    // MARK: appending

    /// Appends one request body. Returns where it ends (for `markProcessed`) and, when the journal syncs, a
    /// ticket for `waitDurable`; the caller answers 202 only after that. Not durable yet when this returns.
    public func append(source: String, body: [UInt8]) throws -> (position: JournalPosition, ticket: Int?) {
        let label = Array(source.utf8.prefix(255))
        var frame = [UInt8]()
        frame.reserveCapacity(Self.headerBytes + label.count + body.count)
        Self.appendUInt32(&frame, UInt32(body.count))
        Self.appendUInt32(&frame, 0)
        frame.append(UInt8(label.count))
        frame += label
        frame += body
        let checksum = CRC32.checksum(frame[8...])
        frame.withUnsafeMutableBytes { $0.storeBytes(of: checksum.littleEndian, toByteOffset: 4, as: UInt32.self) }
        return try state.withLock { state in
            if state.sizes[state.current, default: 0] >= segmentBytes { try roll(&state) }
            // A failed append is cut off again: a partial frame would end the segment for recovery.
            try state.file.append(frame)
            state.files[state.current] = state.file
            let end = state.sizes[state.current, default: 0] + frame.count
            state.sizes[state.current] = end
            state.appended += frame.count
            return (JournalPosition(segment: state.current, offset: end), syncs ? state.appended : nil)
        }
    }

    /// Starts a new segment; the old one is synced first so that a single sync of the new descriptor
    /// covers everything appended from here on.
    private func roll(_ state: inout State) throws {
        try state.file.sync()
        state.synced = state.appended
        let next = state.current + 1
        let path = Self.path(directory, next)
        let file = try AppendOnlyFile("ingest journal", path: path)
        AtomicFile.syncDirectory(directory)
        state.current = next
        state.file = file
        state.files[next] = file
        state.sizes[next] = 0
    }

    /// Returns once everything up to `ticket` is on disk (at once for no ticket: a journal that does not
    /// sync). Concurrent callers share one `fdatasync`, run on the journal's own dispatch queue: a sync must
    /// not block Swift concurrency's few threads.
    public func waitDurable(_ ticket: Int?) async throws {
        guard let ticket else { return }
        enum Step { case done, wait, startSyncing }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let step: Step = state.withLock { state in
                if state.synced >= ticket { return .done }
                state.waiters.append((ticket, continuation))
                if state.syncing { return .wait }
                state.syncing = true
                return .startSyncing
            }
            switch step {
            case .done: continuation.resume()
            case .wait: break
            case .startSyncing: syncQueue.async { self.syncForEveryone() }
            }
        }
    }

    /// Sync, release the waiters it covered, repeat while others arrived meanwhile.
    private func syncForEveryone() {
        while true {
            let (file, target) = state.withLock { ($0.file, $0.appended) }
            var failure: DurabilityError?
            do { try file.sync() } catch { failure = error }
            let (released, failed, again) = state.withLock { state in
                // A roll synced the old segment itself; a failure here is only real if it left something.
                let ok = failure == nil || state.synced >= target
                if ok { state.synced = max(state.synced, target) }
                var released: [CheckedContinuation<Void, any Error>] = []
                var failed: [CheckedContinuation<Void, any Error>] = []
                state.waiters.removeAll { waiter in
                    if waiter.ticket <= state.synced {
                        released.append(waiter.continuation)
                        return true
                    }
                    if !ok, waiter.ticket <= target {
                        failed.append(waiter.continuation)
                        return true
                    }
                    return false
                }
                let again = !state.waiters.isEmpty
                if !again { state.syncing = false }
                return (released, failed, again)
            }
            for continuation in released { continuation.resume() }
            for continuation in failed { continuation.resume(throwing: failure!) }
            if !again { return }
        }
    }

    // MARK: progress

    /// Detection is done with everything up to `position`: remember it, and delete segments behind it.
    public func markProcessed(_ position: JournalPosition) {
        let doomed: [(UInt64, AppendOnlyFile?)] = state.withLock { state in
            let behind = state.sizes.filter { segment, size in
                segment != state.current
                    && (segment < position.segment || (segment == position.segment && position.offset >= size))
            }
            return behind.keys.map { segment in
                state.sizes[segment] = nil
                return (segment, state.files.removeValue(forKey: segment))
            }
        }
        let text = Array("\(Self.padded(position.segment)) \(Self.padded(UInt64(max(0, position.offset))))\n".utf8)
        _ = text.withUnsafeBytes { pwrite(offsetDescriptor, $0.baseAddress, $0.count, 0) }
        for (segment, file) in doomed {
            file?.close()
            unlink(Self.path(directory, segment))
        }
    }

    /// Bytes in segments still on disk (processed or not): `tfdrift_ingest_journal_bytes`.
    public var bytesOnDisk: Int { state.withLock { $0.sizes.values.reduce(0, +) } }

    // MARK: files

    static func path(_ directory: String, _ segment: UInt64) -> String {
        (directory as NSString).appendingPathComponent("segment-\(padded(segment)).log")
    }

    static func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    static func segmentNumber(_ name: String) -> UInt64? {
        guard name.hasPrefix("segment-"), name.hasSuffix(".log") else { return nil }
        return UInt64(name.dropFirst("segment-".count).dropLast(".log".count))
    }

    static func readOffset(_ descriptor: Int32) -> JournalPosition? {
        var buffer = [UInt8](repeating: 0, count: 42)
        let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 42, 0) }
        guard read == 42 else { return nil }
        let fields = String(decoding: buffer, as: UTF8.self).split(separator: " ")
        guard fields.count == 2, let segment = UInt64(fields[0]),
            let offset = Int(fields[1].trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return JournalPosition(segment: segment, offset: offset)
    }

    static func readUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    static func appendUInt32(_ bytes: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// CRC-32 (IEEE 802.3, as zlib computes it): catches a frame whose bytes did not all reach the disk.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
