import CJSONScan

/// One implementation of the two functions of CJSONScan.h.
enum Implementation: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The byte-at-a-time specification.
    case reference
    /// tfd_scan_unit_ends / tfd_skip_container: what production calls (the kernel chosen for this CPU).
    case dispatch
    case sse2
    case sse2Clmul
    case avx2
    case avx512

    var description: String { rawValue }

    var kernel: tfd_scan_kernel? {
        switch self {
        case .reference: TFD_SCAN_REFERENCE
        case .dispatch: nil
        case .sse2: TFD_SCAN_SSE2
        case .sse2Clmul: TFD_SCAN_SSE2_CLMUL
        case .avx2: TFD_SCAN_AVX2
        case .avx512: TFD_SCAN_AVX512
        }
    }

    /// Held to the reference: what production calls, and every vectorised kernel this CPU runs.
    static let underTest: [Implementation] =
        [.dispatch] + [.sse2, .sse2Clmul, .avx2, .avx512].filter { tfd_scan_kernel_available($0.kernel!) != 0 }

    /// The reference and the implementations under test.
    static let withReference: [Implementation] = [.reference] + underTest
}

/// tfd_scan_state as a value the tests compare and print.
struct ScanState: Equatable, CustomStringConvertible {
    var depth: Int32
    var inString: UInt8
    var escaped: UInt8

    static let fresh = ScanState(depth: 0, inString: 0, escaped: 0)

    init(depth: Int32, inString: UInt8, escaped: UInt8) {
        self.depth = depth
        self.inString = inString
        self.escaped = escaped
    }

    init(_ state: tfd_scan_state) {
        self.init(depth: state.depth, inString: state.in_string, escaped: state.escaped)
    }

    var c: tfd_scan_state { tfd_scan_state(depth: depth, in_string: inString, escaped: escaped) }

    var description: String { "(\(depth), \(inString), \(escaped))" }
}

/// Everything one call of tfd_scan_unit_ends tells its caller.
struct ScanOutcome: Equatable, CustomStringConvertible {
    var ends: [Int64]
    var consumed: Int64
    var state: ScanState
    /// An end was written at or beyond `capacity`.
    var overran: Bool

    var description: String {
        "ends \(ends) consumed \(consumed) state \(state)\(overran ? " OVERRAN ends" : "")"
    }
}

extension Implementation {
    private static let untouched: Int64 = -0x5A5A

    /// One call of tfd_scan_unit_ends over bytes[range].
    func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, unitDepth: Int32, state: ScanState, capacity: Int
    ) -> ScanOutcome {
        var state = state.c
        var consumed = Self.untouched
        var ends = [Int64](repeating: Self.untouched, count: max(capacity, 0) + 8)
        let count = ends.withUnsafeMutableBufferPointer { ends in
            let start = bytes.baseAddress.map { $0 + range.lowerBound }
            let length = Int64(range.count)
            if let kernel {
                return tfd_scan_unit_ends_with(
                    kernel, start, length, unitDepth, &state, ends.baseAddress, Int64(capacity), &consumed)
            }
            return tfd_scan_unit_ends(start, length, unitDepth, &state, ends.baseAddress, Int64(capacity), &consumed)
        }
        let written = Int(max(count, 0))
        return ScanOutcome(
            ends: Array(ends[0..<min(written, ends.count)]), consumed: consumed, state: ScanState(state),
            overran: ends[max(capacity, 0)...].contains { $0 != Self.untouched })
    }

    /// Scans bytes[range] in calls of at most `window` bytes, each resuming where the last one stopped
    /// (after a full `ends` too), until the range is consumed or the depth went below zero. The ends are
    /// offsets into `bytes`.
    func scanInWindows(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, window: Int, unitDepth: Int32, capacity: Int
    ) -> (ends: [Int64], calls: [ScanOutcome]) {
        var state = ScanState.fresh
        var position = range.lowerBound
        var ends: [Int64] = []
        var calls: [ScanOutcome] = []
        while position < range.upperBound {
            let outcome = scan(
                bytes, position..<min(position + window, range.upperBound), unitDepth: unitDepth, state: state,
                capacity: capacity)
            calls.append(outcome)
            ends += outcome.ends.map { $0 + Int64(position) }
            state = outcome.state
            position += Int(outcome.consumed)
            if outcome.state.depth < 0 || outcome.consumed < 0 { break }
        }
        return (ends, calls)
    }

    /// tfd_skip_container.
    func skip(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Int64 {
        if let kernel { return tfd_skip_container_with(kernel, bytes.baseAddress, Int64(start), Int64(end)) }
        return tfd_skip_container(bytes.baseAddress, Int64(start), Int64(end))
    }
}

/// SplitMix64: the same inputs on every run, so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// Where two lists of ends first differ, for a failure message that fits on a screen; nil when equal.
func firstDifference(_ got: [Int64], _ expected: [Int64]) -> String? {
    guard got != expected else { return nil }
    let index = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, expected.count)
    let shownGot = index < got.count ? String(got[index]) : "none"
    let shownExpected = index < expected.count ? String(expected[index]) : "none"
    return "\(got.count) ends, expected \(expected.count); end #\(index) is \(shownGot), expected \(shownExpected)"
}

/// Bytes as a test failure should show them: printable ASCII as is, the rest as \xNN.
func shown(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        if (0x20..<0x7F).contains(byte) { return String(UnicodeScalar(byte)) }
        let hex = String(byte, radix: 16, uppercase: true)
        return "\\x" + (hex.count == 1 ? "0" + hex : hex)
    }.joined()
}
