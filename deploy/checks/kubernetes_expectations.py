#!/usr/bin/env python3
"""What tfdriftctl needs from a rendered Kubernetes deployment, beyond the API schemas.

    kubernetes_expectations.py RENDERED.yaml [--min-replicas N] [--sqs]

A StatefulSet with a volume per replica at /var/lib/tfdriftctl, probes on /healthz and /readyz,
the hardened security context, resources set, secrets only by reference, Services/PDB/NetworkPolicy
selecting the detector's pods, the IRSA annotation; with --sqs the config reads an SQS queue and
there are at least --min-replicas replicas (competing consumers).
"""
import argparse
import sys

import yaml


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rendered")
    parser.add_argument("--min-replicas", type=int, default=1)
    parser.add_argument("--sqs", action="store_true")
    args = parser.parse_args()
    with open(args.rendered) as handle:
        objects = [d for d in yaml.safe_load_all(handle) if d]
    problems = []

    def one(kind):
        found = [o for o in objects if o["kind"] == kind]
        if len(found) != 1:
            problems.append(f"expected one {kind}, found {len(found)}")
            return {}
        return found[0]

    if any(o["kind"] == "Secret" for o in objects):
        problems.append("a Secret is rendered: secrets are referenced by name only, created outside the repository")
    if any(o["kind"] == "Deployment" for o in objects):
        problems.append("a Deployment would share one journal between replicas; use the StatefulSet")
    statefulset = one("StatefulSet")
    spec = statefulset.get("spec", {})
    pod = spec.get("template", {}).get("spec", {})
    labels = spec.get("template", {}).get("metadata", {}).get("labels", {})
    if spec.get("replicas", 1) < args.min_replicas:
        problems.append(f"StatefulSet replicas {spec.get('replicas', 1)} < {args.min_replicas}")
    claims = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])}
    container = next((c for c in pod.get("containers", []) if c["name"] == "tfdriftctl"), None)
    if container is None:
        problems.append("no container named tfdriftctl")
        container = {}
    mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
    data = mounts.get("/var/lib/tfdriftctl")
    if not data or data["name"] not in claims or data.get("readOnly"):
        problems.append("/var/lib/tfdriftctl must be a writable volumeClaimTemplate volume (one per replica)")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        if container.get(probe, {}).get("httpGet", {}).get("path") != path:
            problems.append(f"{probe} must GET {path}")
    security = container.get("securityContext", {})
    pod_security = pod.get("securityContext", {})
    if security.get("readOnlyRootFilesystem") is not True:
        problems.append("readOnlyRootFilesystem must be true")
    if security.get("allowPrivilegeEscalation") is not False:
        problems.append("allowPrivilegeEscalation must be false")
    if security.get("capabilities", {}).get("drop") != ["ALL"]:
        problems.append("capabilities must drop ALL")
    if not (security.get("runAsNonRoot") or pod_security.get("runAsNonRoot")):
        problems.append("runAsNonRoot must be true")
    if (security.get("seccompProfile") or pod_security.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        problems.append("seccompProfile must be RuntimeDefault")
    resources = container.get("resources", {})
    if not resources.get("requests", {}).get("memory") or not resources.get("limits", {}).get("memory"):
        problems.append("memory requests and limits must be set")
    for variable in container.get("env", []):
        if "value" in variable and any(w in variable["name"].upper() for w in ("TOKEN", "PASSWORD", "SECRET", "WEBHOOK")):
            problems.append(f"env {variable['name']} carries a value; reference a Secret (secretKeyRef)")
    for kind in ("Service", "PodDisruptionBudget", "NetworkPolicy"):
        for o in (o for o in objects if o["kind"] == kind):
            selector = o["spec"].get("selector", {}) if kind == "Service" else (
                o["spec"].get("selector", {}) if kind == "PodDisruptionBudget" else o["spec"].get("podSelector", {}))
            selector = selector.get("matchLabels", selector)
            if not selector or any(labels.get(k) != v for k, v in selector.items()):
                problems.append(f"{kind} {o['metadata']['name']} does not select the detector's pods")
    account = one("ServiceAccount")
    if "eks.amazonaws.com/role-arn" not in account.get("metadata", {}).get("annotations", {}):
        problems.append("the ServiceAccount needs the IRSA annotation eks.amazonaws.com/role-arn")
    if pod.get("serviceAccountName") != account.get("metadata", {}).get("name"):
        problems.append("the pods do not use the annotated ServiceAccount")
    configmap = one("ConfigMap")
    config = yaml.safe_load(configmap.get("data", {}).get("tfdrift.yaml", "")) or {}
    if args.sqs and not config.get("providers", {}).get("aws", {}).get("cloudtrail", {}).get("sqs_queue"):
        problems.append("the config has no providers.aws.cloudtrail.sqs_queue (the competing-consumers scale-out)")
    for key in ("journal_dir",):
        if not str(config.get("server", {}).get(key, "")).startswith("/var/lib/tfdriftctl/"):
            problems.append(f"server.{key} must be under the data volume /var/lib/tfdriftctl")
    picture = config.get("detection", {}).get("live_picture_file")
    if picture and not str(picture).startswith("/var/lib/tfdriftctl/"):
        problems.append("detection.live_picture_file must be under the data volume /var/lib/tfdriftctl")
    loki = config.get("outputs", {}).get("loki")
    if loki and not str(loki.get("spool_dir", "")).startswith("/var/lib/tfdriftctl/"):
        problems.append("outputs.loki.spool_dir must be under the data volume /var/lib/tfdriftctl")
    for problem in problems:
        print(f"{args.rendered}: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{args.rendered}: tfdriftctl's expectations hold ({len(objects)} objects)")


if __name__ == "__main__":
    main()
