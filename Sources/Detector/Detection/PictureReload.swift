import Foundation
import TfdriftCore

extension DriftEvaluator {
    /// Swaps in a freshly loaded state and resolves what it now explains (`resolved_by: state_reload`):
    /// an unmanaged resource now managed (imported), a managed one whose state now holds the values the
    /// calls set (the change was adopted), a deleted one gone from the state, one removed from the code.
    public mutating func replaceIndex(_ newIndex: StateIndex, now: Date = Date()) -> [DriftEvent] {
        index = newIndex
        var resolved: [DriftEvent] = []
        for key in picture.keysByTouch {
            guard var resource = picture[key], resource.isDrifted, let last = resource.lastLine else { continue }
            let explained: Bool
            if let state = resource.state, let address = resource.address {
                if let reference = newIndex.reference(state: state, address: address) {
                    let instance = newIndex.instance(reference)
                    explained = explains(instance, resource)
                    if !explained {
                        // Still drifted: compare later calls with the new state's values.
                        resource.expected = newExpected(instance, resource)
                        picture.store(resource, under: key)
                    }
                } else {
                    explained = true  // removed from the state: no longer Terraform's drift
                }
            } else {
                explained = !newIndex.lookup(
                    type: resource.resourceType, identifier: resource.resourceID, accountID: resource.accountID
                )
                .isEmpty
            }
            guard explained else { continue }
            var event = last
            event.action = .resolved
            event.resolvedBy = .stateReload
            event.detectedAt = now
            event.eventIDs = resource.repeats
            let name =
                resource.address.map { "\($0) (\(resource.resourceID))" } ?? "\(resource.resourceType) \(resource.resourceID)"
            event.message =
                "\(name): drift resolved by a state reload (\(last.driftType.rawValue) by \(last.changedBy) is now what Terraform's state says)"
            summary.count(event)
            resolved.append(event)
            picture.remove(key)
        }
        return resolved.sorted { $0.timestamp < $1.timestamp }
    }

    /// The reloaded state says what the calls made the resource.
    func explains(_ instance: ResourceInstance, _ resource: LivePicture.Resource) -> Bool {
        if resource.exists == false { return false }  // deleted, and the state still has it
        if resource.opaque {
            return LivePicture.fingerprint(instance) != resource.stateFingerprint
        }
        let expected = newExpected(instance, resource)
        return resource.observed.allSatisfy { attribute, value in value.looselyEquals(expected[attribute] ?? .null) }
    }

    /// The new state's values of the attributes the picture holds, in their compared shape.
    func newExpected(_ instance: ResourceInstance, _ resource: LivePicture.Resource) -> [String: JSONValue] {
        let attributes = (try? instance.attributes?.decode())?.objectValue ?? [:]
        var expected: [String: JSONValue] = [:]
        for attribute in resource.observed.keys {
            let stateValue = DiffBuilder.value(at: attribute, in: attributes)
            expected[attribute] = DiffBuilder.normalise(stateValue, as: resource.shapes[attribute] ?? .plain)
        }
        return expected
    }
}
