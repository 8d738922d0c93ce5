#!/bin/sh
# xcluster-cni.yaml against the Kubernetes schema and the project's rules.
#
# Schema, twice over, so that a misspelled or mistyped field fails:
#  - the real kubectl decodes the DaemonSet and the ClusterRoleBinding into
#    its typed Go structs offline (`set image --local`, `set subject --local`):
#    a wrong type is an error, an unknown field is dropped, and every field
#    of the input must come back out;
#  - every object is walked against the models of Debian's
#    python3-kubernetes (field names, types, required fields).
# Then the fields the design requires (RBAC, security context, probe,
# volumes, image). Mutated copies prove the checks can fail.
. "$(dirname "$0")/../lib/t.sh"
cd "$(dirname "$0")/../.." || exit 2

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MANIFEST=xcluster-cni.yaml
PLACEHOLDER=localhost/xcluster-cni:latest

cat > "$T/check.py" <<'EOF'
import json, re, sys
import yaml

def load(path):
    return [d for d in yaml.safe_load_all(open(path)) if d is not None]

def out(ok, desc):
    print(("ok" if ok else "fail") + "\t" + desc)

# --- schema: the python3-kubernetes models ------------------------------------
MODELS = {
    ("v1", "ServiceAccount"): "V1ServiceAccount",
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): "V1ClusterRole",
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): "V1ClusterRoleBinding",
    ("apps/v1", "DaemonSet"): "V1DaemonSet",
}
PRIM = {"str": (str,), "int": (int,), "bool": (bool,), "float": (int, float),
        "datetime": (str,), "date": (str,)}

def walk(v, t, path, errs):
    import kubernetes.client.models as M
    if t == "object":          # IntOrString and the like
        if not isinstance(v, (int, str)) or isinstance(v, bool):
            errs.append(f"{path}: want an int or a string, got {v!r}")
        return
    m = re.fullmatch(r"list\[(.*)\]", t)
    if m:
        if not isinstance(v, list):
            errs.append(f"{path}: want a list, got {v!r}")
            return
        for i, x in enumerate(v):
            walk(x, m.group(1), f"{path}[{i}]", errs)
        return
    m = re.fullmatch(r"dict\(str, (.*)\)", t)
    if m:
        if not isinstance(v, dict):
            errs.append(f"{path}: want a map, got {v!r}")
            return
        for k, x in v.items():
            walk(x, m.group(1), f"{path}.{k}", errs)
        return
    if t in PRIM:
        if not isinstance(v, PRIM[t]) or (t != "bool" and isinstance(v, bool)):
            errs.append(f"{path}: want {t}, got {v!r}")
        return
    cls = getattr(M, t)
    if not isinstance(v, dict):
        errs.append(f"{path}: want an object ({t}), got {v!r}")
        return
    rev = {j: a for a, j in cls.attribute_map.items()}
    for k, x in v.items():
        if k not in rev:
            errs.append(f"{path}.{k}: no such field in {t}")
        else:
            walk(x, cls.openapi_types[rev[k]], f"{path}.{k}", errs)

def required(doc, model):
    # The client's own deserializer runs each model's setters, which refuse
    # a missing required field.
    from kubernetes.client import ApiClient
    try:
        ApiClient()._ApiClient__deserialize(doc, model)
        return None
    except (ValueError, TypeError) as e:
        return str(e)

def schema(path):
    for d in load(path):
        key = (d.get("apiVersion"), d.get("kind"))
        name = f"{d.get('kind')}/{d.get('metadata', {}).get('name')}"
        if key not in MODELS:
            out(False, f"schema: {name}: unexpected apiVersion/kind {key}")
            continue
        errs = []
        walk(d, MODELS[key], d["kind"], errs)
        e = required(d, MODELS[key])
        if e:
            errs.append(e)
        out(not errs, f"schema: {name}" + ("" if not errs else ": " + "; ".join(errs)))

