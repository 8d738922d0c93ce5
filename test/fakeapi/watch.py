"""Watch streams of the fake API server: chunked, newline-delimited events
(ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) from the store's history, with
the start, bookmark, timeout and too-old semantics of the real watch cache.
"""
import copy
import threading
import time

import render
from store import ApiError, TOO_OLD, dumps, fields_match, labels_match, parse_field_selector, parse_label_selector

WATCH_BATCH = 500


class WatchCtl:
    """What the control endpoint can do to one open watch."""

    def __init__(self):
        self.drop = None  # None, "clean" or "abort"


def _status_410(msg):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": msg,
            "reason": "Expired", "code": 410}


class Stream:
    def __init__(self, h, table_ver, labels, fields, include):
        self.h, self.table_ver = h, table_ver
        self.labels, self.fields, self.include = labels, fields, include
        self.srv = h.server
        self.pending = []  # event lines waiting to be written as one batch

    def match(self, obj):
        if obj is None:
            return False
        return (not self.labels or labels_match(self.labels, obj)) and \
               (not self.fields or fields_match(self.fields, obj))

    def obj_bytes(self, entry_or_obj):
        obj = entry_or_obj if isinstance(entry_or_obj, dict) else entry_or_obj.obj
        if self.table_ver:
            t = render.table([obj], obj["metadata"].get("resourceVersion", ""), self.include)
            t["apiVersion"] = "meta.k8s.io/" + self.table_ver
            del t["metadata"]
            return dumps(t)
        if isinstance(entry_or_obj, dict):
            return dumps(obj)
        return entry_or_obj.full

    def add(self, etype, body):
        self.pending.append(b'{"type":"%s","object":%s}\n' % (etype.encode(), body))

    def event(self, etype, entry, prev):
        """Queue one history event as this watcher sees it (selectors turn
        MODIFIED into ADDED/DELETED when an object enters or leaves them)."""
        if not self.labels and not self.fields:
            return self.add(etype, self.obj_bytes(entry))
        now_in = self.match(entry.obj)
        if etype == "MODIFIED":
            was_in = self.match(prev)
            if now_in and not was_in:
                etype = "ADDED"
            elif was_in and not now_in:
                old = copy.deepcopy(prev)
                old["metadata"]["resourceVersion"] = str(entry.rv)
                return self.add("DELETED", self.obj_bytes(old))
            elif not now_in:
                return
        elif not now_in:
            return
        self.add(etype, self.obj_bytes(entry))

    def bookmark(self, rv, initial_end=False):
        md = {"resourceVersion": str(rv)}
        if initial_end:
            md["annotations"] = {"k8s.io/initial-events-end": "true"}
        if self.table_ver:
            obj = {"kind": "Table", "apiVersion": "meta.k8s.io/" + self.table_ver, "metadata": md,
                   "columnDefinitions": None, "rows": None}
        else:
            obj = {"kind": "Node", "apiVersion": "v1", "metadata": md}
        self.add("BOOKMARK", dumps(obj))
        self.srv.stats.bump("watch_bookmarks")

    def error(self, status):
        self.add("ERROR", dumps(status))

    def flush(self, slow):
        """Write the queued events, applying per-event faults and the chunking mode."""
        h, faults = self.h, self.srv.faults
        lines, self.pending = self.pending, []
        out = []
        for line in lines:
            if faults.take("truncate", "watch"):
                self.srv.stats.bump("fault_truncate")
                self.write(out, slow)
                h.write_chunk(line[:max(1, len(line) // 2)])
                h.abort()
            if faults.take("garbage", "watch"):
                self.srv.stats.bump("fault_garbage")
                line = line[:max(1, len(line) // 3)] + b'\x01 not json }}\n'
            out.append(line)
        self.write(out, slow)
        self.srv.stats.bump("watch_events", len(lines))

    def write(self, lines, slow):
        if not lines:
            return
        h, mode = self.h, self.srv.cfg.chunking
        if slow:
            for line in lines:
                h.write_chunk(line, slow)
        elif mode == "event":
            h.wfile.write(b"".join(b"%x\r\n%s\r\n" % (len(x), x) for x in lines))
        else:
            for piece in h.cut(b"".join(lines), mode):
                h.write_chunk(piece)


def serve(h, query):
    srv = h.server
    store, cfg = srv.store, srv.cfg
    fmt, ver = h.out_format()
    labels = parse_label_selector(query.get("labelSelector"))
    fields = parse_field_selector(query.get("fieldSelector"))
    rvq = query.get("resourceVersion", "")
    bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
    initial = query.get("sendInitialEvents") == "true"
    if "sendInitialEvents" in query and cfg.watch_list == "off":
        srv.stats.bump("watch_list_refused")
        raise ApiError(422, "Invalid", 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: '
                       "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled",
                       {"group": "meta.k8s.io", "kind": "ListOptions", "causes": [
                           {"reason": "FieldValueForbidden", "field": "sendInitialEvents",
                            "message": "Forbidden: sendInitialEvents is forbidden for watch unless the "
                                       "WatchList feature gate is enabled"}]})
    if cfg.watch_list == "ignore":
        initial = False   # an older server knows neither parameter
    elif initial:
        srv.stats.bump("watch_list")
    if initial and (query.get("resourceVersionMatch") != "NotOlderThan" or not bookmarks):
        raise ApiError(422, "Invalid", "sendInitialEvents requires resourceVersionMatch=NotOlderThan and "
                       "allowWatchBookmarks=true")
    try:
        timeout = float(query["timeoutSeconds"]) if query.get("timeoutSeconds") else cfg.watch_timeout
    except ValueError:
        raise ApiError(400, "BadRequest", "invalid timeoutSeconds") from None
    deadline = time.time() + (timeout if timeout > 0 else cfg.watch_timeout)
    st = Stream(h, ver if fmt == "table" else None, labels, fields, query.get("includeObject", "Metadata"))
    too_old = None
    with store.cond:
        if rvq in ("", "0") or (initial and rvq in ("", "0")):
            snap = sorted(store.objs.items())
            last = store.rv
        else:
            try:
                last = int(rvq)
            except ValueError:
                raise ApiError(400, "BadRequest", 'invalid resource version "%s"' % rvq) from None
            snap = sorted(store.objs.items()) if initial else []
            if initial:
                last = max(last, store.rv)
        epoch = store.epoch
    if rvq not in ("", "0") and last > store.rv and not store.wait_rv(last, 3.0):
        from handler import too_large
        raise too_large()
    if rvq not in ("", "0") and not initial:
        with store.cond:
            try:
                store.events_after(last, 0)
            except ApiError as e:
                too_old = e
        if too_old and cfg.too_old == "http":
            srv.stats.bump("watch_too_old_http")
            raise too_old
    ctl = WatchCtl()
    with srv.watch_lock:
        srv.watches.add(ctl)
    try:
        h.send_response(200)
        h.send_header("Content-Type", "application/json;as=Table;v=%s;g=meta.k8s.io" % ver
                      if fmt == "table" else "application/json")
        h.send_header("Cache-Control", "no-cache, private")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        slow = srv.faults.take("slow", "watch")
        if too_old:
            srv.stats.bump("watch_too_old_event")
            st.error(too_old.status())
            st.flush(slow)
            h.end_chunks()
            return
        for _, e in snap:
            if st.match(e.obj):
                st.add("ADDED", st.obj_bytes(e))
        if initial:
            st.bookmark(last, True)
        st.flush(slow)
        loop(h, st, ctl, last, epoch, bookmarks, deadline, slow)
    finally:
        with srv.watch_lock:
            srv.watches.discard(ctl)


def loop(h, st, ctl, last, epoch, bookmarks, deadline, slow):
    srv = h.server
    store, cfg = srv.store, srv.cfg
    next_bm = time.time() + cfg.bookmark_interval
    # What the history held when the watch began is replayed before timeoutSeconds
    # can end it: a client that asked for a short watch on a busy machine must
    # not get a clean end instead of the events it was due.
    with store.cond:
        replay_to = store.rv
    while True:
        with store.cond:
            while True:
                now = time.time()
                if store.hist and store.hist[-1][0] > last:
                    break
                if ctl.drop or store.epoch != epoch or now >= deadline:
                    break
                if bookmarks and now >= next_bm:
                    break
                wake = min(deadline, next_bm if bookmarks else deadline, now + 1.0) - now
                store.cond.wait(max(wake, 0.01))
                if time.time() - now >= 0.9 and h.peer_gone():
                    return
            if ctl.drop == "abort":
                srv.stats.bump("watch_dropped")
                h.abort()
            if ctl.drop or (time.time() >= deadline and last >= replay_to):
                srv.stats.bump("watch_dropped" if ctl.drop else "watch_timeouts")
                break
            if store.epoch != epoch:
                if cfg.too_old == "event":
                    st.error(_status_410(TOO_OLD + ": %d (%d)" % (last, store.compacted + 1)))
                break
            try:
                evs = store.events_after(last, WATCH_BATCH)
            except ApiError as e:
                # fell behind the history window: the cache ends the watch with 410
                st.error(e.status())
                break
            head = store.rv
        for rv, etype, entry, prev, _ in evs:
            st.event(etype, entry, prev)
            last = rv
        if bookmarks and time.time() >= next_bm:
            if len(evs) < WATCH_BATCH:
                last = max(last, head)
            st.bookmark(last)
            next_bm = time.time() + cfg.bookmark_interval
        st.flush(slow)
    st.flush(slow)
    h.end_chunks()
