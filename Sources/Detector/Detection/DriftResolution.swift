import TfdriftCore

/// Whether a (re)loaded state now explains a modified drift: every attribute the call changed now
/// holds, in the state, the value the call set — compared in the same shape the diff was built in
/// (policy documents parsed, security-group rules flattened), using the catalog entry that made it.
public enum DriftResolution {
    public static func stateHolds(_ event: DriftEvent, instance: ResourceInstance, catalog: EventCatalog) -> Bool {
        let attributes = (try? instance.attributes?.decode())?.objectValue ?? [:]
        let entry = catalog.entry(source: event.eventSource, name: EventCatalog.normalisedEventName(event.eventName))
        let target = entry?.targets.first { $0.resourceType == event.resourceType } ?? entry?.targets.first
        return event.diff.allSatisfy { attribute, change in
            let stateValue = DiffBuilder.value(at: attribute, in: attributes)
            let source = target?.diff.first { $0.attribute == attribute }?.source ?? .path(RecordPath("request.x")!, .plain)
            return DiffBuilder.normalise(stateValue, for: source).looselyEquals(change.actual)
        }
    }
}
