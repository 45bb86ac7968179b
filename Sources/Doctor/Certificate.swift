import Foundation

/// Just enough X.509 to read a certificate's validity period: PEM → DER, then
/// `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
/// signature, issuer, validity SEQUENCE { notBefore, notAfter }, subject, … } … }` (RFC 5280 §4.1).
enum CertificateValidity {
    struct Validity: Equatable {
        var notBefore: Date
        var notAfter: Date
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// The first certificate of a PEM file.
    static func read(pemFile path: String) throws -> Validity {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParseError(description: "cannot read \(path)")
        }
        return try parse(pem: String(decoding: data, as: UTF8.self))
    }

    static func parse(pem: String) throws -> Validity {
        guard let begin = pem.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = pem.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<pem.endIndex)
        else { throw ParseError(description: "no PEM certificate (-----BEGIN CERTIFICATE-----)") }
        let base64 = pem[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(base64)) else { throw ParseError(description: "the PEM body is not base64") }
        return try parse(der: [UInt8](der))
    }

    static func parse(der: [UInt8]) throws -> Validity {
        var reader = DERReader(bytes: der[...])
        var certificate = try reader.enter(tag: 0x30)
        var tbs = try certificate.enter(tag: 0x30)
        if tbs.peekTag == 0xA0 { _ = try tbs.element() }  // [0] version
        _ = try tbs.element()  // serialNumber
        _ = try tbs.element()  // signature algorithm
        _ = try tbs.element()  // issuer
        var validity = try tbs.enter(tag: 0x30)
        let notBefore = try validity.time()
        let notAfter = try validity.time()
        return Validity(notBefore: notBefore, notAfter: notAfter)
    }

    struct DERReader {
        var bytes: ArraySlice<UInt8>

        var peekTag: UInt8? { bytes.first }

        mutating func element() throws -> (tag: UInt8, content: ArraySlice<UInt8>) {
            guard bytes.count >= 2 else { throw ParseError(description: "truncated DER") }
            let tag = bytes[bytes.startIndex]
            var index = bytes.startIndex + 1
            var length = Int(bytes[index])
            index += 1
            if length & 0x80 != 0 {
                let octets = length & 0x7F
                guard octets > 0, octets <= 4, bytes.endIndex - index >= octets else {
                    throw ParseError(description: "bad DER length")
                }
                length = 0
                for _ in 0..<octets {
                    length = length << 8 | Int(bytes[index])
                    index += 1
                }
            }
            guard bytes.endIndex - index >= length else { throw ParseError(description: "truncated DER element") }
            let content = bytes[index..<index + length]
            bytes = bytes[(index + length)...]
            return (tag, content)
        }

        mutating func enter(tag expected: UInt8) throws -> DERReader {
            let (tag, content) = try element()
            guard tag == expected else {
                throw ParseError(description: String(format: "expected DER tag 0x%02x, found 0x%02x", expected, tag))
            }
            return DERReader(bytes: content)
        }

        /// UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ).
        mutating func time() throws -> Date {
            let (tag, content) = try element()
            let text = String(decoding: content, as: UTF8.self)
            var components = DateComponents()
            components.timeZone = TimeZone(identifier: "UTC")
            let digits = Array(text.utf8).map { Int($0) - 48 }
            func number(_ from: Int, _ count: Int) -> Int { digits[from..<from + count].reduce(0) { $0 * 10 + $1 } }
            let yearDigits: Int
            switch tag {
            case 0x17:
                guard text.count >= 13 else { throw ParseError(description: "bad UTCTime \(text)") }
                let year = number(0, 2)
                components.year = year >= 50 ? 1900 + year : 2000 + year
                yearDigits = 2
            case 0x18:
                guard text.count >= 15 else { throw ParseError(description: "bad GeneralizedTime \(text)") }
                components.year = number(0, 4)
                yearDigits = 4
            default:
                throw ParseError(description: String(format: "expected a time, found DER tag 0x%02x", tag))
            }
            components.month = number(yearDigits, 2)
            components.day = number(yearDigits + 2, 2)
            components.hour = number(yearDigits + 4, 2)
            components.minute = number(yearDigits + 6, 2)
            components.second = number(yearDigits + 8, 2)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            guard let date = calendar.date(from: components) else { throw ParseError(description: "bad time \(text)") }
            return date
        }
    }
}
