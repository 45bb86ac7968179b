import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A destructive command asks first, as `terraform destroy` does: "yes" typed on a terminal, or a flag.
enum Confirmation {
    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    /// Returns when the user typed "yes"; throws when they did not, or when there is no terminal to ask on.
    static func require(_ question: String, flag: String, action: String) throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw Refused(
                description:
                    "\(action) needs confirmation, and standard input is not a terminal to ask on; review the plan above and pass \(flag) to go ahead without asking"
            )
        }
        FileHandle.standardError.write(Data("\(question) Only 'yes' will be accepted: ".utf8))
        guard readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) == "yes" else {
            throw Refused(description: "\(action) cancelled: nothing was changed")
        }
    }
}
