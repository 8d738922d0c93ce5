"""Runtime knobs, fault injection and request statistics of the fake API
server (what the /fake/* control endpoints read and change)."""
import collections
import threading
import time

# Verbs a fault's "match" may name, besides a verb itself.
GROUPS = {
    "any": None,
    "read": {"get", "list", "watch"},
    "write": {"create", "update", "patch", "delete", "deletecollection"},
    "api": {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"},
}
KINDS = ("status", "slow", "garbage", "truncate", "hang")


def _matches(match, verb):
    if isinstance(match, list):
        return any(_matches(m, verb) for m in match)
    if match in GROUPS:
        return GROUPS[match] is None or verb in GROUPS[match]
    return match == verb


class Config:
    """Settings that tests may change while the server runs (POST /fake/config)."""
    FIELDS = {
        "bookmark_interval": float,  # seconds between BOOKMARKs on watches that allow them
        "too_old": str,              # "event": 200 + ERROR 410 (watch cache); "http": HTTP 410
        "chunking": str,             # "event" | "split:N" | "random": how watch/list bodies are cut into chunks
        "watch_timeout": float,      # server-side watch lifetime when the client gives no timeoutSeconds
        "list_chunk": int,           # chunk size of large list bodies when chunking is "event"
        "gzip": bool,                # gzip bodies over 128 KiB when the client accepts it
        "rv0_ignores_limit": bool,   # resourceVersion=0 lists come whole from the "cache" (limit ignored)
        "continue_ttl": float,       # seconds a continue token stays valid
        "history_max": int,          # events kept for watches
        "history_seconds": float,
        "events_rate": float,        # MODIFIED (status heartbeat) events per second, 0 = off
        "watch_list": str,           # "on" | "off" (feature gate off: 422) | "ignore" (a server before 1.27)
    }

    def __init__(self, **kw):
        self.bookmark_interval = 10.0
        self.too_old = "event"
        self.chunking = "event"
        self.watch_timeout = 1800.0
        self.list_chunk = 4096
        self.gzip = True
        self.rv0_ignores_limit = True
        self.continue_ttl = 300.0
        self.history_max = 10000
        self.history_seconds = 300.0
        self.events_rate = 0.0
        self.watch_list = "on"
        self.update(kw)

    def update(self, kw):
        for k, v in kw.items():
            if k not in self.FIELDS:
                raise ValueError("unknown config key %r" % k)
            v = self.FIELDS[k](v)
            if k == "watch_list" and v not in ("on", "off", "ignore"):
                raise ValueError("watch_list must be on, off or ignore")
            if k == "too_old" and v not in ("event", "http"):
                raise ValueError("too_old must be event or http")
            if k == "chunking" and not (v in ("event", "random") or
                                        (v.startswith("split:") and v[6:].isdigit() and int(v[6:]) > 0)):
                raise ValueError("chunking must be event, random or split:N")
            setattr(self, k, v)

    def as_dict(self):
        return {k: getattr(self, k) for k in self.FIELDS}


class Faults:
    """Pending faults. Each is a dict with at least "match" and "count"; a
    request (or, for watches, an event) that matches consumes one."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = {k: [] for k in KINDS}

    def add(self, kind, spec):
        if kind not in KINDS:
            raise ValueError("unknown fault %r" % kind)
        if not isinstance(spec, dict):
            spec = {}
        f = dict(spec)
        f.setdefault("match", "any" if kind in ("status", "hang", "slow") else "watch")
        f["count"] = int(f.get("count", 1))
        if kind == "status":
            f["code"] = int(f.get("code", 500))
        with self.lock:
            self.pending[kind].append(f)

    def take(self, kind, verb):
        """The first pending fault of `kind` matching `verb`, consumed; or None."""
        with self.lock:
            for f in self.pending[kind]:
                if f["count"] > 0 and _matches(f["match"], verb):
                    f["count"] -= 1
                    if f["count"] <= 0:
                        self.pending[kind].remove(f)
                    return f
        return None

    def clear(self):
        with self.lock:
            for k in KINDS:
                self.pending[k] = []

    def as_dict(self):
        with self.lock:
            return {k: [dict(f) for f in v] for k, v in self.pending.items() if v}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.verbs = collections.Counter()
            self.codes = collections.Counter()
            self.counters = collections.Counter()
            self.log = collections.deque(maxlen=2000)
            self.started = time.time()

    def begin(self, t0, method, path, query, verb, agent):
        """Log a request that may last (a watch) as it starts: "open" until request() ends it."""
        e = {"t": round(t0, 3), "dur": 0, "method": method, "path": path, "query": query,
             "verb": verb, "code": 0, "agent": agent, "open": True}
        with self.lock:
            self.log.append(e)
        return e

    def request(self, t0, method, path, query, verb, code, agent, entry=None):
        """Count one request; `t0` is when it arrived (what backoff checks compare)."""
        with self.lock:
            self.verbs[verb] += 1
            self.codes[str(code)] += 1
            e = entry if entry is not None else {}
            e.update({"t": round(t0, 3), "dur": round(time.time() - t0, 3), "method": method,
                      "path": path, "query": query, "verb": verb, "code": code, "agent": agent})
            e.pop("open", None)
            if entry is None:
                self.log.append(e)

    def bump(self, name, n=1):
        with self.lock:
            self.counters[name] += n

    def as_dict(self):
        with self.lock:
            return {"verbs": dict(self.verbs), "codes": dict(self.codes), "counters": dict(self.counters),
                    "since": self.started, "log": list(self.log)}
