"""Realistic Node objects for the fake API server.

A node looks like what a kubelet registers and a controller-manager
completes: labels, annotations, managedFields of three managers, a
dual-stack spec.podCIDRs, InternalIP v4/v6 + Hostname addresses, the four
conditions plus Ready, capacity/allocatable, ~30 images and nodeInfo.
Compact JSON of one node is ~10 KB, as on real clusters.

Addresses never overlap: pod CIDRs come from 198.18.0.0/16 (a /24 each up
to 256 nodes, then longer prefixes so N nodes fit: /32s past 16,384, up to
65,536 nodes) and fd00:18::/48 (a /64 each); node addresses from
198.19.0.0/16 and fd00:19::/64.
"""
import calendar
import random
import time

IMAGES = [
    ("registry.k8s.io/kube-proxy", "v1.30.4"), ("registry.k8s.io/pause", "3.9"),
    ("registry.k8s.io/coredns/coredns", "v1.11.1"), ("registry.k8s.io/etcd", "3.5.12-0"),
    ("docker.io/calico/node", "v3.27.3"), ("docker.io/calico/cni", "v3.27.3"),
    ("quay.io/prometheus/node-exporter", "v1.8.1"), ("registry.k8s.io/metrics-server/metrics-server", "v0.7.1"),
    ("docker.io/library/nginx", "1.27.0"), ("docker.io/library/redis", "7.2.5"),
    ("docker.io/library/postgres", "16.3"), ("docker.io/library/busybox", "1.36.1"),
    ("docker.io/library/alpine", "3.20.1"), ("ghcr.io/fluxcd/source-controller", "v1.3.0"),
    ("quay.io/jetstack/cert-manager-controller", "v1.15.1"), ("registry.k8s.io/ingress-nginx/controller", "v1.10.1"),
    ("docker.io/grafana/grafana", "11.1.0"), ("quay.io/prometheus/prometheus", "v2.53.0"),
    ("docker.io/bitnami/kafka", "3.7.1"), ("docker.io/library/mysql", "8.4.1"),
    ("registry.k8s.io/csi-node-driver-registrar", "v2.11.0"), ("registry.k8s.io/livenessprobe", "v2.13.0"),
    ("docker.io/fluent/fluent-bit", "3.1.2"), ("quay.io/cilium/hubble-relay", "v1.15.6"),
    ("docker.io/library/python", "3.12.4-slim"), ("docker.io/library/golang", "1.22.5"),
    ("docker.io/library/memcached", "1.6.29"), ("ghcr.io/dexidp/dex", "v2.40.0"),
    ("docker.io/openpolicyagent/gatekeeper", "v3.16.3"), ("quay.io/argoproj/argocd", "v2.11.4"),
]


