#!/usr/bin/env python3
"""Renders a kustomization without kubectl, for offline schema validation.

    render_kustomize.py DIR > rendered.yaml

Implements the subset of kustomize that deploy/kubernetes uses, and refuses anything else (so a new
field cannot be silently ignored): `resources` (files and directories with a kustomization),
`namespace`, `configMapGenerator` (files; behavior create/replace/merge; a content-hash name suffix,
computed like kustomize's so the generated names match `kubectl kustomize`), and `patches` with a
path and a kind/name target as strategic-merge patches (lists of containers, env, volumes, ports and
volumeMounts merge by their key, as the Kubernetes API declares; other lists are replaced).
Generated ConfigMap names are substituted where the pod spec refers to them.
"""
import hashlib
import json
import os
import sys

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "configMapGenerator", "patches"}
# Strategic-merge keys of the lists these manifests patch (x-kubernetes-patch-merge-key).
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "env": "name", "volumes": "name",
    "volumeMounts": "mountPath", "ports": "containerPort", "volumeClaimTemplates": None,
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass"}


def load_kustomization(directory):
    path = os.path.join(directory, "kustomization.yaml")
    with open(path) as handle:
        kustomization = yaml.safe_load(handle)
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        sys.exit(f"{path}: {', '.join(sorted(unknown))} not supported by this renderer; extend it or render with kubectl")
    return kustomization


def build(directory):
    kustomization = load_kustomization(directory)
    objects = []
    for resource in kustomization.get("resources", []):
        path = os.path.normpath(os.path.join(directory, resource))
        if os.path.isdir(path):
            objects.extend(build(path))
        else:
            with open(path) as handle:
                objects.extend(document for document in yaml.safe_load_all(handle) if document)
    for generator in kustomization.get("configMapGenerator", []):
        apply_generator(objects, directory, generator)
    for patch in kustomization.get("patches", []):
        apply_patch(objects, directory, patch)
    namespace = kustomization.get("namespace")
    if namespace:
        for document in objects:
            if document["kind"] not in CLUSTER_SCOPED:
                document["metadata"]["namespace"] = namespace
    return objects


def apply_generator(objects, directory, generator):
    unknown = set(generator) - {"name", "files", "behavior"}
    if unknown:
        sys.exit(f"{directory}: configMapGenerator {', '.join(sorted(unknown))} not supported by this renderer")
    data = {}
    for entry in generator.get("files", []):
        key, _, file = entry.partition("=") if "=" in entry else (os.path.basename(entry), "", entry)
        with open(os.path.join(directory, file)) as handle:
            data[key] = handle.read()
    behavior = generator.get("behavior", "create")
    existing = next((o for o in objects if o["kind"] == "ConfigMap" and o.get("_generatedFrom") == generator["name"]), None)
    if behavior == "create":
        if existing:
            sys.exit(f"{directory}: ConfigMap {generator['name']} generated twice; use behavior: replace or merge")
        configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data}
        configmap["_generatedFrom"] = generator["name"]
        objects.append(configmap)
    elif behavior in ("replace", "merge"):
        if not existing:
            sys.exit(f"{directory}: ConfigMap {generator['name']} has behavior {behavior} but no base generates it")
        existing["data"] = data if behavior == "replace" else {**existing["data"], **data}
    else:
        sys.exit(f"{directory}: configMapGenerator behavior {behavior} is not create, replace or merge")


def apply_patch(objects, directory, patch):
    unknown = set(patch) - {"path", "target"}
    target = patch.get("target", {})
    if unknown or set(target) - {"kind", "name"}:
        sys.exit(f"{directory}: patches support path with a kind/name target only")
    with open(os.path.join(directory, patch["path"])) as handle:
        body = yaml.safe_load(handle)
    matches = [o for o in objects if o["kind"] == target["kind"] and o["metadata"]["name"] == target["name"]]
    if len(matches) != 1:
        sys.exit(f"{directory}: patch {patch['path']} matches {len(matches)} objects, expected 1")
    merge(matches[0], body, patch["path"])


def merge(base, patch, where):
    for key, value in patch.items():
        if key in ("apiVersion", "kind") and base.get(key) not in (None, value):
            sys.exit(f"{where}: patch {key} {value} does not match {base.get(key)}")
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value, where)
        elif isinstance(value, list) and isinstance(base.get(key), list) and MERGE_KEYS.get(key):
            # As kustomize orders them: the patch's items first (merged into the base's item of the
            # same key), then the base's other items.
            merge_key = MERGE_KEYS[key]
            merged = []
            for item in value:
                current = next((b for b in base[key] if b.get(merge_key) == item.get(merge_key)), None)
                if current is not None:
                    merge(current, item, where)
                merged.append(current if current is not None else item)
            keys = {item.get(merge_key) for item in value}
            base[key] = merged + [b for b in base[key] if b.get(merge_key) not in keys]
        else:
            base[key] = value


def finish_generated(objects):
    """kustomize's name suffix: the first 10 characters of the SHA-256 of the ConfigMap's JSON
    encoding ({"data", "kind", "name"}, Go's json.Marshal), mapped to a consonant/digit alphabet; then
    every reference from pod specs is renamed. The name in that encoding is empty: kustomize's hasher
    looks up "metadata/name" as one field name, which finds nothing (checked against the names
    `kubectl kustomize` (kustomize v5.5.0) generates for these overlays)."""
    renamed = {}
    for document in objects:
        source = document.pop("_generatedFrom", None)
        if source is None:
            continue
        encoded = go_json({"kind": "ConfigMap", "name": "", "data": document["data"]})
        digest = hashlib.sha256(encoded.encode()).hexdigest()
        suffix = "".join(encode_hex(c) for c in digest[:10])
        renamed[source] = f"{source}-{suffix}"
        document["metadata"]["name"] = renamed[source]
    for document in objects:
        spec = document.get("spec", {}).get("template", {}).get("spec")
        if not spec:
            continue
        for volume in spec.get("volumes", []):
            if "configMap" in volume and volume["configMap"]["name"] in renamed:
                volume["configMap"]["name"] = renamed[volume["configMap"]["name"]]
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("configMapKeyRef")
                if ref and ref["name"] in renamed:
                    ref["name"] = renamed[ref["name"]]
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef")
                if ref and ref["name"] in renamed:
                    ref["name"] = renamed[ref["name"]]


def go_json(value):
    """Go's json.Marshal: sorted keys, no spaces, UTF-8 kept, <, >, & and U+2028/9 escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def encode_hex(character):
    # kustomize (api/hasher) swaps the vowels and look-alikes 0, 1, 3, a, e out of the hex digits.
    return {"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"}.get(character, character)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    objects = build(sys.argv[1])
    finish_generated(objects)
    yaml.safe_dump_all(objects, sys.stdout, sort_keys=False)


if __name__ == "__main__":
    main()
