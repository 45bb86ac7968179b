import CJSONScan
import Testing

/// Every vectorised kernel (and the dispatch production calls) against the byte-at-a-time reference, on
/// random and adversarial inputs, whole and cut in two calls at every position, from every kind of state;
/// and tfd_skip_container from every offset.
@Suite("CJSONScan kernels give the reference's results")
struct DifferentialTests {
    /// Collects disagreements, so a broken kernel fails with a few readable examples, not thousands.
    struct Disagreements {
        private(set) var count = 0
        private(set) var examples: [String] = []

        mutating func record(_ example: @autoclosure () -> String) {
            count += 1
            if examples.count < 5 { examples.append(example()) }
        }

        var summary: String { "\(count) disagreements, e.g.\n" + examples.joined(separator: "\n") }
    }

    /// A scan cut in two calls: bytes[0, cut), then from where that call stopped to the end.
    static func twoCalls(
        _ implementation: Implementation, _ bytes: UnsafeBufferPointer<UInt8>, cut: Int, unitDepth: Int32,
        state: ScanState, capacity: Int
    ) -> [ScanOutcome] {
        let first = implementation.scan(bytes, 0..<cut, unitDepth: unitDepth, state: state, capacity: capacity)
        let resume = min(max(Int(first.consumed), 0), bytes.count)
        let second = implementation.scan(
            bytes, resume..<bytes.count, unitDepth: unitDepth, state: first.state, capacity: capacity)
        return [first, second]
    }

    /// Compares every implementation under test with the reference on `bytes`, cut at each of `cuts`.
    static func compare(
        _ bytes: [UInt8], unitDepth: Int32, state: ScanState, capacity: Int, cuts: [Int],
        into disagreements: inout Disagreements
    ) {
        bytes.withUnsafeBufferPointer { buffer in
            for cut in cuts {
                let expected = twoCalls(
                    .reference, buffer, cut: cut, unitDepth: unitDepth, state: state, capacity: capacity)
                for implementation in Implementation.underTest {
                    let got = twoCalls(
                        implementation, buffer, cut: cut, unitDepth: unitDepth, state: state, capacity: capacity)
                    if got != expected {
                        disagreements.record(
                            "\(implementation) on \"\(shown(bytes))\" cut at \(cut), unit depth \(unitDepth), "
                                + "state \(state), capacity \(capacity): \(got) but the reference \(expected)")
                    }
                }
            }
        }
    }

    /// Compares tfd_skip_container of every implementation under test with the reference's, from every
    /// offset of `bytes` to its end and to halfway there.
    static func compareSkips(_ bytes: [UInt8], into disagreements: inout Disagreements) {
        bytes.withUnsafeBufferPointer { buffer in
            for start in 0..<buffer.count {
                for end in [buffer.count, (start + buffer.count + 1) / 2] where end > start {
                    let expected = Implementation.reference.skip(buffer, start: start, end: end)
                    for implementation in Implementation.underTest {
                        let got = implementation.skip(buffer, start: start, end: end)
                        if got != expected {
                            disagreements.record(
                                "\(implementation) skip_container on \"\(shown(bytes))\" from \(start) to \(end): "
                                    + "\(got) but the reference \(expected)")
                        }
                    }
                }
            }
        }
    }

    static let states: [ScanState] = [
        ScanState(depth: 0, inString: 0, escaped: 0),
        ScanState(depth: 1, inString: 1, escaped: 0),
        ScanState(depth: 2, inString: 1, escaped: 1),
        ScanState(depth: 3, inString: 0, escaped: 0),
        ScanState(depth: -1, inString: 0, escaped: 0),
        ScanState(depth: -4, inString: 0, escaped: 0),
        ScanState(depth: 1_000_000, inString: 0, escaped: 0),
        // States no scan produces, which the reference still defines.
        ScanState(depth: 1, inString: 0, escaped: 1),
        ScanState(depth: 1, inString: 2, escaped: 0),
        ScanState(depth: 1, inString: 1, escaped: 7),
    ]