# --- kubectl's typed round trip -------------------------------------------------
def split(path, outdir):
    for d in load(path):
        kind = d["kind"]
        json.dump(d, open(f"{outdir}/{kind}.json", "w"))
        print(kind)

def subset(a, b, path, errs):
    if isinstance(a, dict):
        if not isinstance(b, dict):
            errs.append(f"{path}: became {b!r}")
            return
        for k, v in a.items():
            if k not in b:
                errs.append(f"{path}.{k}: dropped (unknown field?)")
            else:
                subset(v, b[k], f"{path}.{k}", errs)
    elif isinstance(a, list):
        if not isinstance(b, list) or len(b) < len(a):
            errs.append(f"{path}: list became {b!r}")
            return
        for i, v in enumerate(a):
            subset(v, b[i], f"{path}[{i}]", errs)
    elif a != b and not (isinstance(a, (int, float)) and not isinstance(a, bool) and a == b):
        errs.append(f"{path}: {a!r} came back as {b!r}")

def roundtrip(inp, outp, desc, image=None):
    a = json.load(open(inp))
    if image:  # kubectl prints only a changed object: it was given this image
        pod = a["spec"]["template"]["spec"]
        for c in pod.get("initContainers", []) + pod.get("containers", []):
            c["image"] = image
    try:
        b = json.load(open(outp))
    except ValueError:
        out(False, f"{desc}: kubectl printed no object")
        return
    errs = []
    subset(a, b, a["kind"], errs)
    out(not errs, desc + ("" if not errs else ": " + "; ".join(errs)))

# --- what the design requires ------------------------------------------------------
def qty(s):
    m = re.fullmatch(r"(\d+)(Ki|Mi|Gi|k|M|G|m)?", str(s))
    if not m:
        return None
    mult = {None: 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "k": 1e3, "M": 1e6,
            "G": 1e9, "m": 1e-3}[m.group(2)]
    return int(m.group(1)) * mult

