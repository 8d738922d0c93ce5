"""The smallest OpenAPI answers that satisfies kubectl: an index naming
api/v1, and a document whose Node operations declare the fieldValidation
query parameter. kubectl 1.29+ reads v3; 1.27 and 1.28 read v2, and only in protobuf
(gnostic's openapi_v2.Document), so v2 is encoded here by hand. kubectl then leaves validation to the server
(?fieldValidation=Strict) instead of downloading schemas; this server
checks unknown fields itself (strict_errors). No component schemas are
served: `kubectl explain` does not work, client-side apply falls back to
kubectl's built-in Node type.
"""

HASH = "F4K3A91000000000000000000000000000000000000000000000000000000000"
GVK = {"x-kubernetes-group-version-kind": {"group": "", "kind": "Node", "version": "v1"}}


def _params(*names):
    return [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}} for n in names]


def _op(action, *params):
    op = {"x-kubernetes-action": action, "parameters": _params(*params),
          "responses": {"200": {"description": "OK"}}}
    op.update(GVK)
    return op


def index():
    return {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=" + HASH}}}


def core_v1():
    write = ("dryRun", "fieldManager", "fieldValidation", "pretty")
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.30.4"},
        "paths": {
            "/api/v1/nodes": {
                "get": _op("list", "labelSelector", "fieldSelector", "limit", "continue", "resourceVersion",
                           "resourceVersionMatch", "watch", "allowWatchBookmarks", "timeoutSeconds"),
                "post": _op("post", *write),
                "delete": _op("deletecollection", "labelSelector", "fieldSelector", "dryRun"),
            },
            "/api/v1/nodes/{name}": {
                "get": _op("get"),
                "put": _op("put", *write),
                "patch": _op("patch", "force", *write),
                "delete": _op("delete", "dryRun", "gracePeriodSeconds", "propagationPolicy"),
            },
            "/api/v1/nodes/{name}/status": {
                "get": _op("get"),
                "put": _op("put", *write),
                "patch": _op("patch", "force", *write),
            },
        },
        "components": {"schemas": {}},
    }


# Fields of a v1 Node known to this server (two levels; below that anything goes).
KNOWN = {
    "": {"kind", "apiVersion", "metadata", "spec", "status"},
    "metadata": {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
                 "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
                 "annotations", "ownerReferences", "finalizers", "managedFields"},
    "spec": {"podCIDR", "podCIDRs", "providerID", "unschedulable", "taints", "configSource", "externalID"},
    "status": {"capacity", "allocatable", "phase", "conditions", "addresses", "daemonEndpoints", "nodeInfo",
               "images", "volumesInUse", "volumesAttached", "config", "runtimeHandlers", "features"},
}


def unknown_fields(obj):
    """Paths like "spec.foo" of fields a v1 Node does not have."""
    out = []
    if not isinstance(obj, dict):
        return out
    for k in obj:
        if k not in KNOWN[""]:
            out.append(k)
        elif k in KNOWN and isinstance(obj[k], dict):
            out.extend("%s.%s" % (k, sub) for sub in obj[k] if sub not in KNOWN[k] and not sub.startswith("$"))
    return out


# --- OpenAPI v2 as protobuf (field numbers of gnostic's openapiv2/OpenAPIv2.proto) -----

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _f(num, payload):
    """A length-delimited field (strings and embedded messages)."""
    if isinstance(payload, str):
        payload = payload.encode()
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def _v2_op(params):
    # Operation: parameters = 8 (ParametersItem.parameter = 1 -> Parameter.non_body_parameter = 2
    # -> NonBodyParameter.query_parameter_sub_schema = 3 {in = 2, name = 4, type = 6}),
    # vendor_extension = 13 (NamedAny {name = 1, value = 2: Any {yaml = 2}}).
    out = b""
    for name in params:
        q = _f(2, "query") + _f(4, name) + _f(6, "string")
        out += _f(8, _f(1, _f(2, _f(3, q))))
    gvk = 'group: ""\nkind: Node\nversion: v1\n'
    return out + _f(13, _f(1, "x-kubernetes-group-version-kind") + _f(2, _f(2, gvk)))


def v2_protobuf():
    """Document {swagger = 1, info = 2 {title = 1, version = 2}, paths = 8 {path = 2:
    NamedPathItem {name = 1, value = 2: PathItem {put = 3, post = 4, patch = 8}}}}."""
    write = ("dryRun", "fieldManager", "fieldValidation", "pretty")
    paths = [("/api/v1/nodes", _f(4, _v2_op(write))),
             ("/api/v1/nodes/{name}", _f(3, _v2_op(write)) + _f(8, _v2_op(("force",) + write))),
             ("/api/v1/nodes/{name}/status", _f(3, _v2_op(write)) + _f(8, _v2_op(("force",) + write)))]
    body = b"".join(_f(2, _f(1, name) + _f(2, item)) for name, item in paths)
    return _f(1, "2.0") + _f(2, _f(1, "Kubernetes") + _f(2, "v1.30.4")) + _f(8, body)
