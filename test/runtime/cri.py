#!/usr/bin/python3
"""cri.py: a small CRI client, the calls a kubelet makes for a pod's sandbox.

Speaks runtime.v1.RuntimeService over containerd's unix socket with grpc.
The messages come from test/runtime/api.proto (a subset of the CRI API,
same field numbers): its stubs are generated with grpc_tools.protoc into
the folder --gen on first use. Standard library + Debian's python3-grpcio
and python3-grpc-tools only.

    cri.py --socket S --gen DIR version
    cri.py ... run [--parallel] [--cgroup-parent P] [--namespace NS]
                   [--port CONTAINER:HOST]... [--port-base N] NAME...
        RunPodSandbox for each NAME (all at once with --parallel), then
        PodSandboxStatus; one line per pod, in the order given:
        NAME ID STATE IP ADDITIONAL_IPS NETNS SECONDS
        (ADDITIONAL_IPS comma-separated or "-"; NETNS the network namespace
        path of the verbose status; SECONDS from the RunPodSandbox call to
        its answer, which the CRI makes only once the sandbox is ready).
        A failed RunPodSandbox prints NAME - ERROR <message> and exit 1.
        --port-base N: the k-th NAME (from 0) also maps host port N+k to
        its port 80, so that pods started together never share a hostPort.
    cri.py ... status ID...        ID STATE IP ADDITIONAL_IPS NETNS, one a line
    cri.py ... stop [--parallel] ID...      StopPodSandbox
    cri.py ... rm [--parallel] ID...        RemovePodSandbox
    cri.py ... down [--parallel] ID...      StopPodSandbox then RemovePodSandbox
        each prints ID SECONDS (the calls' time) per sandbox
    cri.py ... ls                  ID STATE NAME of every sandbox
    cri.py ... shell               the commands above from stdin, one a line,
                                   for a caller that makes many (see shell())
Exit status: 0 when every call succeeded, 1 otherwise (the error on stderr).
"""
import argparse
import contextlib
import io
import json
import os
import shlex
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


_stubs = None


def stubs(gen):
    """Import api_pb2 and api_pb2_grpc, generated into gen if not there yet."""
    global _stubs
    if _stubs:
        return _stubs
    proto = os.path.join(HERE, "api.proto")
    mark = os.path.join(gen, "api_pb2_grpc.py")
    if not os.path.exists(mark) or os.path.getmtime(mark) < os.path.getmtime(proto):
        from grpc_tools import protoc
        tmp = tempfile.mkdtemp(dir=gen)
        rc = protoc.main(["protoc", "-I" + HERE, "--python_out=" + tmp,
                          "--grpc_python_out=" + tmp, proto])
        if rc != 0:
            sys.exit("cri.py: protoc failed on %s" % proto)
        # api_pb2 first: a concurrent reader that sees api_pb2_grpc finds both
        for f in ("api_pb2.py", "api_pb2_grpc.py"):
            os.replace(os.path.join(tmp, f), os.path.join(gen, f))
        os.rmdir(tmp)
    sys.path.insert(0, gen)
    import api_pb2
    import api_pb2_grpc
    _stubs = (api_pb2, api_pb2_grpc)
    return _stubs


def netns_of(info):
    """The pod's netns path from the verbose status (runtimeSpec)."""
    try:
        spec = json.loads(info["info"])["runtimeSpec"]
        for ns in spec["linux"]["namespaces"]:
            if ns["type"] == "network":
                return ns.get("path") or "-"
    except (KeyError, ValueError, TypeError):
        pass
    return "-"


class Client:
    def __init__(self, sock, gen, timeout):
        import grpc
        self.pb, pbg = stubs(gen)
        self.grpc = grpc
        self.chan = grpc.insecure_channel("unix://" + sock)
        self.rt = pbg.RuntimeServiceStub(self.chan)
        self.timeout = timeout

    def version(self):
        return self.rt.Version(self.pb.VersionRequest(version="v1"), timeout=self.timeout)

    def run(self, name, ns, cgroup_parent, ports=()):
        pb = self.pb
        pm = []
        for p in ports:
            c, h = p.split(":")
            pm.append(pb.PortMapping(protocol=pb.TCP, container_port=int(c), host_port=int(h)))
        cfg = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, namespace=ns, uid="uid-" + name, attempt=0),
            hostname=name,
            log_directory="",
            port_mappings=pm,
            linux=pb.LinuxPodSandboxConfig(
                cgroup_parent=cgroup_parent,
                security_context=pb.LinuxSandboxSecurityContext(
                    namespace_options=pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD))),
            labels={"xct": "runtime"})
        t0 = time.monotonic()
        r = self.rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg), timeout=self.timeout)
        return r.pod_sandbox_id, time.monotonic() - t0

    def status(self, sid):
        r = self.rt.PodSandboxStatus(self.pb.PodSandboxStatusRequest(pod_sandbox_id=sid, verbose=True),
                                     timeout=self.timeout)
        s = r.status
        state = self.pb.PodSandboxState.Name(s.state)
        extra = ",".join(a.ip for a in s.network.additional_ips) or "-"
        return "%s %s %s %s %s" % (s.id, state, s.network.ip or "-", extra, netns_of(r.info))

    def stop(self, sid):
        self.rt.StopPodSandbox(self.pb.StopPodSandboxRequest(pod_sandbox_id=sid), timeout=self.timeout)

    def rm(self, sid):
        self.rt.RemovePodSandbox(self.pb.RemovePodSandboxRequest(pod_sandbox_id=sid), timeout=self.timeout)

    def ls(self):
        r = self.rt.ListPodSandbox(self.pb.ListPodSandboxRequest(), timeout=self.timeout)
        return ["%s %s %s" % (p.id, self.pb.PodSandboxState.Name(p.state), p.metadata.name) for p in r.items]


