import Foundation

/// Runs blocking work (waiting for a child process, reading its pipes) on a thread of its own.
///
/// Swift Testing runs tests in parallel on the cooperative pool — two threads on a 2-core machine — and
/// a test that blocks one of them starves every other test's tasks: an SQS visibility heartbeat misses
/// its beats and a timing assertion fails for reasons that have nothing to do with the code under test.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }.start()
    }
}

/// Waits for a child process to exit without holding a cooperative thread; returns its status.
@discardableResult
public func waitForExit(_ process: Process) async -> Int32 {
    return await withCheckedContinuation { continuation in
        Thread {
            process.waitUntilExit()
            continuation.resume(returning: process.terminationStatus)
        }.start()
    }
}
