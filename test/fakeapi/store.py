"""The object store of the fake API server: Nodes, the global resourceVersion,
the event history that watches read, list snapshots that continue tokens
point into, validation and the registry strategy of core/v1 Node.

Everything here runs under one lock (`Store.cond`); watches wait on the
same condition and are woken by every change.
"""
import base64
import ipaddress
import json
import os
import re
import threading
import time
import uuid

_DNS1123_SUB = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def clone(obj):
    """A deep copy of a JSON value (several times faster than copy.deepcopy)."""
    return json.loads(json.dumps(obj))


def now_ts():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class ApiError(Exception):
    """An error the server answers with a Kubernetes Status."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.details, self.headers = details, headers or {}

    def status(self):
        st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": self.message, "reason": self.reason, "code": self.code}
        if self.details is not None:
            st["details"] = self.details
        if not self.reason:
            del st["reason"]
        return st


def not_found(name):
    return ApiError(404, "NotFound", 'nodes "%s" not found' % name,
                    {"name": name, "kind": "nodes"})


def expired(msg):
    return ApiError(410, "Expired", msg)


TOO_OLD = "too old resource version"


class Entry:
    """One stored version of a Node: the object and its two encodings
    (with kind/apiVersion for GET and watch events, without for list items,
    as the real server writes them)."""
    __slots__ = ("obj", "full", "item", "rv")

    PREFIX = b'{"kind":"Node","apiVersion":"v1",'

    def __init__(self, obj):
        self.obj = obj
        self.rv = int(obj["metadata"]["resourceVersion"])
        self.full = dumps(obj)
        if self.full.startswith(self.PREFIX):  # always, as Store._order puts them first
            self.item = b"{" + self.full[len(self.PREFIX):]
        else:
            self.item = dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})


# --- selectors ------------------------------------------------------------------

def parse_label_selector(text):
    """Requirements as (key, op, values); raises ApiError 400 when malformed."""
    reqs, s = [], (text or "").strip()
    pat = re.compile(r"\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9_.-]*)|"
                     r"\s(in|notin)\s*\(([^)]*)\))?\s*(,|$)")
    pos = 0
    while s and pos < len(s):
        m = pat.match(s, pos)
        if not m or m.end() == pos:
            raise ApiError(400, "BadRequest", "unable to parse requirement: %r" % s[pos:])
        neg, key, op, val, setop, setvals = m.group(1, 2, 3, 4, 5, 6)
        if neg and (op or setop):
            raise ApiError(400, "BadRequest", "unable to parse requirement: %r" % s[pos:])
        if neg:
            reqs.append((key, "!", None))
        elif op:
            reqs.append((key, "!=" if op == "!=" else "=", val))
        elif setop:
            reqs.append((key, setop, [v.strip() for v in setvals.split(",")]))
        else:
            reqs.append((key, "exists", None))
        pos = m.end()
    return reqs


def labels_match(reqs, obj):
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for key, op, val in reqs:
        have = key in labels
        v = labels.get(key)
        if op == "exists" and not have or op == "!" and have:
            return False
        if op == "=" and v != val or op == "!=" and have and v == val:
            return False
        if op == "in" and (not have or v not in val) or op == "notin" and have and v in val:
            return False
    return True


def parse_field_selector(text):
    reqs = []
    for part in filter(None, (text or "").split(",")):
        m = re.match(r"^\s*([A-Za-z.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not m:
            raise ApiError(400, "BadRequest", "invalid selector: %r; can't understand %r" % (text, part))
        field, op, val = m.groups()
        if field not in ("metadata.name", "spec.unschedulable"):
            raise ApiError(400, "BadRequest", 'field label not supported: %s' % field)
        reqs.append((field, op != "!=", val))
    return reqs


def fields_match(reqs, obj):
    for field, eq, val in reqs:
        if field == "metadata.name":
            have = obj["metadata"].get("name", "")
        else:
            have = "true" if (obj.get("spec") or {}).get("unschedulable") else "false"
        if (have == val) != eq:
            return False
    return True


# --- validation (the parts of the Node strategy that matter to clients) -----------

def _cause(field, reason, msg):
    return {"reason": reason, "message": msg, "field": field}


def _check_labels(labels, causes):
    if labels is None:
        return
    if not isinstance(labels, dict):
        causes.append(_cause("metadata.labels", "FieldValueInvalid", "Invalid value: must be a map"))
        return
    for k, v in labels.items():
        prefix, _, name = k.rpartition("/")
        if (prefix and (len(prefix) > 253 or not _DNS1123_SUB.match(prefix))) or \
                len(name) > 63 or not _LABEL_NAME.match(name):
            causes.append(_cause("metadata.labels", "FieldValueInvalid",
                                 'Invalid value: "%s": name part must consist of alphanumeric '
                                 "characters, '-', '_' or '.'" % k))
        if not isinstance(v, str) or len(v) > 63 or not _LABEL_VALUE.match(v):
            causes.append(_cause("metadata.labels", "FieldValueInvalid",
                                 'Invalid value: "%s": a valid label must be an empty string or '
                                 "consist of alphanumeric characters, '-', '_' or '.'" % (v,)))


def validate(obj, old=None):
    """Field errors as Status causes (empty when valid)."""
    causes = []
    md = obj.get("metadata") or {}
    name = md.get("name", "")
    if not name:
        causes.append(_cause("metadata.name", "FieldValueRequired", "Required value: name or generateName is required"))
    elif len(name) > 253 or not _DNS1123_SUB.match(name):
        causes.append(_cause("metadata.name", "FieldValueInvalid",
                             'Invalid value: "%s": a lowercase RFC 1123 subdomain must consist of lower '
                             "case alphanumeric characters, '-' or '.', and must start and end with an "
                             "alphanumeric character" % name))
    _check_labels(md.get("labels"), causes)
    ann = md.get("annotations") or {}
    if not isinstance(ann, dict) or any(not isinstance(v, str) for v in ann.values()):
        causes.append(_cause("metadata.annotations", "FieldValueInvalid", "Invalid value: annotation values must be strings"))
    elif sum(len(k) + len(v) for k, v in ann.items()) > 256 * 1024:
        causes.append(_cause("metadata.annotations", "FieldValueTooLong", "Too long: must have at most 262144 bytes"))
    spec = obj.get("spec") or {}
    cidrs = spec.get("podCIDRs") or []
    fams = []
    for i, c in enumerate(cidrs):
        try:
            fams.append(ipaddress.ip_network(c, strict=False).version)
        except (ValueError, TypeError):
            causes.append(_cause("spec.podCIDRs[%d]" % i, "FieldValueInvalid",
                                 'Invalid value: "%s": must be a valid CIDR' % (c,)))
    if len(cidrs) > 2:
        causes.append(_cause("spec.podCIDRs", "FieldValueTooMany", "Too many: %d: must have at most 2 items" % len(cidrs)))
    elif len(fams) == 2 and fams[0] == fams[1]:
        causes.append(_cause("spec.podCIDRs", "FieldValueInvalid",
                             "Invalid value: %s: may specify no more than one CIDR for each IP family" % json.dumps(cidrs)))
    if old is not None:
        ospec = old.get("spec") or {}
        if ospec.get("podCIDRs") and ospec.get("podCIDRs") != cidrs:
            causes.append(_cause("spec.podCIDRs", "FieldValueForbidden",
                                 'Forbidden: node updates may not change podCIDR except from "" to valid'))
        if ospec.get("providerID") and ospec.get("providerID") != spec.get("providerID"):
            causes.append(_cause("spec.providerID", "FieldValueForbidden",
                                 'Forbidden: node updates may not change providerID except from "" to valid'))
    return causes


def invalid(name, causes):
    msg = 'Node "%s" is invalid: ' % name + ", ".join(
        "%s: %s" % (c["field"], c["message"]) for c in causes)
    if len(causes) > 1:
        msg = 'Node "%s" is invalid: [%s]' % (name, ", ".join("%s: %s" % (c["field"], c["message"]) for c in causes))
    return ApiError(422, "Invalid", msg, {"name": name, "kind": "Node", "causes": causes})


def _fieldset(v, depth=0):
    if isinstance(v, dict) and depth < 4:
        return {"f:" + k: _fieldset(x, depth + 1) for k, x in v.items()}
    return {}


def _normalize_cidrs(spec):
    # v1 keeps podCIDR and podCIDRs in step: podCIDR is podCIDRs[0].
    if spec.get("podCIDRs"):
        spec["podCIDR"] = spec["podCIDRs"][0]
    elif spec.get("podCIDR"):
        spec["podCIDRs"] = [spec["podCIDR"]]


class Store:
    def __init__(self, history_max=10000, history_seconds=300.0, continue_ttl=300.0):
        self.cond = threading.Condition()
        self.rv = 0
        self.objs = {}
        self.hist = []  # (rv, type, Entry, prev obj or None, time) in rv order
        self.compacted = 0  # watches from a resourceVersion below this are too old
        self.snapshots = {}  # rv -> (created, [(name, Entry)])
        self.history_max = history_max
        self.history_seconds = history_seconds
        self.continue_ttl = continue_ttl
        self.dirty = False
        self.epoch = 0  # bumped by compact(): watches started before it end with 410

    # --- history ------------------------------------------------------------
    def _record(self, etype, entry, prev):
        self.hist.append((entry.rv, etype, entry, prev, time.time()))
        self._trim()
        self.dirty = True
        self.cond.notify_all()

    def _trim(self):
        cut, now = 0, time.time()
        while cut < len(self.hist) and (len(self.hist) - cut > self.history_max or
                                        now - self.hist[cut][4] > self.history_seconds):
            cut += 1
        if cut:
            self.compacted = self.hist[cut - 1][0]
            del self.hist[:cut]

    def compact(self):
        """Forget all history: every resourceVersion before now becomes too old."""
        with self.cond:
            self.hist.clear()
            self.compacted = self.rv
            self.snapshots.clear()
            self.epoch += 1
            self.cond.notify_all()

    def events_after(self, rv, limit=1000):
        """Events newer than rv (at most `limit`); raises ApiError 410 when rv is too old."""
        self._trim()
        if rv < self.compacted:
            raise expired(TOO_OLD + ": %d (%d)" % (rv, self.compacted + 1))
        lo, hi = 0, len(self.hist)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.hist[mid][0] <= rv:
                lo = mid + 1
            else:
                hi = mid
        return self.hist[lo:lo + limit]

    # --- writes -----------------------------------------------------------------
    def _next_rv(self):
        self.rv += 1
        return str(self.rv)

    def _manage(self, obj, old, manager, operation, sub, sent):
        mf = clone((old or {}).get("metadata", {}).get("managedFields") or [])
        if not manager:
            return mf
        entry = next((m for m in mf if m.get("manager") == manager and m.get("operation") == operation
                      and m.get("subresource") == sub), None)
        fields = _fieldset({k: v for k, v in (sent or {}).items() if k in ("metadata", "spec", "status")})
        fields.get("f:metadata", {}).pop("f:managedFields", None)
        for k in ("f:name", "f:uid", "f:resourceVersion", "f:creationTimestamp"):
            fields.get("f:metadata", {}).pop(k, None)
        if entry is None:
            entry = {"manager": manager, "operation": operation, "apiVersion": "v1"}
            mf.append(entry)
        entry.update({"time": now_ts(), "fieldsType": "FieldsV1", "fieldsV1": fields})
        if sub:
            entry["subresource"] = sub
        return mf

    def create(self, obj, manager=None, dry_run=False):
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "the body of the request was not a JSON object")
        obj = clone(obj)
        md = obj.setdefault("metadata", {})
        if not isinstance(md, dict):
            raise ApiError(400, "BadRequest", "metadata must be an object")
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + uuid.uuid4().hex[:5]
        if md.get("resourceVersion"):
            raise ApiError(500, "InternalError", "resourceVersion should not be set on objects to be created",
                           {"causes": [{"message": "resourceVersion should not be set on objects to be created"}]})
        obj["kind"], obj["apiVersion"] = "Node", "v1"
        obj.setdefault("spec", {})
        obj.setdefault("status", {})
        _normalize_cidrs(obj["spec"])
        causes = validate(obj)
        if causes:
            raise invalid(md.get("name", ""), causes)
        with self.cond:
            name = md["name"]
            if name in self.objs:
                raise ApiError(409, "AlreadyExists", 'nodes "%s" already exists' % name,
                               {"name": name, "kind": "nodes"})
            sent = clone(obj)
            for k in ("selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
                md.pop(k, None)
            md["uid"] = md.get("uid") if dry_run and md.get("uid") else str(uuid.uuid4())
            md["creationTimestamp"] = now_ts()
            md["managedFields"] = self._manage(obj, None, manager, "Update", None, sent)
            if not md["managedFields"]:
                del md["managedFields"]
            if dry_run:
                md["resourceVersion"] = ""
                return Entry(dict(self._order(obj), metadata=dict(md, resourceVersion=str(self.rv))))
            md["resourceVersion"] = self._next_rv()
            entry = Entry(self._order(obj))
            self.objs[name] = entry
            self._record("ADDED", entry, None)
            return entry

    @staticmethod
    def _order(obj):
        out = {"kind": obj.get("kind", "Node"), "apiVersion": obj.get("apiVersion", "v1"),
               "metadata": obj.get("metadata", {})}
        md = out["metadata"]
        lead = {k: md[k] for k in ("name", "generateName", "uid", "resourceVersion", "creationTimestamp",
                                   "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
                                   "annotations", "finalizers", "ownerReferences", "managedFields") if k in md}
        lead.update({k: v for k, v in md.items() if k not in lead})
        out["metadata"] = lead
        for k, v in obj.items():
            if k not in out:
                out[k] = v
        return out

    def update(self, name, new, manager=None, sub=None, dry_run=False, operation="Update", sent=None):
        """Replace node `name` with `new` (a full object), as PUT does; a
        resourceVersion in `new` is a precondition. Returns (entry, changed)."""
        if not isinstance(new, dict):
            raise ApiError(400, "BadRequest", "the body of the request was not a JSON object")
        new = clone(new)
        md = new.get("metadata")
        if not isinstance(md, dict):
            raise ApiError(400, "BadRequest", "metadata must be an object")
        if md.get("name", name) != name:
            raise ApiError(400, "BadRequest", "the name of the object (%s) does not match the name on the URL (%s)"
                           % (md.get("name"), name))
        if new.get("kind", "Node") != "Node" or new.get("apiVersion", "v1") != "v1":
            raise ApiError(400, "BadRequest", "the API version in the data (%s) does not match the expected "
                           "API version (v1)" % new.get("apiVersion"))
        with self.cond:
            cur = self.objs.get(name)
            if cur is None:
                raise not_found(name)
            old = cur.obj
            want_rv = md.get("resourceVersion")
            if want_rv and want_rv != old["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on nodes "%s": the object has been '
                               "modified; please apply your changes to the latest version and try again" % name,
                               {"name": name, "kind": "nodes"})
            new["kind"], new["apiVersion"] = "Node", "v1"
            md["name"] = name
            # Node strategy: the main resource cannot change status, /status cannot change spec.
            if sub == "status":
                new["spec"] = clone(old.get("spec", {}))
            else:
                new["status"] = clone(old.get("status", {}))
            new.setdefault("spec", {})
            _normalize_cidrs(new["spec"])
            for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
                if k in old["metadata"]:
                    md[k] = old["metadata"][k]
                else:
                    md.pop(k, None)
            md["resourceVersion"] = old["metadata"]["resourceVersion"]
            md["managedFields"] = clone(old["metadata"].get("managedFields") or [])
            if not md["managedFields"]:
                del md["managedFields"]
            new = self._order(new)
            md = new["metadata"]
            causes = validate(new, old)
            if causes:
                raise invalid(name, causes)
            owned = any(m.get("manager") == manager and m.get("operation") == operation
                        for m in md.get("managedFields", ()))
            if new == old and (operation != "Apply" or owned):
                return cur, False  # a no-op update keeps the resourceVersion and sends no event
            mf = self._manage(new, old, manager, operation, sub, sent if sent is not None else new)
            if mf:
                md["managedFields"] = mf
            if dry_run:
                return Entry(new), True
            md["resourceVersion"] = self._next_rv()
            if md.get("deletionTimestamp") and not md.get("finalizers"):
                return self._remove(name, Entry(new)), True
            entry = Entry(new)
            self.objs[name] = entry
            self._record("MODIFIED", entry, old)
            return entry, True

    def _remove(self, name, final):
        del self.objs[name]
        self._record("DELETED", final, None)
        return final

    def delete(self, name, precond=None, dry_run=False):
        """Returns (entry, gone): gone is False while finalizers hold the node."""
        precond = precond or {}
        with self.cond:
            cur = self.objs.get(name)
            if cur is None:
                raise not_found(name)
            md = cur.obj["metadata"]
            for key in ("uid", "resourceVersion"):
                if precond.get(key) and precond[key] != md.get(key):
                    raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on nodes "%s": Precondition '
                                   "failed: %s in precondition: %s, %s in object meta: %s"
                                   % (name, key.upper() if key == "uid" else "ResourceVersion",
                                      precond[key], key.upper() if key == "uid" else "ResourceVersion",
                                      md.get(key)), {"name": name, "kind": "nodes"})
            if dry_run:
                return cur, True
            if md.get("finalizers") and md.get("deletionTimestamp"):
                return cur, False  # already being deleted: nothing changes
            obj = clone(cur.obj)
            obj["metadata"]["resourceVersion"] = self._next_rv()
            if md.get("finalizers"):
                obj["metadata"]["deletionTimestamp"] = now_ts()
                obj["metadata"]["deletionGracePeriodSeconds"] = 0
                entry = Entry(self._order(obj))
                self.objs[name] = entry
                self._record("MODIFIED", entry, cur.obj)
                return entry, False
            return self._remove(name, Entry(obj)), True

    def wait_rv(self, want, timeout):
        """Wait until the store reaches resourceVersion `want`; False on timeout."""
        end = time.time() + timeout
        with self.cond:
            while self.rv < want:
                left = end - time.time()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return True

    # --- reads --------------------------------------------------------------------
    def get(self, name):
        with self.cond:
            return self.objs.get(name)

    def sorted_entries(self):
        with self.cond:
            return self.rv, sorted(self.objs.items())

    def snapshot(self, rv, items):
        with self.cond:
            self._expire_snapshots()
            if rv not in self.snapshots:
                while len(self.snapshots) >= 16:
                    del self.snapshots[min(self.snapshots)]
                self.snapshots[rv] = (time.time(), items)
            return self.snapshots[rv][1]

    def _expire_snapshots(self):
        now = time.time()
        for k in [k for k, (t, _) in self.snapshots.items() if now - t > self.continue_ttl]:
            del self.snapshots[k]

    def from_token(self, token):
        """(rv, start key, items) of a continue token; raises 400 or 410."""
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            rv, start = int(raw["rv"]), raw["start"]
            if raw.get("v") != "meta.k8s.io/v1" or not isinstance(start, str):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise ApiError(400, "BadRequest", "continue key is not valid: incorrect encoded start "
                           "resourceVersion (version meta.k8s.io/v1)")
        with self.cond:
            self._expire_snapshots()
            snap = self.snapshots.get(rv)
        if snap is None:
            raise expired("The provided continue parameter is too old to display a consistent list result. "
                          "You can start a new list without the continue parameter, or use the continue "
                          "value from the response.")
        return rv, start, snap[1]

    @staticmethod
    def token(rv, start):
        raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start + "\x00"}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    # --- persistence ----------------------------------------------------------------
    def save(self, path):
        with self.cond:
            data = {"resourceVersion": self.rv, "nodes": [e.obj for _, e in sorted(self.objs.items())]}
            self.dirty = False
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f, separators=(",", ":"))
        os.replace(tmp, path)

    def load_state(self, path):
        with open(path) as f:
            data = json.load(f)
        with self.cond:
            for obj in data["nodes"]:
                self.objs[obj["metadata"]["name"]] = Entry(obj)
            self.rv = int(data["resourceVersion"])
            self.compacted = self.rv  # a restarted server's cache starts here

    def preload(self, objs, owned=False):
        """Store objects as the state at startup (no history: watches from an
        earlier resourceVersion are too old, as with a fresh watch cache).
        With owned=True the objects are taken over, not copied."""
        with self.cond:
            for obj in objs:
                obj = obj if owned else clone(obj)
                obj["kind"], obj["apiVersion"] = "Node", "v1"
                md = obj.setdefault("metadata", {})
                md.setdefault("uid", str(uuid.uuid4()))
                md.setdefault("creationTimestamp", now_ts())
                md["resourceVersion"] = self._next_rv()
                _normalize_cidrs(obj.setdefault("spec", {}))
                causes = validate(obj)
                if causes:
                    raise invalid(md.get("name", ""), causes)
                self.objs[md["name"]] = Entry(self._order(obj))
            self.compacted = self.rv