    /// Random bytes in the given alphabet, or any byte when it is empty.
    static func randomBytes(_ alphabet: [UInt8], count: Int, using generator: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in
            alphabet.isEmpty ? UInt8.random(in: 0...255, using: &generator) : alphabet.randomElement(using: &generator)!
        }
    }

    /// A random JSON value with strings full of escapes (valid JSON).
    static func randomJSON(depth: Int, using generator: inout SeededGenerator) -> [UInt8] {
        let choice = depth > 4 ? 0 : Int.random(in: 0..<4, using: &generator)
        switch choice {
        case 0:
            let pieces: [[UInt8]] = [Array("a".utf8), Array("\\\"".utf8), Array("\\\\".utf8), Array("}]{[".utf8), [0xC3, 0xA9]]
            let body = (0..<Int.random(in: 0..<6, using: &generator)).flatMap { _ in pieces.randomElement(using: &generator)! }
            return [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
        case 1:
            return Array(String(Int.random(in: -99...999, using: &generator)).utf8)
        case 2:
            let items = (0..<Int.random(in: 0..<4, using: &generator)).map { _ in randomJSON(depth: depth + 1, using: &generator)
            }
            return Array("[".utf8) + Array(items.joined(separator: Array(",".utf8))) + Array("]".utf8)
        default:
            let members = (0..<Int.random(in: 0..<4, using: &generator)).map { _ in
                randomJSON(depth: 5, using: &generator) + Array(":".utf8) + randomJSON(depth: depth + 1, using: &generator)
            }
            return Array("{".utf8) + Array(members.joined(separator: Array(",".utf8))) + Array("}".utf8)
        }
    }

    enum Flavour: String, CaseIterable, Sendable {
        /// Brackets, quotes, backslashes, NUL, bytes above 0x7F, filler.
        case structural
        /// Every byte value equally likely (invalid UTF-8 included).
        case anyByte
        /// Long backslash runs among quotes.
        case backslashes
        /// NDJSON of random valid values, some truncated or with one byte changed.
        case json

        /// A generator of its own per flavour and test, so that each case is the same on every run.
        func generator(seed: UInt64) -> SeededGenerator {
            SeededGenerator(state: seed + UInt64(Flavour.allCases.firstIndex(of: self)!))
        }
    }

    static func input(_ flavour: Flavour, using generator: inout SeededGenerator) -> [UInt8] {
        let count = Int.random(in: 0...260, using: &generator)
        switch flavour {
        case .structural:
            return randomBytes(Array("\"\\\\{}[] a\n".utf8) + [0, 0x80, 0xFF], count: count, using: &generator)
        case .anyByte:
            return randomBytes([], count: count, using: &generator)
        case .backslashes:
            return randomBytes(Array("\\\\\\\\\\\"\"a{}[]".utf8), count: count, using: &generator)
        case .json:
            var bytes: [UInt8] = []
            while bytes.count < count { bytes += randomJSON(depth: 0, using: &generator) + [UInt8(ascii: "\n")] }
            if Bool.random(using: &generator), !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = Array("\"\\{}[]x".utf8).randomElement(
                    using: &generator)!
            }
            return Array(bytes.prefix(Bool.random(using: &generator) ? bytes.count : count))
        }
    }

    /// Runs `check` on `count` random inputs of the flavour and expects no disagreement.
    static func expectAgreement(
        on flavour: Flavour, seed: UInt64, inputs count: Int,
        _ check: ([UInt8], inout SeededGenerator, inout Disagreements) -> Void
    ) {
        var generator = flavour.generator(seed: seed)
        var disagreements = Disagreements()
        for _ in 0..<count { check(input(flavour, using: &generator), &generator, &disagreements) }
        #expect(disagreements.count == 0, Comment(rawValue: disagreements.summary))
    }

    @Test("random inputs, cut in two calls at every position", arguments: Flavour.allCases)
    func random(flavour: Flavour) {
        Self.expectAgreement(on: flavour, seed: 0x5CA9_0000, inputs: 160) { bytes, generator, disagreements in
            let state = Self.states.randomElement(using: &generator)!
            let unitDepth = Int32.random(in: -1...3, using: &generator)
            let capacity = [1, 2, 3, 64].randomElement(using: &generator)!
            Self.compare(
                bytes, unitDepth: unitDepth, state: state, capacity: capacity, cuts: Array(0...bytes.count),
                into: &disagreements)
            Self.compareSkips(bytes, into: &disagreements)
        }
    }

    @Test("random inputs scanned window by window, resuming after full ends arrays", arguments: Flavour.allCases)
    func windows(flavour: Flavour) {
        Self.expectAgreement(on: flavour, seed: 0x3117_0000, inputs: 80) { bytes, generator, disagreements in
            let plans = [1, 2, 3, 7, 63, 64, 65, 200].flatMap { window in [(window, 1), (window, 2), (window, 64)] }
            for (window, capacity) in plans {
                let unitDepth = Int32.random(in: 0...2, using: &generator)
                bytes.withUnsafeBufferPointer { buffer in
                    let expected = Implementation.reference.scanInWindows(
                        buffer, 0..<buffer.count, window: window, unitDepth: unitDepth, capacity: capacity)
                    for implementation in Implementation.underTest {
                        let got = implementation.scanInWindows(
                            buffer, 0..<buffer.count, window: window, unitDepth: unitDepth, capacity: capacity)
                        if got.calls != expected.calls {
                            disagreements.record(
                                "\(implementation) on \"\(shown(bytes))\" in windows of \(window), capacity "
                                    + "\(capacity): \(got.calls) but the reference \(expected.calls)")
                        }
                    }
                }
            }
        }
    }

    /// `["` + filler + a backslash run + `"]"]` and more: whether the quote after the run is escaped decides
    /// everything after it. The run sits across the first 64-byte block boundary, and the cuts put the end
    /// of a window at every byte in and around it (a window ending inside an escape).
    @Test("backslash runs of every length across block boundaries, inside and outside strings")
    func backslashRuns() {
        var disagreements = Disagreements()
        for inString in [true, false] {
            for filler in 56...66 {
                for run in 0...67 {
                    let opening = Array((inString ? "[\"" : "[ ").utf8)
                    let bytes =
                        opening + Array(repeating: UInt8(ascii: "a"), count: filler)
                        + Array(repeating: UInt8(ascii: "\\"), count: run) + Array("\"]\"]{}][\"\\\\\"]".utf8)
                    let around = Array(max(0, filler - 1)...min(bytes.count, filler + run + 5))
                    Self.compareSkips(bytes, into: &disagreements)
                    for unitDepth: Int32 in [0, 1] {
                        Self.compare(
                            bytes, unitDepth: unitDepth, state: Self.states[0], capacity: 8, cuts: [0, bytes.count] + around,
                            into: &disagreements)
                    }
                }
            }
        }
        #expect(disagreements.count == 0, Comment(rawValue: disagreements.summary))
    }

    @Test("adversarial inputs from every state, cut at every position")
    func adversarial() {
        let deep = String(repeating: "[", count: 130) + String(repeating: "]", count: 131)
        let inputs: [[UInt8]] = [
            Array(deep.utf8),
            Array(String(repeating: "{}", count: 100).utf8),
            Array(String(repeating: "\"", count: 129).utf8),
            Array(String(repeating: "\\", count: 129).utf8),
            Array(("{\"" + String(repeating: "x", count: 200) + "}]}").utf8),  // unterminated string
            Array("{\"k\":\"".utf8) + [0, 0xFF, 0xFE, 0xC0, 0x80] + Array(repeating: 0, count: 70) + Array("\"}".utf8),
            Array(("}" + String(repeating: " ", count: 63) + "{").utf8),
            Array(String(repeating: "]}", count: 40).utf8),
        ]
        var disagreements = Disagreements()
        for bytes in inputs {
            Self.compareSkips(bytes, into: &disagreements)
            for state in Self.states {
                for unitDepth: Int32 in [-1, 0, 1, 2, 64, 129] {
                    for capacity in [1, 3, 1000] {
                        Self.compare(
                            bytes, unitDepth: unitDepth, state: state, capacity: capacity,
                            cuts: Array(stride(from: 0, through: bytes.count, by: capacity == 1 ? 1 : 13)),
                            into: &disagreements)
                    }
                }
            }
        }
        // Lengths around the block size, full of structure.
        var generator = SeededGenerator(state: 64)
        for length in [1, 63, 64, 65, 127, 128, 129, 191, 192, 193] {
            for _ in 0..<20 {
                let bytes = Self.randomBytes(Array("\"\\{}[]a".utf8), count: length, using: &generator)
                Self.compare(
                    bytes, unitDepth: 0, state: Self.states.randomElement(using: &generator)!, capacity: 64,
                    cuts: Array(0...length), into: &disagreements)
                Self.compareSkips(bytes, into: &disagreements)
            }
        }
        #expect(disagreements.count == 0, Comment(rawValue: disagreements.summary))
    }

    @Test("lengths and capacities of zero or less")
    func degenerate() {
        let bytes = Array("{}{}".utf8)
        for implementation in Implementation.withReference {
            for (length, capacity) in [(Int64(-1), Int64(4)), (0, 4), (4, 0), (4, -2)] {
                var state = ScanState(depth: 3, inString: 0, escaped: 0).c
                var ends = [Int64](repeating: -7, count: 8)
                var consumed: Int64 = -7
                let count = bytes.withUnsafeBufferPointer { buffer in
                    ends.withUnsafeMutableBufferPointer { ends in
                        if let kernel = implementation.kernel {
                            return tfd_scan_unit_ends_with(
                                kernel, buffer.baseAddress, length, 0, &state, ends.baseAddress, capacity, &consumed)
                        }
                        return tfd_scan_unit_ends(buffer.baseAddress, length, 0, &state, ends.baseAddress, capacity, &consumed)
                    }
                }
                #expect(count == 0, "\(implementation), length \(length), capacity \(capacity)")
                #expect(consumed == 0, "\(implementation), length \(length), capacity \(capacity)")
                #expect(ScanState(state) == ScanState(depth: 3, inString: 0, escaped: 0))
                #expect(ends.allSatisfy { $0 == -7 })
            }
        }
    }

    @Test("on x86_64 the SSE2 kernel is always there, and the dispatch picks the widest available")
    func kernels() {
        #if arch(x86_64)
            #expect(tfd_scan_kernel_available(TFD_SCAN_SSE2) == 1)
            let widest = [TFD_SCAN_AVX512, TFD_SCAN_AVX2, TFD_SCAN_SSE2_CLMUL, TFD_SCAN_SSE2].first {
                tfd_scan_kernel_available($0) == 1
            }
            #expect(tfd_scan_kernel_selected() == widest)
        #else
            #expect(tfd_scan_kernel_selected() == TFD_SCAN_REFERENCE)
        #endif
    }
}