def each(items, fn, parallel):
    """fn(item) for every item, at once or in turn; results in item order."""
    out = [None] * len(items)

    def one(i):
        try:
            out[i] = (True, fn(items[i]))
        except Exception as e:  # grpc.RpcError and the like: reported per item
            msg = e.details() if hasattr(e, "details") else str(e)
            out[i] = (False, " ".join(str(msg).split()))

    if parallel:
        ts = [threading.Thread(target=one, args=(i,)) for i in range(len(items))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    else:
        for i in range(len(items)):
            one(i)
    return out


def parser():
    ap = argparse.ArgumentParser(description="a small CRI client (see the module's docstring)")
    ap.add_argument("--socket", required=True)
    ap.add_argument("--gen", required=True, help="folder for the generated stubs")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("cmd", choices=["version", "run", "status", "stop", "rm", "down", "ls", "shell"])
    ap.add_argument("--parallel", action="store_true")
    ap.add_argument("--cgroup-parent", default="")
    ap.add_argument("--namespace", default="default")
    ap.add_argument("--port", action="append", default=[], help="CONTAINER:HOST (TCP)")
    ap.add_argument("--port-base", type=int, default=0, help="NAME k: host port N+k -> 80")
    ap.add_argument("args", nargs="*")
    return ap


def command(a):
    """One command of the command line; prints; returns the exit status."""
    c = Client(a.socket, a.gen, a.timeout)
    ok = True
    if a.cmd == "version":
        v = c.version()
        print(v.runtime_name, v.runtime_version, v.runtime_api_version)
    elif a.cmd == "ls":
        for line in c.ls():
            print(line)
    elif a.cmd == "run":
        def run(k):
            own = ["80:%d" % (a.port_base + k)] if a.port_base else []
            return c.run(a.args[k], a.namespace, a.cgroup_parent, a.port + own)
        res = each(list(range(len(a.args))), run, a.parallel)
        for name, (good, r) in zip(a.args, res):
            if not good:
                print(name, "-", "ERROR", r)
                ok = False
                continue
            sid, secs = r
            try:
                print(name, c.status(sid), "%.4f" % secs)
            except Exception as e:
                print(name, sid, "ERROR", e)
                ok = False
    elif a.cmd == "status":
        for sid in a.args:
            try:
                print(c.status(sid))
            except Exception as e:
                print(sid, "ERROR", " ".join(str(getattr(e, "details", lambda: e)()).split()))
                ok = False
    else:
        fns = {"stop": [c.stop], "rm": [c.rm], "down": [c.stop, c.rm]}[a.cmd]

        def seq(sid):
            t0 = time.monotonic()
            for f in fns:
                f(sid)
            return time.monotonic() - t0
        for sid, (good, r) in zip(a.args, each(a.args, seq, a.parallel)):
            if not good:
                print("cri.py: %s %s: %s" % (a.cmd, sid, r), file=sys.stderr)
                ok = False
            else:
                print(sid, "%.4f" % r)
    c.chan.close()
    return 0 if ok else 1


def shell(top):
    """Commands from stdin, one a line (shell words, without the options
    --socket, --gen, --timeout); for each, its stdout lines as "O line",
    its stderr lines as "E line", then "X status". One Python start for
    many calls; a new channel per command (containerd may have restarted)."""
    for line in sys.stdin:
        o, e = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
                argv = ["--socket", top.socket, "--gen", top.gen, "--timeout", str(top.timeout)]
                a = parser().parse_intermixed_args(argv + shlex.split(line))
                rc = 2 if a.cmd == "shell" else command(a)
        except SystemExit as x:
            rc = x.code if isinstance(x.code, int) else 2
        except Exception as x:
            e.write("cri.py: %s\n" % " ".join(str(getattr(x, "details", lambda: x)()).split()))
            rc = 1
        for tag, buf in (("O", o), ("E", e)):
            for out in buf.getvalue().splitlines():
                sys.stdout.write("%s %s\n" % (tag, out))
        sys.stdout.write("X %d\n" % rc)
        sys.stdout.flush()
    return 0


def main():
    a = parser().parse_intermixed_args()
    if a.cmd == "shell":
        return shell(a)
    stubs(a.gen)  # before any thread: one protoc run
    return command(a)


if __name__ == "__main__":
    sys.exit(main())
