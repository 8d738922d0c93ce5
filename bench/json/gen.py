#!/usr/bin/env python3
"""Write a realistic Kubernetes NodeList as compact JSON (as the API server sends it).

usage: gen.py NODES OUT

Each node is ~10 KB: labels, annotations (one holding escaped JSON), managedFields,
spec.podCIDRs (dual stack), status conditions, addresses, capacity/allocatable,
nodeInfo and 30 images with long names. Deterministic (fixed seed).
"""
import json
import random
import sys

rnd = random.Random(8259)
REPOS = ["registry.k8s.io", "quay.io/prometheus", "docker.io/library", "ghcr.io/fluxcd",
         "public.ecr.aws/eks-distro/kubernetes", "gcr.io/google-containers",
         "mcr.microsoft.com/oss/kubernetes", "docker.io/bitnami"]
NAMES = ["kube-proxy", "coredns", "pause", "node-exporter", "fluent-bit", "csi-node-driver-registrar",
         "livenessprobe", "aws-ebs-csi-driver", "cilium", "metrics-server", "nginx-ingress-controller",
         "cert-manager-controller", "prometheus-config-reloader", "kube-state-metrics", "busybox",
         "grafana", "loki", "promtail", "velero", "external-dns", "cluster-autoscaler", "istio-proxy",
         "jaeger-agent", "redis", "postgres", "etcd", "envoy", "opentelemetry-collector", "vault-agent",
         "kyverno"]


def hexs(n):
    return "".join(rnd.choice("0123456789abcdef") for _ in range(n))


def ts(i):
    return "2024-%02d-%02dT%02d:%02d:%02dZ" % (1 + i % 12, 1 + i % 28, i % 24, i % 60, (i * 7) % 60)


def fields(keys):
    return {"f:" + k: {} for k in keys}


def node(i):
    name = "ip-10-%d-%d-%d.eu-west-1.compute.internal" % (i >> 16 & 255, i >> 8 & 255, i & 255)
    zone = "eu-west-1" + "abc"[i % 3]
    v4 = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
    v6 = "fd00:10:%x::%x" % (i >> 8, i & 255)
    labels = {
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": "m5.2xlarge",
        "beta.kubernetes.io/os": "linux", "failure-domain.beta.kubernetes.io/region": "eu-west-1",
        "failure-domain.beta.kubernetes.io/zone": zone, "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": "m5.2xlarge", "topology.kubernetes.io/region": "eu-west-1",
        "topology.kubernetes.io/zone": zone, "eks.amazonaws.com/nodegroup": "workers-%d" % (i % 7),
        "eks.amazonaws.com/capacityType": "ON_DEMAND", "team": "platform-\u00e9quipe",
    }
    annotations = {
        "alpha.kubernetes.io/provided-node-ip": v4,
        "csi.volume.kubernetes.io/nodeid": json.dumps({"ebs.csi.aws.com": "i-0" + hexs(16)}),
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        "xcluster.io/tunnel-endpoint": v4,
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
            {"apiVersion": "v1", "kind": "Node", "metadata": {"labels": {"team": "platform"},
                                                              "name": name}}) + "\n",
    }
    managed = [
        {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": ts(i),
         "fieldsType": "FieldsV1", "fieldsV1": {
             "f:metadata": {"f:annotations": dict({".": {}}, **fields(list(annotations)[:4])),
                            "f:labels": dict({".": {}}, **fields(list(labels)))},
             "f:spec": {"f:providerID": {}}}},
        {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
         "time": ts(i + 1), "fieldsType": "FieldsV1", "fieldsV1": {
             "f:spec": {"f:podCIDR": {}, "f:podCIDRs": {".": {}, 'v:"10.244.0.0/24"': {}}}}},
        {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": ts(i + 2),
         "fieldsType": "FieldsV1", "subresource": "status", "fieldsV1": {
             "f:status": {"f:conditions": {'k:{"type":"%s"}' % t: {".": {}, "f:lastHeartbeatTime": {},
                                                                   "f:status": {}, "f:type": {}}
                                           for t in ("Ready", "MemoryPressure", "DiskPressure")},
                          "f:images": {}, "f:nodeInfo": fields(["bootID", "kernelVersion"])}}},
    ]
    res = {"cpu": "8", "ephemeral-storage": "104845292Ki", "hugepages-1Gi": "0",
           "hugepages-2Mi": "0", "memory": "32386544Ki", "pods": "58"}
    conds = [{"type": t, "status": s, "lastHeartbeatTime": ts(i + k), "lastTransitionTime": ts(k),
              "reason": r, "message": m} for k, (t, s, r, m) in enumerate([
                  ("MemoryPressure", "False", "KubeletHasSufficientMemory",
                   "kubelet has sufficient memory available"),
                  ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                  ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                  ("Ready", "True", "KubeletReady",
                   "kubelet is posting ready status. AppArmor enabled")])]
    images = []
    for k in range(30):
        repo, img = REPOS[(i + k) % len(REPOS)], NAMES[k]
        tag = "v%d.%d.%d-eksbuild.%d" % (1 + k % 3, k, i % 17, k % 5)
        images.append({"names": ["%s/%s@sha256:%s" % (repo, img, hexs(64)),
                                 "%s/%s:%s" % (repo, img, tag)],
                       "sizeBytes": rnd.randrange(700000, 900000000)})
    return {
        "metadata": {"name": name, "uid": "%s-%s-%s-%s-%s" % (hexs(8), hexs(4), hexs(4), hexs(4), hexs(12)),
                     "resourceVersion": str(1000000 + i), "creationTimestamp": ts(i),
                     "labels": labels, "annotations": annotations, "managedFields": managed},
        "spec": {"podCIDR": "10.%d.%d.0/24" % (128 + (i >> 8), i & 255),
                 "podCIDRs": ["10.%d.%d.0/24" % (128 + (i >> 8), i & 255), "fd00:244:%x::/64" % i],
                 "providerID": "aws:///%s/i-0%s" % (zone, hexs(16))},
        "status": {
            "capacity": res, "allocatable": dict(res, cpu="7910m", memory="31369712Ki"),
            "conditions": conds,
            "addresses": [{"type": "InternalIP", "address": v4}, {"type": "InternalIP", "address": v6},
                          {"type": "InternalDNS", "address": name}, {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"machineID": hexs(32), "systemUUID": "ec2" + hexs(29), "bootID": hexs(32),
                         "kernelVersion": "5.10.205-195.807.amzn2.x86_64", "osImage": "Amazon Linux 2",
                         "containerRuntimeVersion": "containerd://1.7.11", "kubeletVersion": "v1.29.0-eks-5e0fdde",
                         "kubeProxyVersion": "v1.29.0-eks-5e0fdde", "operatingSystem": "linux",
                         "architecture": "amd64"},
            "images": images},
    }


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    doc = {"kind": "NodeList", "apiVersion": "v1",
           "metadata": {"resourceVersion": "%d" % (1000000 + n)}, "items": [node(i) for i in range(n)]}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"), ensure_ascii=False)


if __name__ == "__main__":
    main()
