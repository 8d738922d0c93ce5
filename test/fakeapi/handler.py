"""HTTP side of the fake API server: authentication, routing, content
negotiation, the Node REST verbs, chunked bodies and fault injection.
Watches are served by watch.py; the control endpoints by control.py.
"""
import gzip
import http.server
import json
import random
import select
import socket
import ssl
import time
import traceback
import urllib.parse
import uuid

import control
import openapi
import patch as patchlib
import render
import watch
import yamlmini
from store import ApiError, dumps, parse_field_selector, parse_label_selector, labels_match, fields_match

MAX_BODY = 3 * 1024 * 1024
PUBLIC = ("/version", "/healthz", "/livez", "/readyz")


class Abort(Exception):
    """The connection was cut on purpose (fault) or by the peer."""


def classify(method, parts, query):
    """The request verb, as counted in /fake/stats and matched by faults."""
    if not parts:
        return "other"
    if parts[0] == "fake":
        return "control"
    if parts[0] in ("healthz", "livez", "readyz"):
        return "health"
    if parts[0] == "openapi":
        return "openapi"
    if parts[0] == "version" or (parts[0] in ("api", "apis") and len(parts) <= 2):
        return "discovery"
    if parts[:2] == ["api", "v1"]:
        rest = parts[2:]
        if rest[:1] == ["watch"]:
            return "watch"
        if rest == ["nodes"]:
            if method == "GET":
                return "watch" if query.get("watch") in ("1", "true") else "list"
            return {"POST": "create", "DELETE": "deletecollection"}.get(method, "other")
        if rest[:1] == ["nodes"] and len(rest) in (2, 3) and (len(rest) == 2 or rest[2] == "status"):
            return {"GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method, "other")
    return "other"


def negotiate(accept):
    """'table' (meta.k8s.io Table, v1 or v1beta1), 'json', or None (nothing we speak)."""
    if not accept:
        return "json", None
    best = None
    for part in accept.split(","):
        fields = [p.strip() for p in part.split(";")]
        mt, params = fields[0], dict(p.split("=", 1) for p in fields[1:] if "=" in p)
        if params.get("as") == "Table" and params.get("g") == "meta.k8s.io" and mt == "application/json":
            return "table", params.get("v", "v1")
        if params.get("as"):
            continue
        if mt in ("application/json", "*/*", "application/*", "application/yaml") and best is None:
            best = ("json", None)
    return best or (None, None)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = ""
    _entry = None          # the stats log entry of a request logged as it starts (watches)

    # --- connection setup and plumbing -----------------------------------------
    def setup(self):
        ctx = self.server.ssl_ctx
        if ctx is not None:
            self.request.settimeout(10)
            try:
                self.request = ctx.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                self.server.stats.bump("tls_handshake_failed")
                self.server.log("TLS handshake failed: %s" % e)
                raise
            self.request.settimeout(None)
        super().setup()
        try:
            # Small responses go out as header + body writes: without this the
            # client's delayed ACK stalls each one by 40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, fmt, *args):
        if self.server.verbose:
            self.server.log("%s %s" % (self.address_string(), fmt % args))

    def send_response(self, code, message=None):
        # The real server sends no Server header.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())
        self._code = code
        if self._entry is not None:
            self._entry["code"] = code

    def abort(self):
        """Cut the TCP connection without TLS close_notify or a last chunk."""
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True
        raise Abort()

    def peer_gone(self):
        """True when the client closed its side (checked while a watch idles)."""
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
            if not r:
                return False
            self.connection.settimeout(0.01)
            try:
                return self.connection.recv(1) == b""
            except (ssl.SSLWantReadError, socket.timeout, BlockingIOError):
                return False
            finally:
                self.connection.settimeout(None)
        except (OSError, ValueError):
            return True

    def write_chunk(self, data, slow=None):
        if not data:
            return
        if slow:
            step = max(1, int(slow.get("chunk_bytes", 512)))
            for i in range(0, len(data), step):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data[i:i + step]), data[i:i + step]))
                time.sleep(float(slow.get("delay_ms", 100)) / 1000)
            return
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    RANDOM_SIZES = (1, 2, 7, 64, 512, 1500, 4096, 16384)

    def random_size(self):
        """The next size of "random" chunking: the sizes dealt from a shuffled deck, refilled
        when empty, per connection. Every run of eight chunks deals all eight sizes (a chunk
        at the end of a write is cut short), so a test that sees "varied sizes" sees them
        because of the body's length, never by luck."""
        deck = getattr(self, "chunk_deck", None)
        if not deck:
            deck = self.chunk_deck = list(self.RANDOM_SIZES)
            random.shuffle(deck)
        return deck.pop()

    def cut(self, data, mode):
        """Split a body into chunk payloads by the chunking mode."""
        if mode == "random":
            out, i = [], 0
            while i < len(data):
                n = self.random_size()
                out.append(data[i:i + n])
                i += n
            return out
        if mode.startswith("split:"):
            n = int(mode[6:])
        else:
            n = self.server.cfg.list_chunk
        return [data[i:i + n] for i in range(0, len(data), n)]

    def end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")

    def send_body(self, code, body, ctype="application/json", headers=None, verb="", allow_gzip=True):
        """A whole response; large bodies go chunked (as Go's server sends them)."""
        if isinstance(body, (dict, list)):
            body = dumps(body)
        f = self.server.faults
        if verb and f.take("garbage", verb):
            self.server.stats.bump("fault_garbage")
            body = body[:max(1, len(body) // 3)] + b'\x00,{"garbage'
        trunc = verb and f.take("truncate", verb)
        slow = verb and f.take("slow", verb)
        gz = allow_gzip and self.server.cfg.gzip and len(body) > 128 * 1024 and \
            "gzip" in self.headers.get("Accept-Encoding", "")
        if gz:
            body = gzip.compress(body, 1)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        if gz:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        for w in getattr(self, "warnings", ()):
            self.send_header("Warning", w)
        self.warnings = ()
        chunked = len(body) > 2048 or trunc or slow
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not chunked:
            self.wfile.write(body)
            return
        if trunc:
            self.server.stats.bump("fault_truncate")
            self.write_chunk(body[:len(body) // 2])
            self.abort()
        if slow:
            self.server.stats.bump("fault_slow")
            self.write_chunk(body, slow)
        else:
            for piece in self.cut(body, self.server.cfg.chunking):
                self.write_chunk(piece)
        self.end_chunks()

    def send_error_status(self, err, verb=""):
        self.send_body(err.code, err.status(), headers=err.headers, verb="")

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
                if len(out) > MAX_BODY:
                    raise ApiError(413, "RequestEntityTooLarge", "the request is too large")
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            self.close_connection = True
            raise ApiError(413, "RequestEntityTooLarge", "the request is too large")
        return self.rfile.read(n) if n else b""

    # --- auth -------------------------------------------------------------------------
    def user(self):
        """The authenticated user name, "" for anonymous, None when rejected."""
        srv = self.server
        if srv.ssl_ctx is not None and srv.client_ca:
            try:
                cert = self.connection.getpeercert()
            except (ValueError, OSError):
                cert = None
            if cert:
                for rdn in cert.get("subject", ()):
                    for k, v in rdn:
                        if k == "commonName":
                            return v
                return "client-cert"
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            tok = auth[7:].strip()
            users = srv.read_tokens()
            return users.get(tok) if tok else None
        if not srv.token_file and not srv.client_ca:
            return "admin"  # no authentication configured
        return "" if srv.anonymous else None

    # --- dispatch ---------------------------------------------------------------------
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def dispatch(self):
        t0 = time.time()
        self._code = 0
        self.warnings = ()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/") if p]
        verb = classify(self.command, parts, query)
        srv = self.server
        agent = self.headers.get("User-Agent", "") if self.headers else ""
        # a watch is in the log from its start (tests ask what is being watched)
        self._entry = srv.stats.begin(t0, self.command, path, url.query, verb, agent) if verb == "watch" else None
        try:
            try:
                body = self.read_body()
                if verb == "control":
                    return control.handle(self, parts[1:], query, body)
                who = self.user()
                if who is None:
                    srv.stats.bump("unauthorized")
                    raise ApiError(401, "Unauthorized", "Unauthorized")
                if who == "" and path not in PUBLIC:
                    res = {"list": "list", "watch": "watch"}.get(verb, verb)
                    raise ApiError(403, "Forbidden", 'nodes is forbidden: User "system:anonymous" cannot %s '
                                   'resource "nodes" in API group "" at the cluster scope' % res,
                                   {"kind": "nodes"})
                self.inject(verb)
                self.route(verb, parts, query, body)
            except ApiError as e:
                self.send_error_status(e)
            except (Abort, OSError):
                raise
            except Exception as e:  # a bug here must not look like a network fault
                srv.log("internal error on %s %s: %s\n%s" % (self.command, self.path, e, traceback.format_exc()))
                srv.stats.bump("internal_errors")
                self.send_error_status(ApiError(500, "InternalError", "Internal error occurred: %s" % e))
        except Abort:
            pass
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError, OSError) as e:
            self.close_connection = True
            if srv.verbose:
                srv.log("connection error: %s" % e)
        finally:
            srv.stats.request(t0, self.command, path, url.query, verb, self._code, agent, self._entry)

    def inject(self, verb):
        f = self.server.faults
        if verb in ("control", "health"):
            return
        hang = f.take("hang", verb)
        if hang:
            self.server.stats.bump("fault_hang")
            time.sleep(float(hang.get("seconds", 30)))
            self.abort()
        st = f.take("status", verb)
        if st:
            self.server.stats.bump("fault_status")
            code = st["code"]
            reasons = {429: ("TooManyRequests", "Too many requests, please try again later."),
                       500: ("InternalError", "Internal error occurred: injected fault"),
                       502: ("", "bad gateway"), 503: ("ServiceUnavailable", "The server is currently unable "
                                                       "to handle the request"),
                       504: ("Timeout", "The server was unable to return a response in the time allotted")}
            reason, msg = reasons.get(code, ("", "injected fault"))
            details, headers = None, {}
            if "retry_after" in st or code == 429:
                ra = int(st.get("retry_after", 1))
                details, headers = {"retryAfterSeconds": ra}, {"Retry-After": ra}
            raise ApiError(code, st.get("reason", reason), st.get("message", msg), details, headers)

    def route(self, verb, parts, query, body):
        srv = self.server
        p = "/" + "/".join(parts)
        if verb == "openapi":
            if p == "/openapi/v3":
                return self.send_body(200, openapi.index())
            if p == "/openapi/v3/api/v1":
                return self.send_body(200, openapi.core_v1())
            if p == "/openapi/v2" and "protobuf" in self.headers.get("Accept", ""):
                return self.send_body(200, openapi.v2_protobuf(),
                                      "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if verb == "health":
            return self.send_body(200, b"ok", "text/plain; charset=utf-8")
        if p == "/version":
            return self.send_body(200, render.version(srv.kube_version))
        if p == "/api":
            return self.send_body(200, render.api_versions(srv.addr))
        if p == "/apis":
            return self.send_body(200, render.api_groups())
        if p == "/api/v1":
            return self.send_body(200, render.core_v1_resources())
        if verb == "watch":
            if parts[2:3] == ["watch"]:
                if len(parts) == 5:
                    query["fieldSelector"] = "metadata.name=" + parts[4]
                elif parts[3:] != ["nodes"]:
                    raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return watch.serve(self, query)
        if verb == "list":
            return self.list_nodes(query)
        if verb == "create":
            return self.create(query, body)
        if verb == "deletecollection":
            return self.delete_collection(query, body)
        if verb in ("get", "update", "patch", "delete"):
            name, sub = parts[3], (parts[4] if len(parts) > 4 else None)
            if verb == "get":
                return self.get_node(name, query)
            if verb == "update":
                return self.update(name, sub, query, body)
            if verb == "patch":
                return self.patch(name, sub, query, body)
            if sub:
                raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            return self.delete(name, query, body)
        raise ApiError(404, "NotFound", "the server could not find the requested resource",
                       {"causes": [{"reason": "UnexpectedServerResponse", "message": "404 page not found"}]})

    # --- Node verbs -------------------------------------------------------------------
    def out_format(self):
        fmt, ver = negotiate(self.headers.get("Accept", ""))
        if fmt is None:
            raise ApiError(406, "NotAcceptable", "only the following media types are accepted: application/json, "
                           "application/yaml, application/vnd.kubernetes.protobuf")
        return fmt, ver

    def send_obj(self, code, entry, verb, query=None):
        fmt, ver = self.out_format()
        if fmt == "table":
            t = render.table([entry.obj], entry.rv, (query or {}).get("includeObject", "Metadata"))
            t["apiVersion"] = "meta.k8s.io/" + ver
            return self.send_body(code, t, "application/json;as=Table;v=%s;g=meta.k8s.io" % ver, verb=verb)
        return self.send_body(code, entry.full, verb=verb)

    def get_node(self, name, query):
        e = self.server.store.get(name)
        if e is None:
            raise ApiError(404, "NotFound", 'nodes "%s" not found' % name, {"name": name, "kind": "nodes"})
        self.send_obj(200, e, "get", query)

    def list_nodes(self, query):
        store, cfg = self.server.store, self.server.cfg
        fmt, ver = self.out_format()
        labels = parse_label_selector(query.get("labelSelector"))
        fields = parse_field_selector(query.get("fieldSelector"))
        try:
            limit = int(query.get("limit") or 0)
        except ValueError:
            raise ApiError(400, "BadRequest", "invalid limit")
        rvq, cont = query.get("resourceVersion", ""), query.get("continue", "")
        if cont:
            if rvq:
                raise ApiError(400, "BadRequest", "specifying resource version is not allowed when using continue")
            rv, start, items = store.from_token(cont)
        else:
            rv, items = store.sorted_entries()
            self.check_rv(rvq, query.get("resourceVersionMatch", ""), rv)
            start = ""
            if rvq == "0" and cfg.rv0_ignores_limit:
                limit = 0
        page, nxt, i = [], None, 0
        for i, (name, e) in enumerate(items):
            if name < start:
                continue
            if labels and not labels_match(labels, e.obj) or fields and not fields_match(fields, e.obj):
                continue
            if limit and len(page) == limit:
                nxt = page[-1][0]
                break
            page.append((name, e))
        md = {"resourceVersion": str(rv)}
        remaining = None
        if nxt is not None:
            store.snapshot(rv, items)
            md["continue"] = store.token(rv, nxt)
            if not labels and not fields:
                remaining = sum(1 for n, _ in items if n > nxt)
                md["remainingItemCount"] = remaining
        if fmt == "table":
            t = render.table([e.obj for _, e in page], rv, query.get("includeObject", "Metadata"),
                             md.get("continue"), remaining)
            t["apiVersion"] = "meta.k8s.io/" + ver
            return self.send_body(200, t, "application/json;as=Table;v=%s;g=meta.k8s.io" % ver, verb="list")
        body = b'{"kind":"NodeList","apiVersion":"v1","metadata":%s,"items":[%s]}' % (
            dumps(md), b",".join(e.item for _, e in page))
        self.send_body(200, body, verb="list")

    def check_rv(self, rvq, match, current):
        """resourceVersion semantics of a list: wait briefly for a future one, as the real cache does."""
        if rvq in ("", "0"):
            if match == "Exact":
                raise ApiError(400, "BadRequest", "resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"%s\"" % rvq)
            return
        try:
            want = int(rvq)
        except ValueError:
            raise ApiError(400, "BadRequest", 'invalid resource version "%s"' % rvq) from None
        if want > current and not self.server.store.wait_rv(want, 3.0):
            raise too_large()
        if match == "Exact" and want != current:
            raise ApiError(410, "Expired", "too old resource version: %d (%d)" % (want, current))

    def parse(self, body, ctype=None):
        ctype = (ctype or self.headers.get("Content-Type", "application/json")).split(";")[0].strip()
        try:
            if ctype in ("application/yaml", "application/apply-patch+yaml"):
                docs = yamlmini.load_all(body.decode())
                return docs[0] if docs else None
            if ctype.endswith("json"):
                return json.loads(body)
        except (ValueError, UnicodeDecodeError) as e:
            raise ApiError(400, "BadRequest", "the body of the request was in an unknown format - "
                           "accepted media types include: application/json, application/yaml (%s)" % e)
        raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted "
                       "media types include: application/json, application/yaml")

    def field_check(self, query, obj):
        """fieldValidation: Strict rejects unknown fields (400), Warn adds Warning headers."""
        mode = query.get("fieldValidation", "")
        if mode not in ("", "Ignore", "Warn", "Strict"):
            raise ApiError(400, "BadRequest", 'fieldValidation must be one of "Ignore", "Warn", or "Strict"')
        bad = openapi.unknown_fields(obj)
        if not bad or mode in ("", "Ignore"):
            return
        if mode == "Strict":
            raise ApiError(400, "BadRequest", "Node in version \"v1\" cannot be handled as a Node: strict decoding "
                           "error: " + ", ".join('unknown field "%s"' % b for b in bad))
        self.warnings = ['299 - "unknown field \\"%s\\""' % b for b in bad]

    def manager(self, query, default_op=None):
        if query.get("fieldManager"):
            return query["fieldManager"]
        agent = self.headers.get("User-Agent", "")
        return agent.split("/")[0] or "unknown"

    def dry_run(self, query):
        dr = query.get("dryRun", "")
        if dr and dr != "All":
            raise ApiError(400, "BadRequest", "dryRun must be All")
        return dr == "All"

    def create(self, query, body):
        obj = self.parse(body)
        self.field_check(query, obj)
        if isinstance(obj, dict) and (obj.get("kind", "Node") != "Node" or obj.get("apiVersion", "v1") != "v1"):
            raise ApiError(400, "BadRequest", "the API version in the data (%s) does not match the expected "
                           "API version (v1)" % obj.get("apiVersion"))
        e = self.server.store.create(obj, self.manager(query), self.dry_run(query))
        self.send_obj(201, e, "create", query)

    def update(self, name, sub, query, body):
        obj = self.parse(body)
        self.field_check(query, obj)
        e, _ = self.server.store.update(name, obj, self.manager(query), sub, self.dry_run(query))
        self.send_obj(200, e, "update", query)

    def patch(self, name, sub, query, body):
        store = self.server.store
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
        engines = {"application/merge-patch+json": patchlib.merge_patch,
                   "application/strategic-merge-patch+json": patchlib.strategic_merge_patch,
                   "application/json-patch+json": patchlib.json_patch,
                   "application/apply-patch+yaml": patchlib.strategic_merge_patch}
        if ctype not in engines:
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                           "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                           "application/apply-patch+yaml, application/strategic-merge-patch+json")
        doc = self.parse(body, "application/yaml" if ctype.endswith("yaml") else "application/json")
        apply = ctype == "application/apply-patch+yaml"
        if ctype != "application/json-patch+json":
            self.field_check(query, doc)
        if apply and not query.get("fieldManager"):
            raise ApiError(400, "BadRequest", "PATCH /api/v1/nodes/%s: fieldManager is required for apply requests"
                           % name)
        op = "Apply" if apply else "Update"
        for _ in range(5):
            cur = store.get(name)
            if cur is None:
                if apply and not sub:
                    e = store.create(doc, query["fieldManager"], self.dry_run(query))
                    return self.send_obj(201, e, "patch", query)
                raise ApiError(404, "NotFound", 'nodes "%s" not found' % name, {"name": name, "kind": "nodes"})
            try:
                new = engines[ctype](cur.obj, doc)
            except patchlib.PatchError as pe:
                raise ApiError(pe.code, "Invalid" if pe.code == 422 else "BadRequest", pe.message) from None
            if not isinstance(new, dict) or not isinstance(new.get("metadata"), dict):
                raise ApiError(422, "Invalid", "the patch removed the object's metadata")
            user_rv = isinstance(doc, dict) and (doc.get("metadata") or {}).get("resourceVersion")
            if not user_rv:
                new["metadata"]["resourceVersion"] = cur.obj["metadata"]["resourceVersion"]
            try:
                e, _ = store.update(name, new, self.manager(query), sub, self.dry_run(query), op,
                                    doc if isinstance(doc, dict) else new)
                return self.send_obj(200, e, "patch", query)
            except ApiError as err:
                if err.code != 409 or user_rv:
                    raise
        raise ApiError(409, "Conflict", "too many concurrent updates to node %s" % name)

    def delete(self, name, query, body):
        opts = self.parse(body) if body else {}
        opts = opts if isinstance(opts, dict) else {}
        dry = self.dry_run(query) or opts.get("dryRun") == ["All"]
        e, gone = self.server.store.delete(name, opts.get("preconditions"), dry)
        if not gone:
            return self.send_body(200, e.full, verb="delete")
        self.send_body(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                             "details": {"name": name, "kind": "nodes", "uid": e.obj["metadata"].get("uid", "")}},
                       verb="delete")

    def delete_collection(self, query, body):
        labels = parse_label_selector(query.get("labelSelector"))
        fields = parse_field_selector(query.get("fieldSelector"))
        store, dry = self.server.store, self.dry_run(query)
        rv, items = store.sorted_entries()
        gone = []
        for name, e in items:
            if labels_match(labels, e.obj) and fields_match(fields, e.obj):
                try:
                    d, _ = store.delete(name, None, dry)
                    gone.append(d.item)
                except ApiError:
                    pass
        self.send_body(200, b'{"kind":"NodeList","apiVersion":"v1","metadata":{"resourceVersion":"%d"},"items":[%s]}'
                       % (store.rv, b",".join(gone)), verb="deletecollection")


def too_large():
    return ApiError(504, "Timeout", "Too large resource version",
                    {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                     "retryAfterSeconds": 1})
