"""Builds the whole catalog: every service's operations mapped, merged per event source, curated
entries laid over, and the coverage of the result against the models."""
import collections

from . import botomodels, curated, mapper, rules, terraform


def event_source(service):
    metadata = service.metadata
    override = rules.EVENT_SOURCE_OVERRIDES.get(service.name)
    if override:
        return override
    return (metadata.get("signingName") or metadata["endpointPrefix"]) + ".amazonaws.com"


class Catalog:
    def __init__(self, models, types, service_types, generated, curated_entries, final, contradictions):
        self.models = models
        self.types = types
        self.service_types = service_types  # botocore service -> {type name: ResourceType}
        self.generated = generated  # (source, name) -> entry dict (generated only)
        self.curated = curated_entries
        self.final = final  # (source, name) -> entry dict
        self.contradictions = contradictions
        self.operations = {}  # botocore service -> [(operation, event name, read only)]

    def coverage(self):
        """Per service with Terraform types: mutating operations, mapped, classified, uncovered."""
        rows = []
        for name in sorted(self.models):
            if not self.service_types.get(name):
                continue
            source = event_source(self.models[name])
            counts = collections.Counter()
            uncovered = []
            # Per CloudTrail call: two operations logged under one name (S3's PutBucketLifecycle and
            # PutBucketLifecycleConfiguration) are one call.
            events = sorted({event for _, event, read_only in self.operations[name] if not read_only})
            for event in events:
                counts["mutating"] += 1
                entry = self.final.get((source, event))
                kind = entry["kind"] if entry else "uncovered"
                counts[kind if kind in ("mapped", "classified") else "uncovered"] += 1
                if kind not in ("mapped", "classified"):
                    uncovered.append(event)
            rows.append({"service": name, "source": source, **counts, "uncovered_names": uncovered})
        return rows


def build(curated_directory):
    botomodels.check_version()
    models = botomodels.load_services()
    types = terraform.load_types()
    index = terraform.service_index(models)
    service_types = collections.defaultdict(dict)
    type_service = {}
    for type_name, resource in types.items():
        service = terraform.service_of(type_name, index)
        type_service[type_name] = service
        if service:
            service_types[service][type_name] = resource

    per_key = collections.defaultdict(list)
    operations = {}
    auto_singletons = {}
    for name, service in models.items():
        source = event_source(service)
        service_mapper = mapper.ServiceMapper(service, service_types.get(name, {}), source)
        operations[name] = []
        entries = []
        for operation in sorted(service.operations):
            entry = service_mapper.entry(operation)
            operations[name].append((operation, entry.name, entry.kind == "read"))
            per_key[(source, entry.name)].append((name, entry))
            entries.append(entry)
        service_mapper.settle_singletons(entries)
        auto_singletons.update(service_mapper.auto_singletons)

    generated = {key: merge_services(key, found, types) for key, found in per_key.items()}
    for (source, name), reason in rules.EXTRA_CLASSIFIED.items():
        generated[(source, name)] = {"source": source, "name": name, "kind": "classified", "reason": reason,
                                     "origin": "g:cloudtrail"}

    curated_entries = curated.load(curated_directory)
    contradictions = []
    final = dict(generated)
    for key, entry in curated_entries.items():
        mark_sensitive(entry, types)
        entry["origin"] = "c:" + entry["defined_in"]
        other = generated.get(key)
        if other is not None:
            why = curated.contradiction(entry, other, types)
            if why and key not in rules.CURATED_PREVAILS:
                contradictions.append((key, why))
        final[key] = entry
    catalog = Catalog(models, types, service_types, generated, curated_entries, final, contradictions)
    catalog.operations = operations
    catalog.type_service = type_service
    catalog.auto_singletons = auto_singletons
    return catalog


def merge_services(key, found, types):
    """One entry per (source, name) when several botocore services share an event source (RDS, Neptune
    and DocumentDB log as rds.amazonaws.com; ELB and ELBv2 as elasticloadbalancing): their targets
    together, the service named like the source first."""
    source, name = key
    prefix = source.split(".")[0]
    found = sorted(found, key=lambda f: (f[0] != prefix, f[0]))
    kinds = [e.kind for _, e in found]
    if "mapped" in kinds:
        mapped = [(s, e) for s, e in found if e.kind == "mapped"]
        primary = mapped[0][1]
        targets, seen = [], set()
        for _, e in mapped:
            for t in e.targets:
                if t["type"] not in seen:
                    seen.add(t["type"])
                    targets.append(t)
        entry = {"source": source, "name": name, "kind": "mapped", "change": primary.change, "targets": targets,
                 "severity": primary.severity, "origin": "g:" + mapped[0][0], "rule": primary.rule}
        mark_sensitive(entry, types)
        return entry
    for kind in ("classified", "uncovered", "unscoped", "read"):
        if kind in kinds:
            service, e = next((s, e) for s, e in found if e.kind == kind)
            entry = {"source": source, "name": name, "kind": "read" if kind == "read" else
                     "uncovered" if kind in ("uncovered", "unscoped") else kind, "origin": "g:" + service, "rule": e.rule}
            if kind == "classified":
                entry["reason"] = e.reason
            if kind == "unscoped":
                entry["unscoped"] = True
            return entry
    raise AssertionError(key)


def mark_sensitive(entry, types):
    """Diff attributes the provider marks sensitive (or that hold a sensitive nested attribute) are
    flagged, so the detector says that the call set them and never what to."""
    for target in entry["targets"]:
        resource = types.get(target["type"])
        roots = set(resource.sensitive_roots) if resource else set()
        for mapping in target["diff"]:
            if mapping["attribute"].split(".")[0] in roots:
                mapping["sensitive"] = True
