import Foundation
import TfdriftCore

/// `state inspect --output json`: each state's origin, version, serial, counts and load time, and the
/// identifiers more than one resource claims.
public enum StateReport {
    public static func json(_ setup: DetectorSetup) -> JSONValue {
        .object([
            "states": .array(
                setup.loaded.map { loaded in
                    let state = loaded.state
                    return .object([
                        "name": .string(state.name), "origin": .string(state.origin),
                        "terraform_version": state.terraformVersion.map(JSONValue.string) ?? .null,
                        "serial": state.serial.map { .number(String($0)) } ?? .null,
                        "resources": .number(String(state.instances.count)),
                        "data_sources": .number(String(state.dataSourceCount)),
                        "bytes": .number(String(state.byteCount)),
                        "load_seconds": .number(String(format: "%.4f", loaded.seconds)),
                        "by_type": .object(state.resourceCountsByType.mapValues { .number(String($0)) }),
                    ])
                }),
            "collisions": .array(
                setup.index.collisions.map { collision in
                    .object([
                        "type": .string(collision.type), "identifier": .string(collision.identifier),
                        "addresses": .array(collision.addresses.map(JSONValue.string)),
                    ])
                }),
        ])
    }
}
