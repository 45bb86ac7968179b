import Foundation

/// A purpose-built reader for the few tags we need from AWS's XML responses (FoundationXML is not
/// always present on Linux). It finds elements by local name, ignores attributes and namespaces, and
/// decodes the five predefined entities and numeric references. Not a general XML parser: the
/// elements it reads hold text or the simple nested structure of AWS's responses.
public enum XMLText {
    /// The decoded text of the first `<name>` element.
    public static func first(_ name: String, in xml: some StringProtocol) -> String? {
        guard let inner = elements(name, in: xml).first else { return nil }
        return decodeEntities(inner)
    }

    /// The raw inner text of every `<name>` element, in order (`<name/>` gives "").
    public static func elements(_ name: String, in xml: some StringProtocol) -> [Substring] {
        let text = Substring(xml)
        var results: [Substring] = []
        var cursor = text.startIndex
        let open = "<" + name
        while let start = text[cursor...].range(of: open) {
            var after = start.upperBound
            guard after < text.endIndex else { break }
            let next = text[after]
            // `<Name>`, `<Name attr=…>`, `<Name/>`; not `<NameOther>`.
            guard next == ">" || next == " " || next == "/" || next == "\t" || next == "\n" || next == "\r" else {
                cursor = after
                continue
            }
            guard let tagEnd = text[after...].firstIndex(of: ">") else { break }
            if text[text.index(before: tagEnd)] == "/" {
                results.append(text[tagEnd..<tagEnd])
                cursor = text.index(after: tagEnd)
                continue
            }
            after = text.index(after: tagEnd)
            guard let close = text[after...].range(of: "</" + name + ">") else { break }
            results.append(text[after..<close.lowerBound])
            cursor = close.upperBound
        }
        return results
    }

    public static func decodeEntities(_ text: some StringProtocol) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "&", let semicolon = text[index...].firstIndex(of: ";"),
                text.distance(from: index, to: semicolon) <= 10
            {
                let entity = text[text.index(after: index)..<semicolon]
                var replacement: String?
                switch entity {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let value = UInt32(entity.dropFirst(2), radix: 16),
                        let scalar = Unicode.Scalar(value)
                    {
                        replacement = String(Character(scalar))
                    } else if entity.hasPrefix("#"), let value = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(value) {
                        replacement = String(Character(scalar))
                    }
                }
                if let replacement {
                    out += replacement
                    index = text.index(after: semicolon)
                    continue
                }
            }
            out.append(character)
            index = text.index(after: index)
        }
        return out
    }

    /// Escapes text for an XML element body (request documents such as bucket notification configurations).
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