def _ts(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def pod_cidrs(i, n):
    """The (v4, v6) pod CIDRs of node i (0-based) among n nodes."""
    plen = 24  # then longer, down to /32: 65,536 nodes fit the /16
    while (1 << (plen - 16)) < n and plen < 32:
        plen += 1
    base = (198 << 24 | 18 << 16) + (i << (32 - plen))
    c4 = "%d.%d.%d.%d/%d" % (base >> 24, base >> 16 & 255, base >> 8 & 255, base & 255, plen)
    c6 = "fd00:18:0:%x::/64" % i if i else "fd00:18::/64"
    return c4, c6


def node_ips(i):
    v4 = (198 << 24 | 19 << 16) + 1 + i
    return "%d.%d.%d.%d" % (v4 >> 24, v4 >> 16 & 255, v4 >> 8 & 255, v4 & 255), "fd00:19::%x" % (1 + i)


def _fields_kubelet():
    return {
        "f:metadata": {"f:annotations": {".": {}, "f:volumes.kubernetes.io/controller-managed-attach-detach": {}},
                       "f:labels": {".": {}, "f:beta.kubernetes.io/arch": {}, "f:beta.kubernetes.io/os": {},
                                    "f:kubernetes.io/arch": {}, "f:kubernetes.io/hostname": {},
                                    "f:kubernetes.io/os": {}, "f:node.kubernetes.io/instance-type": {}}},
        "f:spec": {"f:providerID": {}}}


def _fields_status():
    conds = {'k:{"type":"%s"}' % t: {".": {}, "f:lastHeartbeatTime": {}, "f:lastTransitionTime": {},
                                     "f:message": {}, "f:reason": {}, "f:status": {}, "f:type": {}}
             for t in ("DiskPressure", "MemoryPressure", "PIDPressure", "Ready")}
    conds["."] = {}
    return {"f:status": {"f:addresses": {".": {}, 'k:{"type":"Hostname"}': {".": {}, "f:address": {}, "f:type": {}},
                                         'k:{"type":"InternalIP"}': {".": {}, "f:address": {}, "f:type": {}}},
                         "f:allocatable": {".": {}, "f:cpu": {}, "f:ephemeral-storage": {}, "f:memory": {}, "f:pods": {}},
                         "f:capacity": {".": {}, "f:cpu": {}, "f:ephemeral-storage": {}, "f:memory": {}, "f:pods": {}},
                         "f:conditions": conds, "f:daemonEndpoints": {"f:kubeletEndpoint": {"f:Port": {}}},
                         "f:images": {}, "f:nodeInfo": {"f:architecture": {}, "f:bootID": {},
                                                        "f:containerRuntimeVersion": {}, "f:kernelVersion": {},
                                                        "f:kubeProxyVersion": {}, "f:kubeletVersion": {},
                                                        "f:machineID": {}, "f:operatingSystem": {},
                                                        "f:osImage": {}, "f:systemUUID": {}}}}


def image_pool(rng):
    pool = []
    for repo, tag in IMAGES:
        digest = "sha256:%064x" % rng.getrandbits(256)
        pool.append({"names": ["%s@%s" % (repo, digest), "%s:%s" % (repo, tag)],
                     "sizeBytes": rng.randint(300000, 900000000)})
    return pool


_KUBELET_FIELDS = None
_STATUS_FIELDS = None


def make_node(i, n, rng, now=None, prefix="node-", pool=None):
    """Node number i (0-based) of n, without server-set metadata (uid, resourceVersion).
    Parts every node has alike (field sets, the image pool) are shared, not copied."""
    global _KUBELET_FIELDS, _STATUS_FIELDS
    now = now or time.time()
    pool = pool or image_pool(rng)
    if _KUBELET_FIELDS is None:
        _KUBELET_FIELDS, _STATUS_FIELDS = _fields_kubelet(), _fields_status()
    name = "%s%05d" % (prefix, i + 1)
    c4, c6 = pod_cidrs(i, n)
    ip4, ip6 = node_ips(i)
    created = now - rng.randint(3600, 90 * 86400)
    zone = "zone-%s" % "abc"[i % 3]
    hexid = "%032x" % rng.getrandbits(128)
    labels = {
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": "n2-standard-8",
        "topology.kubernetes.io/region": "region-1", "topology.kubernetes.io/zone": zone,
        "failure-domain.beta.kubernetes.io/region": "region-1", "failure-domain.beta.kubernetes.io/zone": zone,
        "xcluster.example/pool": "pool-%d" % (i % 4),
    }
    if i == 0:
        labels["node-role.kubernetes.io/control-plane"] = ""
    annotations = {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
        "csi.volume.kubernetes.io/nodeid": '{"pd.csi.storage.gke.io":"projects/p/zones/%s/instances/%s"}' % (zone, name),
        "xcluster.example/tunnel-endpoint": ip4,
    }
    mf_time = _ts(created)
    managed = [
        {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": mf_time,
         "fieldsType": "FieldsV1", "fieldsV1": _KUBELET_FIELDS},
        {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": mf_time,
         "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations": {"f:node.alpha.kubernetes.io/ttl": {}}},
                                                "f:spec": {"f:podCIDR": {}, "f:podCIDRs": {".": {}, 'v:"%s"' % c4: {},
                                                                                         'v:"%s"' % c6: {}}}}},
        {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": _ts(now),
         "fieldsType": "FieldsV1", "fieldsV1": _STATUS_FIELDS, "subresource": "status"},
    ]
    hb = _ts(now - rng.randint(0, 60))
    trans = _ts(created + 30)

    def cond(t, status, reason, msg):
        return {"type": t, "status": status, "lastHeartbeatTime": hb, "lastTransitionTime": trans,
                "reason": reason, "message": msg}
    # the same image has the same digest and size on every node, as in a cluster
    images = [dict(x) for x in rng.sample(pool, k=min(len(pool), 26 + i % 5))]
    cap = {"cpu": "8", "ephemeral-storage": "101430960Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
           "memory": "32875500Ki", "pods": "110"}
    alloc = dict(cap, cpu="7910m", memory="29258732Ki", **{"ephemeral-storage": "47093746742"})
    return {
        "kind": "Node", "apiVersion": "v1",
        "metadata": {"name": name, "creationTimestamp": _ts(created), "labels": labels,
                     "annotations": annotations, "managedFields": managed},
        "spec": {"podCIDR": c4, "podCIDRs": [c4, c6],
                 "providerID": "gce://xcluster-test/%s/%s" % (zone, name)},
        "status": {
            "capacity": cap, "allocatable": alloc,
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": ip4}, {"type": "InternalIP", "address": ip6},
                          {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"machineID": hexid, "systemUUID": "%08x-%04x-%04x-%04x-%012x" % (
                rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(48)),
                "bootID": "%032x" % rng.getrandbits(128), "kernelVersion": "6.1.0-23-cloud-amd64",
                "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://1.7.19",
                "kubeletVersion": "v1.30.4", "kubeProxyVersion": "v1.30.4", "operatingSystem": "linux",
                "architecture": "amd64"},
            "images": images,
        },
    }


def heartbeat(node, now=None):
    """Touch the node's status the way a kubelet's periodic report does.
    Timestamps have whole seconds, so a second heartbeat within the same
    second moves one second ahead: every call changes the node (an event)."""
    stamp = _ts(now or time.time())
    prev = max((c.get("lastHeartbeatTime", "") for c in node.get("status", {}).get("conditions", [])), default="")
    if prev and stamp <= prev:
        stamp = _ts(calendar.timegm(time.strptime(prev, "%Y-%m-%dT%H:%M:%SZ")) + 1)
    for c in node.get("status", {}).get("conditions", []):
        c["lastHeartbeatTime"] = stamp
    return node  # the server stamps managedFields itself


def generate(n, seed=1, prefix="node-"):
    rng = random.Random(seed)
    now = time.time()
    pool = image_pool(rng)
    return [make_node(i, n, rng, now, prefix, pool) for i in range(n)]
