"""Maps every operation of an AWS API model to a catalog entry: read-only, mapped, classified or uncovered.

The rules, in the order they are tried for a mutating operation (docs/event-catalog.md says more):
1. explicit decisions in rules.py: OPERATION_OVERRIDES, account/region SINGLETONS, NOT_MODELLED;
2. tag calls (TagResource, AddTagsToResource, CreateTags…): a modification of the service's taggable types;
3. calls that change no resource (run a job, send data, start a session, write findings) are classified —
   unless they name a resource whose state they change (`StopInstances`);
4. the operation's noun (or the object after its preposition: `AddRoleToInstanceProfile`) names Terraform
   types of the service: an association (`AttachVolume` -> aws_volume_attachment) is created or deleted,
   any other type is created, modified or deleted by the verb (`CreateDetector` -> aws_guardduty_detector);
5. a leading part of the noun names a type (`ModifyVpcEndpointServicePermissions` -> aws_vpc_endpoint_service);
6. an input member identifies a type (`UpdateMalwareScanSettings(DetectorId)` -> aws_guardduty_detector);
7. otherwise the call changes something Terraform has no type for: classified — or left uncovered when a
   word of its noun occurs in a type name (a rule should decide).
A mapped call whose model names no identifier for any of its types is left uncovered too.
"""
from . import rules
from .naming import lower_first, singular, snake, squash, words
from .paths import request_paths, response_paths

GENERIC_ID_WORDS = ("id", "arn", "name", "identifier", "url")


class Entry:
    """One (event source, event name) of one botocore service."""

    def __init__(self, service, operation, source, name):
        self.service = service
        self.operation = operation
        self.source = source
        self.name = name
        self.kind = None  # "read" | "mapped" | "classified"
        self.change = None
        self.reason = None
        self.targets = []
        self.severity = None
        self.rule = None  # which rule decided, for the report and tests

    def mapped(self, change, targets, rule):
        self.kind, self.change, self.targets, self.rule = "mapped", change, targets, rule
        return self

    def add_twins(self, twins):
        """aws_lb_listener's twin aws_alb_listener gets the same identifiers and diff, right after it."""
        result = []
        for t in self.targets:
            result.append(t)
            if t["type"] in twins:
                result.append(dict(t, type=twins[t["type"]], diff=[dict(d) for d in t["diff"]]))
        self.targets = result

    def classified(self, reason, rule):
        self.kind, self.reason, self.rule = "classified", reason, rule
        return self

    def __repr__(self):
        return f"Entry({self.source} {self.name} {self.kind} {self.change or self.reason} {[t['type'] for t in self.targets]})"


def target(type_name, ids, diff=None):
    return {"type": type_name, "ids": ids, "diff": diff or []}


def path_id(path):
    return {"paths": [path]}