def brief(path, image):
    docs = load(path)
    by = {d["kind"]: d for d in docs}
    out(sorted(d["kind"] for d in docs) ==
        ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet", "ServiceAccount"],
        "objects: ServiceAccount, ClusterRole, ClusterRoleBinding, ConfigMap, DaemonSet")
    sa, cr, crb, cm, ds = (by.get(k, {}) for k in
                           ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet"))
    g = lambda d, *ks: _get(d, ks)
    out(g(sa, "metadata", "namespace") == "kube-system", "ServiceAccount in kube-system")
    rules = g(cr, "rules") or []
    out(len(rules) == 1 and rules[0].get("apiGroups") == [""] and rules[0].get("resources") == ["nodes"]
        and sorted(rules[0].get("verbs", [])) == ["get", "list", "watch"] and
        set(rules[0]) == {"apiGroups", "resources", "verbs"},
        "ClusterRole: nodes get/list/watch and nothing else")
    out(g(crb, "roleRef") == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                             "name": g(cr, "metadata", "name")}, "binding refers to the ClusterRole")
    out(g(crb, "subjects") == [{"kind": "ServiceAccount", "name": g(sa, "metadata", "name"),
                               "namespace": "kube-system"}], "binding's only subject is the ServiceAccount")
    out(g(ds, "metadata", "namespace") == "kube-system", "DaemonSet in kube-system")
    spec = g(ds, "spec", "template", "spec") or {}
    labels = g(ds, "spec", "template", "metadata", "labels") or {}
    sel = g(ds, "spec", "selector", "matchLabels") or {}
    out(sel and all(labels.get(k) == v for k, v in sel.items()), "selector matches the pod labels")
    out(g(ds, "spec", "updateStrategy", "type") == "RollingUpdate", "updateStrategy RollingUpdate")
    out(spec.get("serviceAccountName") == g(sa, "metadata", "name"), "pod runs as the ServiceAccount")
    out(spec.get("hostNetwork") is True, "hostNetwork: true")
    out(spec.get("priorityClassName") == "system-node-critical", "priorityClassName system-node-critical")
    out({"operator": "Exists"} in (spec.get("tolerations") or []), "tolerates every taint (operator Exists, no key)")
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    inits = spec.get("initContainers") or []
    ctrs = spec.get("containers") or []
    out([c.get("name") for c in inits] == ["install"], "one init container: install")
    out([c.get("name") for c in ctrs] == ["router"], "one container: router")
    inst = inits[0] if inits else {}
    rt = ctrs[0] if ctrs else {}
    out(inst.get("args") == ["install"] and "command" not in inst, "install runs the install applet")
    out(rt.get("args") == ["router"] and "command" not in rt, "router runs the router applet")
    for c in inits + ctrs:
        out(c.get("image") == image, f"{c.get('name')}: image {image}")
        out(c.get("imagePullPolicy") == "IfNotPresent", f"{c.get('name')}: imagePullPolicy IfNotPresent")
    out(all(str(c.get("image", "")).startswith("localhost/") for c in inits + ctrs),
        "images name no registry host")
    env = lambda c: {e["name"]: e for e in c.get("env", [])}
    mounts = lambda c: {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
    hp = lambda n: g(vols.get(n, {}), "hostPath", "path")
    ie, re_ = env(inst), env(rt)
    for var, host in (("CNI_BIN_DIR", "/opt/cni/bin"), ("CNI_CONF_DIR", "/etc/cni/net.d")):
        p = g(ie, var, "value")
        out(p and hp(mounts(inst).get(p)) == host, f"install: {var} is where host {host} is mounted")
    out(g(ie, "NODE_IP", "valueFrom", "fieldRef", "fieldPath") == "status.hostIP", "install: NODE_IP from status.hostIP")
    out(g(re_, "NODE_NAME", "valueFrom", "fieldRef", "fieldPath") == "spec.nodeName", "router: NODE_NAME from spec.nodeName")
    for c, e in ((inst, ie), (rt, re_)):
        ref = g(e, "TUNNEL_MODE", "valueFrom", "configMapKeyRef") or {}
        out(ref.get("name") == g(cm, "metadata", "name") and ref.get("key") in (cm.get("data") or {}),
            f"{c.get('name')}: TUNNEL_MODE from the ConfigMap")
    out(g(cm, "data", "tunnel-mode") in ("", "none", "sit", "ipip", "vxlan", "auto"), "ConfigMap: a valid tunnel mode")
    for var in ("MASQUERADE", "CLUSTER_CIDR", "NO_MASQUERADE_CIDRS"):
        ref = g(re_, var, "valueFrom", "configMapKeyRef") or {}
        out(ref.get("name") == g(cm, "metadata", "name") and ref.get("key") in (cm.get("data") or {}),
            f"router: {var} from the ConfigMap")
    out(g(cm, "data", "masquerade") == "true", "ConfigMap: masquerade true")
    import ipaddress
    try:
        nets = [ipaddress.ip_network(c.strip()) for c in (g(cm, "data", "cluster-cidr") or "").split(",")]
    except ValueError:
        nets = []
    # set, both families: the router judges pod CIDRs against it (issue 12)
    out(sorted({n.version for n in nets}) == [4, 6], "ConfigMap: cluster-cidr set, an IPv4 and an IPv6 range")
    for c, add in ((inst, ["NET_ADMIN"]), (rt, ["NET_ADMIN"])):
        sc = c.get("securityContext") or {}
        n = c.get("name")
        out(g(sc, "capabilities", "drop") == ["ALL"], f"{n}: capabilities drop ALL")
        out(g(sc, "capabilities", "add") == add, f"{n}: capabilities add {add}")
        out(sc.get("privileged") is not True, f"{n}: not privileged")
        out(sc.get("allowPrivilegeEscalation") is False, f"{n}: no privilege escalation")
        out(sc.get("readOnlyRootFilesystem") is True, f"{n}: read-only root filesystem")
        out(sc.get("runAsUser") == 0, f"{n}: runAsUser 0")
    hg = g(rt, "livenessProbe", "httpGet") or {}
    out(hg.get("host") == "127.0.0.1" and hg.get("path") == "/healthz" and hg.get("port") == 9142
        and hg.get("scheme", "HTTP") == "HTTP", "router: liveness httpGet 127.0.0.1:9142/healthz")
    for c in inits + ctrs:
        r = c.get("resources") or {}
        req, lim = r.get("requests") or {}, r.get("limits") or {}
        ok = all(qty(req.get(k)) for k in ("cpu", "memory")) and qty(lim.get("memory")) \
            and qty(lim["memory"]) >= qty(req["memory"]) and qty(lim["memory"]) <= 256 << 20
        out(bool(ok), f"{c.get('name')}: small cpu/memory requests and a memory limit")
    out(hp(mounts(rt).get("/var/lib/cni/networks/xcluster-cni")) == "/var/lib/cni/networks/xcluster-cni",
        "router: node-local's network dir (podcidrs) at the host's path")
    used = [m["name"] for c in inits + ctrs for m in c.get("volumeMounts", [])]
    out(all(n in vols for n in used) and sorted(set(used)) == sorted(vols), "every mount has a volume, every volume a mount")
    out(all(g(v, "hostPath", "type") == "DirectoryOrCreate" for v in vols.values() if "hostPath" in v),
        "hostPath volumes DirectoryOrCreate")
    # F3: the service-account token goes to the router alone
    out(spec.get("automountServiceAccountToken") is False, "pod: automountServiceAccountToken false")
    sadir = "/var/run/secrets/kubernetes.io/serviceaccount"
    tok = vols.get(mounts(rt).get(sadir), {})
    srcs = g(tok, "projected", "sources") or []
    kinds = lambda k: [x[k] for x in srcs if k in x]
    out(any(m.get("mountPath") == sadir and m.get("readOnly") is True for m in rt.get("volumeMounts", [])),
        "router: service-account folder mounted read-only")
    out([x.get("path") for x in kinds("serviceAccountToken")] == ["token"]
        and [(x.get("name"), x.get("items")) for x in kinds("configMap")] ==
        [("kube-root-ca.crt", [{"key": "ca.crt", "path": "ca.crt"}])]
        and [x.get("items") for x in kinds("downwardAPI")] ==
        [[{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]],
        "router: projected token, kube-root-ca.crt and namespace, as the automatic mount")
    out(not any(m["name"] == mounts(rt).get(sadir) or m.get("mountPath", "").startswith("/var/run/secrets")
                for c in inits for m in c.get("volumeMounts", [])),
        "install: no service-account token mounted")
    out(not any("token" in str(m).lower() or "kubeconfig" in str(m).lower()
                for c in inits for m in c.get("volumeMounts", []) + c.get("env", [])),
        "install gets no token or kubeconfig")

def _get(d, ks):
    for k in ks:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d

# --- the second network's manifest -------------------------------------------------
def brief_secondary(path, image, main_path):
    docs = load(path)
    by = {d["kind"]: d for d in docs}
    main = {d["kind"]: d for d in load(main_path)}
    g = lambda d, *ks: _get(d, ks)
    out(sorted(d["kind"] for d in docs) == ["ConfigMap", "DaemonSet"],
        "secondary: a ConfigMap and a DaemonSet (RBAC is the first manifest's)")
    cm, ds = by.get("ConfigMap", {}), by.get("DaemonSet", {})
    out(g(ds, "metadata", "namespace") == "kube-system" and g(cm, "metadata", "namespace") == "kube-system",
        "secondary: in kube-system")
    out(g(ds, "metadata", "name") != g(main["DaemonSet"], "metadata", "name") and
        g(cm, "metadata", "name") != g(main["ConfigMap"], "metadata", "name"),
        "secondary: names of its own")
    spec = g(ds, "spec", "template", "spec") or {}
    labels = g(ds, "spec", "template", "metadata", "labels") or {}
    sel = g(ds, "spec", "selector", "matchLabels") or {}
    out(sel and all(labels.get(k) == v for k, v in sel.items()) and
        sel != g(main["DaemonSet"], "spec", "selector", "matchLabels"),
        "secondary: selector matches its pods, not the first's")
    out(spec.get("serviceAccountName") == g(main["ServiceAccount"], "metadata", "name"),
        "secondary: runs as the first manifest's ServiceAccount")
    out(spec.get("hostNetwork") is True and spec.get("automountServiceAccountToken") is False and
        {"operator": "Exists"} in (spec.get("tolerations") or []) and
        spec.get("priorityClassName") == "system-node-critical",
        "secondary: hostNetwork, no automounted token, every taint, node-critical")
    inits, ctrs = spec.get("initContainers") or [], spec.get("containers") or []
    out([c.get("name") for c in inits] == ["install"] and [c.get("name") for c in ctrs] == ["router"],
        "secondary: install, then router")
    inst, rt = (inits or [{}])[0], (ctrs or [{}])[0]
    ia, ra = inst.get("args") or [], rt.get("args") or []
    net = ia[ia.index("--secondary") + 1] if "--secondary" in ia[:-1] else None
    out(ia[:1] == ["install"] and net and net != main["DaemonSet"]["metadata"]["name"] and
        "command" not in inst, f"secondary: install --secondary {net}")
    out(ra == ["router", "--network", net] and "command" not in rt, "secondary: router --network, the same name")
    env = lambda c: {e["name"]: e for e in c.get("env", [])}
    ie, re_ = env(inst), env(rt)
    cmref = lambda e, v: (g(e, v, "valueFrom", "configMapKeyRef") or {})
    inmap = lambda e, v: cmref(e, v).get("name") == g(cm, "metadata", "name") and \
        cmref(e, v).get("key") in (cm.get("data") or {})
    out("--routes" in ia and ia[ia.index("--routes") + 1] == "$(ROUTES)" and inmap(ie, "ROUTES"),
        "secondary: install --routes from the ConfigMap")
    proto = str(g(re_, "PROTOCOL", "value"))
    out(proto.isdigit() and 0 < int(proto) < 256 and proto != "202", "secondary: a PROTOCOL of its own (not 202)")
    port = str(g(re_, "METRICS_PORT", "value"))
    hg = g(rt, "livenessProbe", "httpGet") or {}
    out(port.isdigit() and port != "9142" and hg.get("port") == int(port) and hg.get("host") == "127.0.0.1"
        and hg.get("path") == "/healthz", "secondary: its own metrics port, probed")
    out(all(inmap(re_, v) for v in ("CIDR_ANNOTATION", "ADDRESS_ANNOTATION", "TUNNEL_MODE", "MASQUERADE",
                                    "CLUSTER_CIDR")) and inmap(ie, "TUNNEL_MODE") and
        (cm.get("data") or {}).get("cidr-annotation"), "secondary: annotations and modes from its ConfigMap")
    out(g(re_, "NODE_NAME", "valueFrom", "fieldRef", "fieldPath") == "spec.nodeName",
        "secondary: router NODE_NAME from spec.nodeName")
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = lambda c: {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
    hp = lambda n: g(vols.get(n, {}), "hostPath", "path")
    for var, host in (("CNI_BIN_DIR", "/opt/cni/bin"), ("CNI_CONF_DIR", "/etc/cni/net.d")):
        out(hp(mounts(inst).get(g(ie, var, "value"))) == host, f"secondary: install's {var} is host {host}")
    d = f"/var/lib/cni/networks/{net}"
    out(hp(mounts(rt).get(d)) == d, f"secondary: router writes podcidrs in host {d}")
    for c in inits + ctrs:
        sc = c.get("securityContext") or {}
        out(c.get("image") == image and c.get("imagePullPolicy") == "IfNotPresent" and
            g(sc, "capabilities", "drop") == ["ALL"] and g(sc, "capabilities", "add") == ["NET_ADMIN"] and
            sc.get("privileged") is not True and sc.get("allowPrivilegeEscalation") is False and
            sc.get("readOnlyRootFilesystem") is True and sc.get("runAsUser") == 0,
            f"secondary: {c.get('name')}: image {image}, NET_ADMIN only, read-only, no escalation")
    sadir = "/var/run/secrets/kubernetes.io/serviceaccount"
    out(sadir in mounts(rt) and not any(m.get("mountPath", "").startswith("/var/run/secrets")
                                        for m in inst.get("volumeMounts", [])),
        "secondary: the token goes to the router alone")
    used = [m["name"] for c in inits + ctrs for m in c.get("volumeMounts", [])]
    out(sorted(set(used)) == sorted(vols), "secondary: every mount has a volume, every volume a mount")

# --- mutations: each must make some check fail ---------------------------------
def mutate(path, what, outp):
    docs = load(path)
    by = {d["kind"]: d for d in docs}
    pod = by["DaemonSet"]["spec"]["template"]["spec"]
    rt = pod["containers"][0]
    if what == "misspelled-hostNetwork":
        pod["hostNetwrk"] = pod.pop("hostNetwork")
    elif what == "runAsUser-string":
        rt["securityContext"]["runAsUser"] = "0"
    elif what == "readOnlyRootFilesystem-string":
        rt["securityContext"]["readOnlyRootFilesystem"] = "true"
    elif what == "capabilities-add-string":
        rt["securityContext"]["capabilities"]["add"] = "NET_ADMIN"
    elif what == "misspelled-probe-port":
        hg = rt["livenessProbe"]["httpGet"]
        hg["prt"] = hg.pop("port")
    elif what == "misspelled-env-valueFrom":
        rt["env"][0]["valueFrm"] = rt["env"][0].pop("valueFrom")
    elif what == "clusterrole-misspelled-verbs":
        by["ClusterRole"]["rules"][0]["verb"] = by["ClusterRole"]["rules"][0].pop("verbs")
    elif what == "binding-misspelled-roleRef":
        by["ClusterRoleBinding"]["roleref"] = by["ClusterRoleBinding"].pop("roleRef")
    elif what == "configmap-int-value":
        by["ConfigMap"]["data"]["tunnel-mode"] = 5
    elif what == "serviceaccount-misspelled-metadata":
        by["ServiceAccount"]["metdata"] = by["ServiceAccount"].pop("metadata")
    elif what == "container-without-name":
        del rt["name"]
    elif what == "token-automounted":
        pod["automountServiceAccountToken"] = True
    elif what == "secondary-protocol-202":
        env = {e["name"]: e for e in rt["env"]}
        env["PROTOCOL"]["value"] = "202"
    elif what == "secondary-network-mismatch":
        rt["args"][2] = "xcluster-cni"
    elif what == "secondary-metrics-port":
        rt["livenessProbe"]["httpGet"]["port"] = 9142
    elif what == "token-in-install":
        pod["initContainers"][0]["volumeMounts"].append(
            {"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})
    else:
        sys.exit("no mutation " + what)
    yaml.safe_dump_all(docs, open(outp, "w"), sort_keys=False)

cmd = sys.argv[1]
if cmd == "schema":
    schema(sys.argv[2])
elif cmd == "split":
    split(sys.argv[2], sys.argv[3])
elif cmd == "roundtrip":
    roundtrip(*sys.argv[2:])
elif cmd == "brief":
    brief(sys.argv[2], sys.argv[3])
elif cmd == "brief-secondary":
    brief_secondary(sys.argv[2], sys.argv[3], sys.argv[4])
elif cmd == "mutate":
    mutate(sys.argv[2], sys.argv[3], sys.argv[4])
EOF

# report FILE: turn the checker's "ok|fail<TAB>desc" lines into checks
report() {
	while IFS='	' read -r st desc; do
		if [ "$st" = ok ]; then t_ok; else t_fail "$desc"; fi
	done < "$1"
}
# fails FILE: did the checker report at least one failure?
fails() { grep -q '^fail' "$1"; }

# Debian's python3 holds python3-kubernetes; another python3 may come first on PATH.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
python3() { "$PY" "$@"; }
if ! python3 -c 'import yaml, kubernetes' 2>/dev/null; then
	t_skip "python3-yaml / python3-kubernetes not installed (vendor/deps.sh test)"
	t_done; exit
fi
KUBECTL=$(command -v kubectl)

# kubectl_check FILE OUTDIR: typed round trip of the DaemonSet and the binding
kubectl_check() {
	mkdir -p "$2"
	python3 "$T/check.py" split "$1" "$2" > /dev/null || return 1
	# A new image for every container, so that kubectl has a change to print.
	"$KUBECTL" set image --local -f "$2/DaemonSet.json" "*=localhost/xct-probe:1" -o json > "$2/ds.out" 2> "$2/ds.err"
	python3 "$T/check.py" roundtrip "$2/DaemonSet.json" "$2/ds.out" "kubectl decodes the DaemonSet" localhost/xct-probe:1
	[ -f "$2/ClusterRoleBinding.json" ] || return 0
	# One more subject than the file has, so that kubectl has a change to print.
	"$KUBECTL" set subject --local -f "$2/ClusterRoleBinding.json" --serviceaccount=kube-system:xct-probe \
		-o json > "$2/crb.out" 2> "$2/crb.err"
	python3 "$T/check.py" roundtrip "$2/ClusterRoleBinding.json" "$2/crb.out" "kubectl decodes the ClusterRoleBinding"
}

# --- the committed manifest -------------------------------------------------------
check "YAML parses" python3 -c 'import yaml,sys; list(yaml.safe_load_all(open(sys.argv[1])))' "$MANIFEST"
python3 "$T/check.py" schema "$MANIFEST" > "$T/schema.out" 2>&1
report "$T/schema.out"
python3 "$T/check.py" brief "$MANIFEST" "$PLACEHOLDER" > "$T/brief.out" 2>&1
report "$T/brief.out"
if [ -n "$KUBECTL" ]; then
	kubectl_check "$MANIFEST" "$T/k" > "$T/k.out" 2>&1
	report "$T/k.out"
else
	t_skip "kubectl not installed" 2
fi

# --- the second network's manifest ----------------------------------------------------
SECONDARY=xcluster-cni-secondary-net.yaml
check "secondary: YAML parses" python3 -c 'import yaml,sys; list(yaml.safe_load_all(open(sys.argv[1])))' "$SECONDARY"
python3 "$T/check.py" schema "$SECONDARY" > "$T/schema-s.out" 2>&1
report "$T/schema-s.out"
python3 "$T/check.py" brief-secondary "$SECONDARY" "$PLACEHOLDER" "$MANIFEST" > "$T/brief-s.out" 2>&1
report "$T/brief-s.out"
if [ -n "$KUBECTL" ]; then
	kubectl_check "$SECONDARY" "$T/ks" > "$T/ks.out" 2>&1
	report "$T/ks.out"
else
	t_skip "kubectl not installed"
fi
# What its install writes is what its router feeds: the network's name.
mkdir -p "$T/cni2/bin" "$T/cni2/conf"
"$XC" install --bin-dir "$T/cni2/bin" --conf-dir "$T/cni2/conf" --mtu 1500 --tunnel-mode none \
	--secondary xcluster-cni-secondary --bridge xcbr1 --routes "" >/dev/null 2>&1
check_out "secondary: install's conflist names the router's --network, no routes when ROUTES is empty" \
	"xcluster-cni-secondary xcbr1 False" python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))
p = c["plugins"][0]; print(c["name"], p["bridge"], "routes" in p["ipam"])' \
	"$T/cni2/conf/20-xcluster-cni-secondary.conflist"
for m in secondary-protocol-202 secondary-network-mismatch secondary-metrics-port token-automounted; do
	python3 "$T/check.py" mutate "$SECONDARY" $m "$T/$m.yaml"
	python3 "$T/check.py" brief-secondary "$T/$m.yaml" "$PLACEHOLDER" "$MANIFEST" > "$T/$m.brief" 2>&1
	check "secondary: design check catches $m" fails "$T/$m.brief"
done

# --- one path for the pod CIDR cache: <dataDir>/<network>/podcidrs ---------------
# node-local reads it with its default dataDir (/var/lib/cni/networks, no
# dataDir in the conflist) under the network name install writes; the
# router writes it there by default (test_rtconf); the manifest mounts that
# very directory into the router (checked above).
mkdir -p "$T/cni/bin" "$T/cni/conf"
"$XC" install --bin-dir "$T/cni/bin" --conf-dir "$T/cni/conf" --mtu 1500 --tunnel-mode none >/dev/null 2>&1
check_out "install's conflist: network xcluster-cni, node-local without dataDir" "xcluster-cni xcluster-node-local None" \
	python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); i = c["plugins"][0]["ipam"]
print(c["name"], i["type"], i.get("dataDir"))' "$T/cni/conf/10-xcluster-cni.conflist"
check_grep "router: cache in /var/lib/cni/networks/xcluster-cni by default" \
	'node-local \[CACHE_DIR\] \(/var/lib/cni/networks, xcluster-cni\)' "$XC" router --help

# --- the manifest image/build.sh renders ---------------------------------------------
IMG=localhost/xcluster-cni:manifest-test
SOURCE_DATE_EPOCH=0 image/build.sh "$XC" "$T/img" "$IMG" "$MANIFEST" "$SECONDARY" > /dev/null 2>&1
check "rendered manifest written" test -s "$T/img/xcluster-cni.yaml"
python3 "$T/check.py" brief "$T/img/xcluster-cni.yaml" "$IMG" > "$T/brief2.out" 2>&1
check "rendered manifest passes the same checks with its image" sh -c '! grep -q "^fail" "$1" && grep -q "image $2" "$1"' sh "$T/brief2.out" "$IMG"
python3 "$T/check.py" schema "$T/img/xcluster-cni.yaml" > "$T/schema2.out" 2>&1
check "rendered manifest passes the schema" sh -c '! grep -q "^fail" "$1" && grep -q "^ok" "$1"' sh "$T/schema2.out"
python3 "$T/check.py" brief-secondary "$T/img/$SECONDARY" "$IMG" "$T/img/xcluster-cni.yaml" > "$T/brief3.out" 2>&1
check "rendered secondary manifest passes its checks with the image" \
	sh -c '! grep -q "^fail" "$1" && grep -q "image $2" "$1"' sh "$T/brief3.out" "$IMG"

# --- the checks can fail -----------------------------------------------------------------
for m in misspelled-hostNetwork runAsUser-string readOnlyRootFilesystem-string capabilities-add-string \
	misspelled-probe-port misspelled-env-valueFrom clusterrole-misspelled-verbs \
	binding-misspelled-roleRef configmap-int-value serviceaccount-misspelled-metadata container-without-name; do
	python3 "$T/check.py" mutate "$MANIFEST" $m "$T/$m.yaml"
	python3 "$T/check.py" schema "$T/$m.yaml" > "$T/$m.schema" 2>&1
	check "schema check catches $m" fails "$T/$m.schema"
done
for m in token-automounted token-in-install; do   # F3
	python3 "$T/check.py" mutate "$MANIFEST" $m "$T/$m.yaml"
	python3 "$T/check.py" brief "$T/$m.yaml" "$PLACEHOLDER" > "$T/$m.brief" 2>&1
	check "design check catches $m" fails "$T/$m.brief"
done
if [ -n "$KUBECTL" ]; then
	for m in misspelled-hostNetwork runAsUser-string readOnlyRootFilesystem-string capabilities-add-string \
		misspelled-probe-port misspelled-env-valueFrom binding-misspelled-roleRef; do
		kubectl_check "$T/$m.yaml" "$T/k-$m" > "$T/$m.kubectl" 2>&1
		check "kubectl check catches $m" fails "$T/$m.kubectl"
	done
else
	t_skip "kubectl not installed" 7
fi

t_done
