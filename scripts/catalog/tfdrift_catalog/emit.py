"""Writes the compiled catalog the detector embeds (see docs/event-catalog.md, "Compiled form").

catalog.tsv — one line per (event source, event name), sorted by (source, name) as bytes, so the
detector finds a call by binary search in the embedded text without parsing anything at start-up:

    source TAB name TAB R                      read-only (from the API model)
    source TAB name TAB U                      mutating, neither mapped nor classified
    source TAB name TAB N TAB reason           classified: changes no resource
    source TAB name TAB M TAB change TAB severity|- TAB origin TAB target [TAB target]...

    target  = type "|" idspec (";" idspec)* "|" [diff (";" diff)*] ["|" change]   change of this target if not the entry's
    idspec  = path ("+" path)* ["," "s=" text] ["," "x=" text]      join separator, prefix to strip
    diff    = ["!"] attribute "=" (path ["~" transform] | "=" tag ":" text)   "!" = sensitive; tag b|n|s|z (null)
    origin  = "c:" curated file | "g:" botocore service

singletons.tsv — the account/region singleton resource types and their scope (region|account).
services.tsv — per botocore service: name, event source, protocol, Terraform types, read-only count,
and its mutating event names; terraform.tsv — per resource type: service, singleton scope, sensitive
attributes. `text` fields are percent-encoded where they hold one of % TAB LF | ; , = + ~ (a reason: % TAB LF).
"""
import os

_ESCAPED = set("%\t\n\r|;,=+~")
_ESCAPED_IN_REASON = set("%\t\n\r")


def encode(text, escaped=_ESCAPED):
    out = []
    for character in text:
        if character in escaped or ord(character) < 0x20:
            out.append("".join(f"%{b:02X}" for b in character.encode("utf-8")))
        else:
            out.append(character)
    return "".join(out)


def idspec(spec):
    text = "+".join(spec["paths"])
    if spec.get("separator") is not None and spec.get("separator") != ":":
        text += ",s=" + encode(spec["separator"])
    if spec.get("strip_prefix") is not None:
        text += ",x=" + encode(spec["strip_prefix"])
    return text


def diffspec(mapping):
    text = ("!" if mapping.get("sensitive") else "") + mapping["attribute"] + "="
    if "value" in mapping:
        tag, value = mapping["value"]
        return text + "=" + tag + ":" + encode(value)
    text += mapping["path"]
    if mapping.get("as"):
        text += "~" + mapping["as"]
    return text


def target_field(target):
    ids = ";".join(idspec(s) for s in target["ids"])
    diff = ";".join(diffspec(m) for m in target["diff"])
    field = target["type"] + "|" + ids + "|" + diff
    return field + "|" + target["change"] if target.get("change") else field


def catalog_line(entry):
    head = entry["source"] + "\t" + entry["name"] + "\t"
    kind = entry["kind"]
    if kind == "read":
        return head + "R"
    if kind == "uncovered":
        return head + "U"
    if kind == "classified":
        return head + "N\t" + encode(entry["reason"], _ESCAPED_IN_REASON)
    fields = [entry["change"], entry.get("severity") or "-", entry["origin"]]
    fields += [target_field(t) for t in entry["targets"]]
    return head + "M\t" + "\t".join(fields)


def sort_key(entry):
    return (entry["source"].encode("utf-8"), entry["name"].encode("utf-8"))


def write(directory, entries, services, types, header):
    os.makedirs(directory, exist_ok=True)
    lines = [catalog_line(e) for e in sorted(entries, key=sort_key)]
    _write(os.path.join(directory, "catalog.tsv"), lines)
    service_lines = ["# " + h for h in header]
    for s in services:
        service_lines.append("\t".join([s["name"], s["source"], s["protocol"], str(s["types"]), str(s["read_only"]),
                                        ",".join(s["mutating"])]))
    _write(os.path.join(directory, "services.tsv"), service_lines)
    type_lines = ["# " + h for h in header]
    for t in types:
        type_lines.append("\t".join([t["name"], t["service"] or "-", t["singleton"] or "-", ",".join(t["sensitive"])]))
    _write(os.path.join(directory, "terraform.tsv"), type_lines)
    singleton_lines = ["# " + h for h in header[:1]] + [t["name"] + "\t" + t["singleton"] for t in types if t["singleton"]]
    _write(os.path.join(directory, "singletons.tsv"), singleton_lines)


def _write(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines) + "\n")