class ServiceMapper:
    def __init__(self, service, types, source):
        """service: botomodels.Service; types: {name: ResourceType} of this service; source: event source."""
        self.service = service
        self.types = types
        self.source = source
        # Type lookup by the squashed tails of its name. A tail is strong when it is the whole name after
        # the prefix all the service's types share (aws_guardduty_detector -> "detector") or has two words
        # or more ("endpointservice"); a one-word tail of a longer name ("gateway" of aws_nat_gateway) is
        # weak and only used when one type alone has it.
        # aws_alb_* are aliases of aws_lb_*: matched through the aws_lb_ name, added as a twin target.
        self.twins = {rules.twin_of(n): n for n in types if rules.twin_of(n) in types}
        self.auto_singletons = {}
        self.identified = set()
        self.singleton_candidates = {}
        matchable = [n for n in types if n not in self.twins.values()]
        common = common_prefix(matchable)
        self.common = common
        self.by_tail = {}
        for name in sorted(matchable, key=lambda n: (len(n), n)):
            relative = name[len(common):].split("_") if name.startswith(common) and len(name) > len(common) else name[4:].split("_")
            parts = name[len("aws_"):].split("_")
            for start in range(len(parts)):
                tail = parts[start:]
                strong = len(tail) >= 2 or len(tail) == len(relative)
                self.by_tail.setdefault(squash("".join(tail)), []).append((not strong, start, len(name), name))
        for key in self.by_tail:
            self.by_tail[key].sort()

    # ------------------------------------------------------------------ entry point
    def entry(self, operation):
        service = self.service
        name = rules.EVENT_NAME_OVERRIDES.get((service.name, operation), operation)
        entry = Entry(service.name, operation, self.source, name)
        if self.is_read_only(operation):
            entry.kind, entry.rule = "read", "read-only"
            return entry
        if not self.types:
            # No Terraform type in the service: out of scope, but a call that changes nothing at all
            # (`AssumeRole`, `SendSSHPublicKey`) is still classified, so the detector says so.
            verb, noun = split_operation(operation)
            reason = rules.OPERATION_OVERRIDES.get((service.name, operation), {}).get("reason") or \
                rules.non_change_reason(service.name, verb, noun)
            if reason:
                return entry.classified(reason, "non-change")
            entry.kind, entry.rule = "unscoped", "no Terraform resource type in this service"
            return entry
        self.decide(entry)
        if entry.kind == "mapped":
            targets = entry.targets
            entry.targets = [t for t in targets if t["ids"]]
            if not entry.targets:
                # The model names no member that identifies the resource: the call cannot be matched.
                entry.kind, entry.change = "uncovered", None
                entry.rule = "no identifier in the model for " + ", ".join(t["type"] for t in targets)
                return entry
            entry.add_twins(self.twins)
            entry.severity = rules.severity(service.name, operation, entry.change, [t["type"] for t in entry.targets])
        return entry

    def settle_singletons(self, entries):
        """Keeps the candidate singletons no call of the service identifies otherwise (a type some
        call names by id, such as aws_instance, is no setting even if one call names none), and takes
        the record-based identifier away from the others: their calls stay uncovered."""
        for type_name, (scope, id_lists) in self.singleton_candidates.items():
            if type_name not in self.identified:
                self.auto_singletons[type_name] = scope
                continue
            for ids in id_lists:
                ids.clear()
        for entry in entries:
            if entry.kind != "mapped":
                continue
            targets = [t for t in entry.targets if t["ids"]]
            if not targets:
                entry.kind, entry.change = "uncovered", None
                entry.rule = "no identifier in the model for " + ", ".join(t["type"] for t in entry.targets)
            entry.targets = targets

    def is_read_only(self, operation):
        definition = self.service.operations[operation]
        if definition.get("readonly"):
            return True
        override = rules.READ_ONLY_OVERRIDES.get((self.service.name, operation))
        if override is not None:
            return override
        if self.service.http_method(operation) in ("GET", "HEAD"):
            return True
        verb = verb_of(operation)
        return verb in rules.READ_VERBS or any(operation.startswith(p) for p in rules.READ_PREFIXES)

    # ------------------------------------------------------------------ the rules
    def decide(self, entry):
        operation = entry.operation
        key = (self.service.name, operation)
        if key in rules.OPERATION_OVERRIDES:
            return self.apply_override(entry, rules.OPERATION_OVERRIDES[key])
        if key in rules.SINGLETONS:
            return self.singleton(entry, rules.SINGLETONS[key])
        if key in rules.NOT_MODELLED:
            return entry.classified(rules.no_type_reason(split_operation(operation)[1]), "no Terraform type")
        verb, noun = split_operation(operation)
        if self.is_tagging(verb, noun):
            return self.tagging(entry, verb)
        subject, preposition, obj = split_preposition(noun)
        exact = self.match_types(noun)
        reason = rules.non_change_reason(self.service.name, verb, noun)
        if reason and not (exact and rules.changes_when_named(verb, noun)):
            return entry.classified(reason, "non-change")
        # `AddRoleToInstanceProfile`: the object after the preposition is what changes.
        if obj and not exact:
            found = self.match_types(obj)
            # `RestoreDBInstanceFromDBSnapshot`, `CopyImageFrom…` create the subject from the object.
            if found and not (preposition == "From" and verb in rules.CREATE_VERBS | {"Restore"}):
                return entry.mapped("modify", [self.make_target(operation, t, "modify") for t in found], "noun")
            noun = subject
            exact = self.match_types(noun)
        association = self.association_for(verb, noun)
        if association:
            change = "create" if verb in rules.ASSOCIATE_VERBS else "delete"
            return entry.mapped(change, [self.make_target(operation, association, change)], "association")
        if exact:
            change = change_of(verb, restore_creates=obj is not None)
            return entry.mapped(change, [self.make_target(operation, t, change) for t in exact], "noun")
        parent = self.match_noun_prefix(noun)
        if parent:
            # `ScheduleKeyDeletion`: the key is deleted (after a waiting period).
            change = "delete" if verb == "Schedule" and noun.endswith("Deletion") else "modify"
            return entry.mapped(change, [self.make_target(operation, parent, change)], "noun prefix")
        owner = self.type_by_identifier_member(operation)
        if owner:
            return entry.mapped("modify", [self.make_target(operation, owner, "modify")], "identifier member")
        if (self.service.name, operation) in rules.NOT_MODELLED or not self.resembles_a_type(noun):
            return entry.classified(rules.no_type_reason(noun), "no Terraform type")
        entry.kind, entry.rule = "uncovered", "noun resembles a Terraform type the rules could not pick"
        return entry

    def resembles_a_type(self, noun):
        """Whether a word of the noun (other than generic ones) occurs in a type name of the service:
        such a call probably changes a modelled resource and is left uncovered, for a rule to decide."""
        type_words = {w for name in self.types for w in name[len("aws_"):].split("_")}
        for word in words(noun):
            key = squash(singular(word))
            if key in rules.GENERIC_NOUN_WORDS or len(key) < 3:
                continue
            if key in type_words:
                return True
        return False

    def apply_override(self, entry, decision):
        if "reason" in decision:
            return entry.classified(decision["reason"], "override")
        change = decision["change"]
        targets = []
        for type_name in decision["types"]:
            spec = self.make_target(entry.operation, type_name, change, candidate="ids" not in decision)
            if "ids" in decision:
                spec["ids"] = [path_id(p) if isinstance(p, str) else {"paths": p["join"], "separator": p.get("separator", ":")}
                               for p in decision["ids"]]
            if "diff" in decision:
                spec["diff"] = [dict(d) for d in decision["diff"]]
            targets.append(spec)
        return entry.mapped(change, targets, "override")

    def singleton(self, entry, decision):
        scope = decision["scope"]
        path = {"region": "record.awsRegion", "account": "record.recipientAccountId"}[scope]
        ids = [path_id(p) for p in decision.get("ids", [])] + [path_id(path)]
        diff = [dict(d) for d in decision.get("diff", [])]
        return entry.mapped(decision.get("change", "modify"), [target(decision["type"], ids, diff)], "singleton")

    # ------------------------------------------------------------------ tags
    def is_tagging(self, verb, noun):
        """`TagResource`, `UntagRole`, `AddTagsToResource`, `RemoveTagsFromCertificate`, `CreateTags`…"""
        if verb in ("Tag", "Untag"):
            return True
        return verb in ("Add", "Remove", "Create", "Delete", "Put", "Update", "Change") and (
            noun == "Tags" or noun.startswith(("TagsTo", "TagsFrom", "TagsFor")))

    def tagging(self, entry, verb):
        operation = entry.operation
        taggable = [t for t in self.types.values() if t.has_tags]
        if not taggable:
            return entry.classified(rules.REASON_TAGS_UNMODELLED, "tags")
        members = [m for m in self.service.input_members(operation) if m.is_scalar or m.type == "list"]
        id_member = None
        for member in members:
            n = squash(member.name)
            if n in ("resourcearn", "resourceid", "resourcename", "resource", "arn", "resourcearnlist", "resourcearns",
                     "resourceids", "resourceidlist", "resources"):
                id_member = member
                break
        if id_member is None:
            # `TagRole(RoleName)`: the tag call of one resource type.
            _, noun = split_operation(operation)
            found = self.match_types(noun)
            if found:
                return entry.mapped("modify", [self.make_target(operation, t, "modify") for t in found], "tags")
            for member in members:
                owner = self.type_for_member(member)
                if owner:
                    return entry.mapped("modify", [self.make_target(operation, owner, "modify")], "tags")
            return entry.classified(rules.REASON_TAGS_UNMODELLED, "tags")
        paths = request_paths(self.service, operation, [id_member])
        ranked = sorted(taggable, key=lambda t: (-self.centrality(t.name), len(t.name), t.name))
        diff = []
        tags_member = next((m for m in self.service.input_members(operation) if squash(m.name) in ("tags", "taglist")), None)
        if tags_member is not None and verb in ("Tag", "Add", "Create", "Put"):
            diff = [{"attribute": "tags", "path": request_paths(self.service, operation, [tags_member])[0],
                     "as": "tags_added"}]
        targets = [target(t.name, [path_id(p) for p in paths], list(diff)) for t in ranked]
        return entry.mapped("modify", targets, "tags")

    def centrality(self, type_name):
        """How many of the service's operations name the type: the service's main resource first."""
        if not hasattr(self, "_centrality"):
            counts = {}
            for operation in self.service.operations:
                _, noun = split_operation(operation)
                for found in self.match_types(noun):
                    counts[found] = counts.get(found, 0) + 1
            self._centrality = counts
        return self._centrality.get(type_name, 0)

    # ------------------------------------------------------------------ nouns -> types
    def match_noun(self, noun):
        """The type whose name ends with the noun (singular or as written), or None."""
        if not noun:
            return None
        noun_words = words(noun)
        candidates = []
        for base in self.noun_variants(noun_words):
            candidates += [base, base[:-1] + [singular(base[-1])]]
        for variant in candidates:
            if not variant:
                continue
            found = self.match_noun_key(squash("".join(variant)))
            if found:
                return found
        return None

    def noun_variants(self, noun_words):
        """The noun as written, then rewritten the way the provider names it: RDS `DBCluster` ->
        `RdsCluster`, Neptune `DBCluster` -> `Cluster`; a first word that repeats the service's name
        dropped (ElastiCache `CacheCluster` -> `Cluster`); a trailing `Configuration` dropped when AWS
        calls the resource itself a configuration (`VpcEndpointServiceConfiguration`)."""
        variants = [list(noun_words)]
        for old, new in rules.NOUN_REWRITES.get(self.service.name, []):
            if noun_words and noun_words[0] == old:
                variants.append(([new] if new else []) + list(noun_words[1:]))
        service_key = squash(self.service.name)
        if len(noun_words) > 1 and len(noun_words[0]) > 2 and squash(noun_words[0]) in service_key:
            variants.append(list(noun_words[1:]))
        for variant in list(variants):
            if len(variant) > 1 and variant[-1] in ("Configuration", "Configurations", "Config", "Configs"):
                variants.append(variant[:-1])
        return [v for v in variants if v]

    def match_types(self, noun):
        """The types a noun names: one exactly; all of a tail several types share (`DeleteNamespace`
        -> the HTTP, private and public DNS namespaces); or the types whose name the noun begins
        (`CreateLocationFsxLustre` -> aws_datasync_location_fsx_lustre_file_system)."""
        if not noun:
            return []
        found = self.match_noun(noun)
        if found:
            return found if isinstance(found, list) else [found]
        noun_words = words(noun)
        for variant in self.noun_variants(noun_words):
            for key in (squash("".join(variant)), squash("".join(variant[:-1] + [singular(variant[-1])]))):
                candidates = self.by_tail.get(key, [])
                names = sorted({c[3] for c in candidates}, key=lambda n: (len(n), n))
                if 1 < len(names) <= rules.MAX_TARGETS:
                    return names
                if len(variant) < 2:
                    continue
                starting = sorted({n for k, cs in self.by_tail.items() if k.startswith(key) and len(key) >= 6
                                   for (weak, start, _, n) in cs if start == 0 or not weak}, key=lambda n: (len(n), n))
                starting = [n for n in starting if squash(self.relative(n)).startswith(key)]
                if 1 <= len(starting) <= rules.MAX_TARGETS:
                    return starting
        return []

    def relative(self, name):
        return name[len(self.common):] if name.startswith(self.common) else name[len("aws_"):]

    def match_noun_prefix(self, noun):
        noun_words = words(noun)
        for end in range(len(noun_words) - 1, 0, -1):
            found = self.match_noun("".join(noun_words[:end]))
            if found:
                return found[0] if isinstance(found, list) else found
        return None

    def association_for(self, verb, noun):
        """`AttachVolume` -> aws_volume_attachment; `AssociateRouteTable` -> aws_route_table_association."""
        if verb not in rules.ASSOCIATE_VERBS and verb not in rules.DISSOCIATE_VERBS:
            return None
        base = snake(noun)
        base_singular = snake("".join(words(noun)[:-1] + [singular(words(noun)[-1])])) if noun else base
        for stem in (base, base_singular):
            for suffix in ("_attachment", "_association"):
                for prefix in self.prefixes():
                    candidate = prefix + stem + suffix
                    if candidate in self.types:
                        return candidate
        return None

    def prefixes(self):
        if not hasattr(self, "_prefixes"):
            found = {"aws_"}
            for name in self.types:
                parts = name.split("_")
                for end in range(2, len(parts)):
                    found.add("_".join(parts[:end]) + "_")
            self._prefixes = sorted(found, key=lambda p: (len(p), p))
        return self._prefixes

    def type_by_identifier_member(self, operation):
        """A type named by an identifier member of the call: required members first."""
        required = self.service.input_required(operation)
        members = sorted(self.service.input_members(operation), key=lambda m: m.name not in required)
        for member in members:
            owner = self.type_for_member(member)
            if owner:
                return owner
        return None

    def type_for_member(self, member):
        n = squash(member.name)
        for word in GENERIC_ID_WORDS + ("ids", "arns", "names"):
            if n.endswith(word) and len(n) > len(word):
                found = self.match_noun_key(n[: -len(word)], strong_only=True)
                if found:
                    return found
        return None

    def match_noun_key(self, key, strong_only=False):
        """The type a squashed noun names: an alias, a strong tail, or a weak one only one type has."""
        alias = rules.NOUN_ALIASES.get((self.service.name, key))
        if alias:
            return alias[0] if isinstance(alias, list) and strong_only else alias
        candidates = self.by_tail.get(key)
        if not candidates:
            return None
        weak, _, _, name = candidates[0]
        if not weak:
            return name
        # A weak tail names one type only when no other type has it and it is no generic word
        # (`Version` is Lambda's function version, not the only type ending in `_version`).
        if strong_only or len({c[3] for c in candidates}) > 1 or key in rules.WEAK_TAIL_STOPWORDS:
            return None
        return name

    # ------------------------------------------------------------------ identifiers and diffs
    def make_target(self, operation, type_name, change, candidate=True):
        resource = self.types.get(type_name)
        ids = self.identifiers(operation, type_name, change)
        if ids:
            self.identified.add(type_name)
        elif candidate and resource is not None and rules.is_settings_type(resource):
            # Perhaps an account or region setting (`UpdateEventSourcesConfig`): the call names no
            # identifier because there is one per region (the type has a `region` attribute) or per
            # account. Decided in `settle_singletons`, once every call of the service is mapped.
            scope = "region" if "region" in resource.attributes else "account"
            ids = [path_id("record.awsRegion" if scope == "region" else "record.recipientAccountId")]
            self.singleton_candidates.setdefault(type_name, (scope, []))[1].append(ids)
        diff = self.diff(operation, resource, ids) if change == "modify" and resource is not None else []
        return target(type_name, ids, diff)

    def type_keys(self, type_name):
        """Squashed names the type's identifier members may start with: the full tail and shorter tails,
        and the nouns AWS uses for it (`trail` for aws_cloudtrail, `hostedzone` for aws_route53_zone)."""
        parts = type_name[len("aws_"):].split("_")
        keys = [squash("".join(parts[start:])) for start in range(len(parts))]
        for (service, noun), alias in rules.NOUN_ALIASES.items():
            if service == self.service.name and (alias == type_name or isinstance(alias, list) and type_name in alias):
                keys.insert(0, noun)
        # The noun rewrites backwards: aws_rds_cluster is what RDS members call `DBCluster…`.
        for old, new in rules.NOUN_REWRITES.get(self.service.name, []):
            for key in list(keys):
                if key.startswith(squash(new)) and squash(old) + key[len(squash(new)):] not in keys:
                    keys.append(squash(old) + key[len(squash(new)):])
        return keys

    def score_member(self, member, type_name, allow_generic):
        """How surely a member identifies the type: `DetectorId` for aws_guardduty_detector scores high,
        a generic `Name` low; list members (`SnapshotIdentifierList`, `AutomationRulesArns`) count as
        their items."""
        name = member.name[:-4] if member.name.endswith("List") and len(member.name) > 4 else member.name
        forms = {squash(name), squash("".join(singular(w) for w in words(name)))}
        return max(self.score_name(n, member, type_name, allow_generic) for n in forms)

    def score_name(self, n, member, type_name, allow_generic):
        keys = self.type_keys(type_name)
        for rank, key in enumerate(keys):
            weight = 100 - rank * 10
            if n in (key + w for w in GENERIC_ID_WORDS) or n in (key + w for w in ("ids", "arns", "names")):
                return weight + (3 if n.endswith(("arn", "arns")) else 5 if n.endswith(("id", "ids")) else 4)
            if n == key and member.is_scalar:
                return weight
        if n.endswith(tuple(k + w for k in keys[:1] for w in GENERIC_ID_WORDS)):
            return 50
        if allow_generic and n in GENERIC_ID_WORDS + ("resourcearn", "resourceid"):
            return 40
        return 0

    def identifier_members(self, members, type_name, allow_generic=True):
        scored = []
        for member in members:
            if not (member.is_scalar or (member.type == "list" and self.list_of_scalars(member))):
                continue
            score = self.score_member(member, type_name, allow_generic)
            if score:
                scored.append((score, member))
        scored.sort(key=lambda s: -s[0])
        return [m for _, m in scored[:2]]

    def list_of_scalars(self, member):
        item_shape, _ = self.service.list_member_shape(member.shape_name)
        return self.service.shape(item_shape).get("type") in ("string", "integer", "long")

    def identifiers(self, operation, type_name, change):
        service = self.service
        members = service.input_members(operation)
        request = []
        for member in self.identifier_members(members, type_name):
            request += request_paths(service, operation, [member])
        if not request:
            request = self.nested_identifiers(operation, members, type_name)
        response = self.response_identifiers(operation, type_name)
        # A creation's id is in the response; its parent's (`NetworkInterfaceId` of a new mirror
        # session) is no identifier of it.
        if not request and not (change == "create" and response):
            request = self.parent_identifiers(operation, members, type_name)
        paths = response + request if change == "create" else request + response
        seen, result = set(), []
        for p in paths:
            if p not in seen:
                seen.add(p)
                result.append(path_id(p))
        return result

    def nested_identifiers(self, operation, members, type_name):
        """`CreateBudget(Budget: {BudgetName})`: the identifier inside the structure named like the type."""
        keys = self.type_keys(type_name)
        paths = []
        for member in members:
            inner = self.structure_of(member)
            if not inner:
                continue
            # Inside a structure named like the type any id member will do; inside another one
            # (`StartWorkspaceRequests: [{WorkspaceId}]`) only a member named after the type.
            # `DatabaseInput`, `ConnectionInput`: AWS's input structures are named after the resource.
            base = member.name[:-5] if member.name.endswith("Input") and len(member.name) > 5 else member.name
            named = any(squash(singular(base)).endswith(k) or squash(base).endswith(k) for k in keys if len(k) > 3)
            for nested in self.identifier_members(self.service.members(inner), type_name, allow_generic=named):
                paths += request_paths(self.service, operation, [member, nested])
        return paths[:4]

    def structure_of(self, member):
        """The structure shape a member holds, directly or as the items of a list (EC2's `*Set`s)."""
        if member.type == "structure":
            return member.shape_name
        if member.type == "list":
            item, _ = self.service.list_member_shape(member.shape_name)
            if self.service.shape(item).get("type") == "structure":
                return item
        return None

    def parent_identifiers(self, operation, members, type_name):
        """A sub-resource identified by its parent (`PutAlertManagerDefinition(workspaceId)`, Terraform id
        = the workspace id): members that are also identifying attributes of the type (`workspace_id`),
        required ones first; else the call's required `…Id`/`…Name`/`…Arn` member."""
        resource = self.types.get(type_name)
        required = self.service.input_required(operation)
        ordered = sorted(members, key=lambda m: m.name not in required)
        suffixes = ("_id", "_name", "_arn", "_identifier", "_ids", "_names", "_arns")
        paths = []
        if resource is not None:
            for member in ordered:
                attribute = snake(member.name)
                # Only an attribute the type requires: the parent it belongs to, not something it refers to.
                if member.is_scalar and resource.required(attribute) and (
                        attribute.endswith(suffixes) or attribute in rules.IDENTIFYING_ATTRIBUTES):
                    paths += request_paths(self.service, operation, [member])
                    break
            if not paths:
                # `CreateMembers(AccountDetails: [{AccountId}])`: one level down, in a structure or list.
                for member in ordered:
                    inner = self.structure_of(member)
                    for nested in self.service.members(inner) if inner else []:
                        attribute = snake(nested.name)
                        if nested.is_scalar and resource.required(attribute) and attribute.endswith(suffixes):
                            paths += request_paths(self.service, operation, [member, nested])
                            break
                    if paths:
                        break
        if not paths:
            _, noun = split_operation(operation)
            for member in ordered:
                key = squash(member.name)
                if member.name in required and member.is_scalar and (
                        key.endswith(("id", "name", "arn", "identifier")) or (len(key) > 3 and key in squash(noun))):
                    paths += request_paths(self.service, operation, [member])
                    break
        return paths

    def response_identifiers(self, operation, type_name):
        service = self.service
        outputs = service.output_members(operation)
        paths = []
        for member in self.identifier_members(outputs, type_name, allow_generic=True):
            paths += response_paths(service, operation, [member])
        keys = self.type_keys(type_name)
        for member in outputs:
            inner_shape = self.structure_of(member)
            if inner_shape is None:
                continue
            n = squash(singular(member.name))
            if not any(n == k or n == k + "metadata" or n == k + "description" or n == k + "info" or n == k + "summary"
                       or n == k + "detail" or n == k + "details" or n == k + "configuration" for k in keys):
                continue
            inner = service.members(inner_shape)
            for nested in self.identifier_members(inner, type_name, allow_generic=True):
                paths += response_paths(service, operation, [member, nested])
        return paths[:4]

    def diff(self, operation, resource, ids):
        """Request members that carry a new value of a Terraform attribute of the same name and type.

        Only when every substantive member of the call lines up: a call whose other members changed
        something the diff cannot see must not be judged `no_effective_change`."""
        service = self.service
        id_paths = {p for i in ids for p in i["paths"]}
        mappings = []
        for member in service.input_members(operation):
            if any(p.endswith("." + lower_first(member.name)) for p in id_paths):
                continue
            if squash(member.name) in rules.CONTROL_MEMBERS:
                continue
            attribute = snake(member.name)
            if not resource.settable(attribute) or not compatible(service, member, resource.attributes[attribute][0]):
                return []
            mapping = {"attribute": attribute, "path": request_paths(service, operation, [member])[0]}
            if attribute in resource.sensitive_roots:
                mapping["sensitive"] = True
            mappings.append(mapping)
        return mappings


