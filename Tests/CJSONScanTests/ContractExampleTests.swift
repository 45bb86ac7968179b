import CJSONScan
import Testing

/// The contract of CJSONScan.h on inputs small enough to check by eye, for every implementation (the
/// reference included: the differential tests take it as the truth, so it is checked here on its own).
@Suite("CJSONScan contract, by example")
struct ContractExampleTests {
    static func scan(
        _ implementation: Implementation, _ text: String, unitDepth: Int32, state: ScanState = .fresh,
        capacity: Int = 16
    ) -> ScanOutcome {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer {
            implementation.scan($0, 0..<bytes.count, unitDepth: unitDepth, state: state, capacity: capacity)
        }
    }

    static func skip(_ implementation: Implementation, _ text: String, start: Int, end: Int? = nil) -> Int64 {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { implementation.skip($0, start: start, end: end ?? bytes.count) }
    }

    @Test("NDJSON: the ends of the values at depth 0, brackets inside strings ignored", arguments: Implementation.allCases)
    func ndjson(implementation: Implementation) {
        let outcome = Self.scan(implementation, "{\"a\":\"}\"}\n{\"b\":[2,\"]\"]}\n", unitDepth: 0)
        #expect(outcome.ends == [9, 23])
        #expect(outcome.consumed == 24)
        #expect(outcome.state == .fresh)
        #expect(!outcome.overran)
    }

    @Test("a trail file: the ends of the records at depth 2", arguments: Implementation.allCases)
    func trailFile(implementation: Implementation) {
        let text = "{\"Records\":[{\"x\":\"}\"},{\"y\":{\"z\":[]}}]}"
        let outcome = Self.scan(implementation, text, unitDepth: 2)
        #expect(outcome.ends == [21, 36])
        #expect(outcome.consumed == Int64(text.utf8.count))
        #expect(outcome.state == .fresh)
    }

    @Test("a window that ends inside an escape carries it into the next call", arguments: Implementation.allCases)
    func escapeAcrossCalls(implementation: Implementation) {
        let first = Self.scan(implementation, "{\"a\":\"x\\", unitDepth: 0)
        #expect(first.ends.isEmpty)
        #expect(first.state == ScanState(depth: 1, inString: 1, escaped: 1))
        // The quote right after the carried backslash is escaped: the string goes on to the next quote.
        let second = Self.scan(implementation, "\"}\"}", unitDepth: 0, state: first.state)
        #expect(second.ends == [4])
        #expect(second.state == .fresh)
    }

    @Test("an escaped backslash does not escape the quote after it", arguments: Implementation.allCases)
    func evenBackslashes(implementation: Implementation) {
        #expect(Self.scan(implementation, "[\"\\\\\"]", unitDepth: 0).ends == [6])
        #expect(Self.scan(implementation, "[\"\\\\\\\"]", unitDepth: 0).ends == [])
    }

    @Test("a backslash outside a string escapes nothing", arguments: Implementation.allCases)
    func backslashOutsideString(implementation: Implementation) {
        // [ \ "]" ] : the quote after the stray backslash opens a string.
        let outcome = Self.scan(implementation, "[\\\"]\"]", unitDepth: 0)
        #expect(outcome.ends == [6])
        #expect(outcome.state == .fresh)
    }

    @Test("a close below depth zero stops the scan with depth -1", arguments: Implementation.allCases)
    func underflow(implementation: Implementation) {
        let outcome = Self.scan(implementation, "{}]{}", unitDepth: 0)
        #expect(outcome.ends == [2])
        #expect(outcome.consumed == 3)
        #expect(outcome.state == ScanState(depth: -1, inString: 0, escaped: 0))
    }

    @Test("a full ends array stops the scan after the last end it holds", arguments: Implementation.allCases)
    func capacity(implementation: Implementation) {
        let outcome = Self.scan(implementation, "{} [] {\"}\"}", unitDepth: 0, capacity: 2)
        #expect(outcome.ends == [2, 5])
        #expect(outcome.consumed == 5)
        #expect(outcome.state == .fresh)
        #expect(!outcome.overran)
        let none = Self.scan(implementation, "{} []", unitDepth: 0, capacity: 0)
        #expect(none.ends.isEmpty)
        #expect(none.consumed == 0)
        #expect(!none.overran)
    }

    @Test("an unterminated string leaves the scan inside it", arguments: Implementation.allCases)
    func unterminated(implementation: Implementation) {
        let outcome = Self.scan(implementation, "{\"a\":\"}}}}", unitDepth: 0)
        #expect(outcome.ends.isEmpty)
        #expect(outcome.state == ScanState(depth: 1, inString: 1, escaped: 0))
    }

    @Test("skip_container: one past the matching close, or -1", arguments: Implementation.allCases)
    func skipContainer(implementation: Implementation) {
        let text = "{\"a\":{\"b\":\"]}\\\"\",\"c\":[1,{}]},\"d\":2}"
        #expect(Self.skip(implementation, text, start: 0) == Int64(text.utf8.count))
        #expect(Self.skip(implementation, text, start: 5) == 28)
        #expect(Self.skip(implementation, text, start: 21) == 27)
        #expect(Self.skip(implementation, text, start: 24) == 26)
        #expect(Self.skip(implementation, text, start: 0, end: 30) == -1)
        #expect(Self.skip(implementation, text, start: 5, end: 5) == -1)
        #expect(Self.skip(implementation, "[\"unterminated]", start: 0) == -1)
    }
}
