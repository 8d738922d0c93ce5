"""Documents the fake API server answers with that are not stored objects:
version, discovery, and the server-side Table that `kubectl get` asks for.
"""
import calendar
import time

NODE_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def version(v):
    major, minor, patch = (v.split(".") + ["0", "0"])[:3]
    return {"major": major, "minor": minor, "gitVersion": "v%s.%s.%s" % (major, minor, patch),
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2024-08-14T00:00:00Z", "goVersion": "go1.22.5", "compiler": "gc",
            "platform": "linux/amd64"}


def api_versions(addr):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": addr}]}


def api_groups():
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}


def core_v1_resources():
    return {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "nodes", "singularName": "node", "namespaced": False, "kind": "Node",
         "verbs": NODE_VERBS, "shortNames": ["no"], "storageVersionHash": "XwShjMxG9Fs="},
        {"name": "nodes/status", "singularName": "", "namespaced": False, "kind": "Node",
         "verbs": ["get", "patch", "update"]},
    ]}


def human_age(seconds):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(max(seconds, 0))
    if s < 120:
        return "%ds" % s
    m = s // 60
    if m < 10:
        return "%dm%ds" % (m, s % 60) if s % 60 else "%dm" % m
    if m < 180:
        return "%dm" % m
    h = m // 60
    if h < 8:
        return "%dh%dm" % (h, m % 60) if m % 60 else "%dh" % h
    if h < 48:
        return "%dh" % h
    if h < 192:
        return "%dd%dh" % (h // 24, h % 24) if h % 24 else "%dd" % (h // 24)
    if h < 24 * 365 * 2:
        return "%dd" % (h // 24)
    y = h // (24 * 365)
    if y < 8:
        return "%dy%dd" % (y, (h // 24) % 365)
    return "%dy" % y


COLUMNS = [
    ("Name", "name", 0, "Name must be unique within a namespace."),
    ("Status", "", 0, "The status of the node"),
    ("Roles", "", 0, "The roles of the node"),
    ("Age", "", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."),
    ("Version", "", 0, "Kubelet Version reported by the node."),
    ("Internal-IP", "", 1, "List of internal IPs in the node."),
    ("External-IP", "", 1, "List of external IPs in the node."),
    ("OS-Image", "", 1, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
    ("Kernel-Version", "", 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    ("Container-Runtime", "", 1, "Container runtime version reported by the node through runtime remote API."),
]


def _cells(obj):
    md, spec, st = obj.get("metadata", {}), obj.get("spec") or {}, obj.get("status") or {}
    ready = "Unknown"
    for c in st.get("conditions") or []:
        if c.get("type") == "Ready":
            ready = "Ready" if c.get("status") == "True" else "NotReady"
    if spec.get("unschedulable"):
        ready += ",SchedulingDisabled"
    labels = md.get("labels") or {}
    roles = sorted(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/") and "/" in k)
    if labels.get("kubernetes.io/role"):
        roles.append(labels["kubernetes.io/role"])
    try:
        age = human_age(time.time() - calendar.timegm(time.strptime(md.get("creationTimestamp", ""),
                                                                      "%Y-%m-%dT%H:%M:%SZ")))
    except ValueError:
        age = "<unknown>"

    def addr(kind):
        return next((a.get("address") for a in st.get("addresses") or [] if a.get("type") == kind), "<none>")
    info = st.get("nodeInfo") or {}
    return [md.get("name", ""), ready, ",".join(roles) or "<none>", age, info.get("kubeletVersion", ""),
            addr("InternalIP"), addr("ExternalIP"), info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>", info.get("containerRuntimeVersion") or "<unknown>"]


def table(objs, rv, include="Metadata", cont=None, remaining=None):
    rows = []
    for o in objs:
        row = {"cells": _cells(o)}
        if include == "Object":
            row["object"] = o
        elif include != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": o.get("metadata", {})}
        rows.append(row)
    md = {"resourceVersion": str(rv)}
    if cont:
        md["continue"] = cont
    if remaining is not None:
        md["remainingItemCount"] = remaining
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": md,
            "columnDefinitions": [{"name": n, "type": "string", "format": f, "description": d, "priority": p}
                                  for n, f, p, d in COLUMNS], "rows": rows}
