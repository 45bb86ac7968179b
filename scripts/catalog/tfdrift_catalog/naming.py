"""Name handling shared by the rules: CamelCase words, snake_case, singular nouns, CloudTrail keys."""
import re

# Acronyms AWS writes in capitals inside names (`DBInstance`, `VPCEndpoint`, `IPSet`) stay together
# unless a lowercase letter follows (`DBInstance` -> DB Instance); a plural acronym keeps its `s`
# (`ARNs`); digits stay with the word before them (`S3`, `EC2`, `Ipv6`, `Route53`).
_WORD = re.compile(
    r"[A-Z]{2,}s(?=[A-Z0-9]|$)|[A-Z]+[0-9]+(?=[A-Z]|$)|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")


def words(name):
    """`CreateDBClusterParameterGroup` -> ['Create', 'DB', 'Cluster', 'Parameter', 'Group']."""
    return _WORD.findall(name)


def snake(name):
    """`DBClusterIdentifier` -> `db_cluster_identifier`; `IPSetId` -> `ip_set_id`."""
    return "_".join(w.lower() for w in words(name))


def squash(text):
    """Compare names whatever their case or separators: `ip_set`, `IPSet`, `ipset` -> `ipset`."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def lower_first(name):
    """CloudTrail writes request/response members with the first letter lower-cased (`dBInstanceIdentifier`)."""
    return name[:1].lower() + name[1:] if name else name


# Nouns ending in s that are singular, and irregular plurals, as AWS names use them.
_SINGULAR_ENDINGS = ("ss", "us", "is", "ics", "news", "alias", "status", "analysis", "access", "address", "settings",
                     "credentials", "options", "preferences", "data", "metadata")
_IRREGULAR = {"indices": "index", "indexes": "index", "aliases": "alias", "statuses": "status", "addresses": "address",
              "accesses": "access", "analyses": "analysis", "policies": "policy", "entries": "entry"}


def singular(word):
    """English singular of one noun word, conservative: `Members` -> `Member`, `Policies` -> `Policy`.

    Acronyms keep their case (`ACLs` -> `ACL`); words that only look plural stay (`Status`, `Access`).
    """
    lower = word.lower()
    if word[:-1].isupper() and word.endswith("s") and len(word) > 2:
        return word[:-1]
    if word.isupper() or len(word) <= 3:
        return word
    if lower in _IRREGULAR:
        result = _IRREGULAR[lower]
    elif lower.endswith(_SINGULAR_ENDINGS):
        return word
    elif lower.endswith("ies"):
        result = lower[:-3] + "y"
    elif lower.endswith(("sses", "shes", "ches", "xes")):
        result = lower[:-2]
    elif lower.endswith("s"):
        result = lower[:-1]
    else:
        return word
    return result.capitalize() if word[:1].isupper() else result
