import Detector
import Testing
import TfdriftCore

@Suite("JSON scanner")
struct JSONScannerTests {
    @Test("parses every JSON type, escapes and surrogate pairs")
    func parse() throws {
        let value = try JSONValue.parse(#"{"a":[1,-2.5e3,true,false,null],"s":"q\"\\\/\n\t\u00e9\ud83d\ude00","o":{}}"#)
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(value["s"] == .string("q\"\\/\n\té😀"))
        #expect(value["o"] == .object([:]))
    }

    @Test("round-trips through the writer with sorted keys")
    func roundTrip() throws {
        let text = #"{"b":"x\ny","a":[1,{"d":null,"c":"\u0001"}]}"#
        #expect(JSONWriter.encode(try JSONValue.parse(text)) == #"{"a":[1,{"c":"\u0001","d":null}],"b":"x\ny"}"#)
    }

    @Test(
        "rejects malformed input with an offset",
        arguments: [
            #"{"a":}"#, #"{"a" 1}"#, #"{"a":1,}"#, #"[1,2"#, #"{"a":"unterminated}"#, #"{"a":tru}"#, #"{a:1}"#, "", #"{"a":1}x"#,
        ])
    func rejects(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
    }

    @Test("skipping validates structure and returns the raw extent")
    func skip() throws {
        let bytes = JSONBytes(string: #"  {"x": [1, {"y": "}"}], "z": "\""} tail"#)
        var scanner = JSONScanner(bytes: bytes)
        let raw = try scanner.skipValue()
        #expect(raw.text == #"{"x": [1, {"y": "}"}], "z": "\""}"#)
        var broken = JSONScanner(bytes: JSONBytes(string: #"{"x": [1, 2}"#))
        #expect(throws: JSONSyntaxError.self) { try broken.skipValue() }
    }

    @Test("deep nesting: building a tree is an error, skipping is structural; neither overflows the stack")
    func deepNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(deep) }
        var scanner = JSONScanner(bytes: JSONBytes(string: deep))
        #expect(try scanner.skipValue().end == 200_000)
        var unterminated = JSONScanner(bytes: JSONBytes(string: String(repeating: "[", count: 100_000)))
        #expect(throws: JSONSyntaxError.self) { try unterminated.skipValue() }
    }

    @Test("loose equality matches Terraform's and CloudTrail's representations")
    func looseEquality() throws {
        #expect(JSONValue.string("true").looselyEquals(.bool(true)))
        #expect(JSONValue.number("8").looselyEquals(.string("8")))
        #expect(JSONValue.number("8.0").looselyEquals(.number("8")))
        #expect(JSONValue.null.looselyEquals(.array([])))
        #expect(JSONValue.array(["a", "b"]).looselyEquals(.array(["b", "a"])))
        #expect(!JSONValue.string("t3.micro").looselyEquals(.string("t3.large")))
    }
}