def compatible(service, member, code):
    kind = member.type
    if kind == "string":
        return code == "s"
    if kind in ("integer", "long", "double", "float"):
        return code == "n"
    if kind == "boolean":
        return code == "b"
    if kind == "list":
        item_shape, _ = service.list_member_shape(member.shape_name)
        item = service.shape(item_shape).get("type")
        return item == "string" and code in ("[s]", "{s}")
    if kind == "map":
        return code == "<s>"
    return False


# ---------------------------------------------------------------------- operation names
def verb_of(operation):
    return split_operation(operation)[0]


def split_operation(operation):
    """`BatchDeleteRules` -> ("BatchDelete", "Rules"); `TagResource` -> ("Tag", "Resource")."""
    operation = rules.normalised_name(operation)
    parts = words(operation)
    if not parts:
        return "", ""
    if parts[0] == "Batch" and len(parts) > 1:
        return "Batch" + parts[1], "".join(parts[2:])
    return parts[0], "".join(parts[1:])


def split_preposition(noun):
    """`RoleToInstanceProfile` -> ("Role", "To", "InstanceProfile"); no preposition -> (noun, None, None)."""
    parts = words(noun)
    for index, word in enumerate(parts):
        if index > 0 and word in ("To", "From", "With", "For", "On", "In", "Into", "Onto", "Of"):
            return "".join(parts[:index]), word, "".join(parts[index + 1:]) or None
    return noun, None, None


def change_of(verb, restore_creates):
    """What a call with this verb does to the resource its noun names exactly.

    `Put*` replaces a configuration that may or may not exist: a modification, as the curated catalog
    writes it. `Restore X From Y` creates X; `RestoreSecret` only cancels a scheduled deletion."""
    base = verb[len("Batch"):] if verb.startswith("Batch") and len(verb) > 5 else verb
    if base == "Restore":
        return "create" if restore_creates else "modify"
    if base in rules.CREATE_VERBS:
        return "create"
    if base in rules.DELETE_VERBS:
        return "delete"
    return "modify"


def common_prefix(names):
    """The longest `aws_..._` prefix every name shares, at word boundaries (`aws_guardduty_`)."""
    if not names:
        return "aws_"
    split = [n.split("_") for n in names]
    shared = []
    for column in zip(*split):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    if len(names) == 1 or len(shared) >= min(len(s) for s in split):
        shared = split[0][:-1] if len(names) == 1 else shared[:-1]
    # The service's own prefix (`aws_cloud9_`), not a noun its types happen to share (`environment`).
    shared = shared[:2]
    return "_".join(shared) + "_" if shared else "aws_"
