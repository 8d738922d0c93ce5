"""/fake/* control endpoints of the fake API server (no authentication:
the server listens on loopback only and these paths exist only here).

  GET  /fake/stats            request counts per verb and code, counters, request log
  POST /fake/stats/reset      zero them
  GET  /fake/faults           pending faults;  DELETE /fake/faults clears them
  POST /fake/faults           add faults (one object with fault keys, or a list of them)
  GET  /fake/config           runtime settings; POST /fake/config changes some
  POST /fake/events           {"count": N} MODIFIED heartbeats now; {"rate": R} start/stop the generator
  GET  /fake/nodes            {"resourceVersion", "nodes": [...]} as stored (for comparisons)
  POST /fake/save             write the --state file now
"""
import json

from store import ApiError, dumps


def _ok(h, obj, code=200):
    h.send_body(code, dumps(obj))


def handle(h, parts, query, body):
    srv = h.server
    m = h.command
    try:
        doc = json.loads(body) if body.strip() else {}
    except ValueError as e:
        raise ApiError(400, "BadRequest", "control body is not JSON: %s" % e) from None
    key = "/".join(parts)
    try:
        if key == "stats" and m == "GET":
            d = srv.stats.as_dict()
            with srv.store.cond:
                d.update({"resourceVersion": srv.store.rv, "compactedRV": srv.store.compacted,
                          "nodes": len(srv.store.objs), "history": len(srv.store.hist)})
            with srv.watch_lock:
                d["watches_active"] = len(srv.watches)
            if query.get("log") == "0":
                del d["log"]
            return _ok(h, d)
        if key == "stats/reset" and m == "POST":
            srv.stats.reset()
            return _ok(h, {"reset": True})
        if key == "faults" and m == "GET":
            return _ok(h, srv.faults.as_dict())
        if key == "faults" and m == "DELETE":
            srv.faults.clear()
            return _ok(h, {})
        if key == "faults" and m == "POST":
            for f in doc if isinstance(doc, list) else [doc]:
                apply_fault(srv, f)
            return _ok(h, srv.faults.as_dict())
        if key == "config" and m == "GET":
            return _ok(h, srv.cfg.as_dict())
        if key == "config" and m == "POST":
            srv.cfg.update(doc)
            srv.store.history_max = srv.cfg.history_max
            srv.store.history_seconds = srv.cfg.history_seconds
            srv.store.continue_ttl = srv.cfg.continue_ttl
            srv.events.wake()
            return _ok(h, srv.cfg.as_dict())
        if key == "events" and m == "POST":
            if "rate" in doc:
                srv.cfg.update({"events_rate": doc["rate"]})
                srv.events.wake()
            n = srv.events.burst(int(doc.get("count", 0)), doc.get("names"))
            return _ok(h, {"emitted": n, "rate": srv.cfg.events_rate, "resourceVersion": srv.store.rv})
        if key == "nodes" and m == "GET":
            with srv.store.cond:
                return _ok(h, {"resourceVersion": str(srv.store.rv),
                               "nodes": [e.obj for _, e in sorted(srv.store.objs.items())]})
        if key == "save" and m == "POST":
            if not srv.state_file:
                raise ApiError(400, "BadRequest", "no --state file")
            srv.store.save(srv.state_file)
            return _ok(h, {"saved": srv.state_file})
    except ValueError as e:
        raise ApiError(400, "BadRequest", str(e)) from None
    raise ApiError(404, "NotFound", "no control endpoint %s %s" % (m, key))


def apply_fault(srv, f):
    """One fault object. Keys (any combination):
      status:   {"code": 429|500|503|..., "count": N, "match": VERB, "retry_after": S}
      slow:     {"delay_ms": MS, "chunk_bytes": B, "count": N, "match": VERB}
      garbage:  {"count": N, "match": "watch"|"list"|"get"|...}  (watch: next N event lines)
      truncate: {"count": N, "match": ...}  half a chunk, then the connection is cut
      hang:     {"seconds": S, "count": N, "match": ...}  no answer, then the connection is cut
      drop_watches: "clean" (end like a timeout) | "abort" (cut the connections)
      expire:   "event" | "http": forget history (every earlier resourceVersion is too old),
                end open watches (with an ERROR 410 event in "event" form) and answer later
                too-old watches in that form
      expire_continue: true  pending continue tokens answer 410
      clear:    true         drop every pending fault first
    VERB: a verb (get list watch create update patch delete deletecollection discovery
    openapi), a group ("any", "read", "write", "api") or a list of them."""
    if not isinstance(f, dict):
        raise ValueError("a fault is a JSON object")
    known = {"status", "slow", "garbage", "truncate", "hang", "drop_watches", "expire", "expire_continue", "clear"}
    bad = set(f) - known
    if bad:
        raise ValueError("unknown fault keys: %s" % ", ".join(sorted(bad)))
    if f.get("clear"):
        srv.faults.clear()
    for kind in ("status", "slow", "garbage", "truncate", "hang"):
        if kind in f:
            srv.faults.add(kind, f[kind])
    if f.get("expire_continue"):
        with srv.store.cond:
            srv.store.snapshots.clear()
    if f.get("expire"):
        form = f["expire"] if f["expire"] in ("event", "http") else srv.cfg.too_old
        srv.cfg.update({"too_old": form})
        srv.store.compact()
    if f.get("drop_watches"):
        mode = "abort" if f["drop_watches"] == "abort" else "clean"
        with srv.watch_lock:
            for w in srv.watches:
                w.drop = mode
        with srv.store.cond:
            srv.store.cond.notify_all()
