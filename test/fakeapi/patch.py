"""Patch engines of the fake kube-apiserver: JSON merge patch (RFC 7386),
JSON patch (RFC 6902) and the strategic merge patch as far as core/v1 Node
needs it (merge keys and directives of the Node type only).

Every function works on deep copies: the stored object is never touched.
Errors raise PatchError(code, message); the server turns them into a
Kubernetes Status with that HTTP code.
"""
import copy


class PatchError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def merge_patch(target, patch):
    """RFC 7386: maps merge recursively, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# --- RFC 6902 ------------------------------------------------------------------

def _pointer(path):
    if path == "":
        return []
    if not isinstance(path, str) or not path.startswith("/"):
        raise PatchError(400, "invalid JSON pointer %r" % (path,))
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(container, tok, for_add):
    if tok == "-" and for_add:
        return len(container)
    if not tok.isdigit() or (len(tok) > 1 and tok[0] == "0"):
        raise PatchError(422, "invalid array index %r" % tok)
    i = int(tok)
    if i > len(container) or (i == len(container) and not for_add):
        raise PatchError(422, "array index %d out of bounds" % i)
    return i


def _parent(doc, toks):
    cur = doc
    for t in toks[:-1]:
        if isinstance(cur, dict):
            if t not in cur:
                raise PatchError(422, "path component %r not found" % t)
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(cur, t, False)]
        else:
            raise PatchError(422, "path component %r is not a container" % t)
    return cur


def _get(doc, toks):
    if not toks:
        return doc
    par = _parent(doc, toks)
    t = toks[-1]
    if isinstance(par, dict):
        if t not in par:
            raise PatchError(422, "path %r not found" % "/".join(toks))
        return par[t]
    if isinstance(par, list):
        return par[_index(par, t, False)]
    raise PatchError(422, "path %r not found" % "/".join(toks))


def _add(doc, toks, val):
    if not toks:
        return val
    par = _parent(doc, toks)
    t = toks[-1]
    if isinstance(par, dict):
        par[t] = val
    elif isinstance(par, list):
        par.insert(_index(par, t, True), val)
    else:
        raise PatchError(422, "cannot add to a scalar")
    return doc


def _remove(doc, toks):
    if not toks:
        raise PatchError(422, "cannot remove the whole document")
    par = _parent(doc, toks)
    t = toks[-1]
    if isinstance(par, dict):
        if t not in par:
            raise PatchError(422, "unable to remove nonexistent key: %s" % t)
        return par.pop(t)
    if isinstance(par, list):
        return par.pop(_index(par, t, False))
    raise PatchError(422, "cannot remove from a scalar")


def json_patch(target, ops):
    """RFC 6902. A failed `test` op is a 422, as the real server answers."""
    if not isinstance(ops, list):
        raise PatchError(400, "json patch must be an array of operations")
    doc = copy.deepcopy(target)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError(400, "json patch operation needs op and path")
        kind, toks = op["op"], _pointer(op["path"])
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(400, "json patch %s needs a value" % kind)
        if kind == "add":
            doc = _add(doc, toks, copy.deepcopy(op["value"]))
        elif kind == "remove":
            _remove(doc, toks)
        elif kind == "replace":
            _get(doc, toks)
            if not toks:
                doc = copy.deepcopy(op["value"])
            else:
                _remove(doc, toks)
                doc = _add(doc, toks, copy.deepcopy(op["value"]))
        elif kind in ("move", "copy"):
            src = _pointer(op.get("from", ""))
            val = copy.deepcopy(_get(doc, src))
            if kind == "move":
                _remove(doc, src)
            doc = _add(doc, toks, val)
        elif kind == "test":
            if _get(doc, toks) != op["value"]:
                raise PatchError(422, "testing value %s failed" % op["path"])
        else:
            raise PatchError(400, "unknown json patch operation %r" % kind)
    return doc


# --- strategic merge patch (core/v1 Node) ----------------------------------------
#
# Lists of a Node and how the real type tags them: a merge key (list of maps
# merged by that field), "primitive" (set union), or absent (replace).
NODE_LISTS = {
    ("metadata", "finalizers"): "primitive",
    ("metadata", "ownerReferences"): "uid",
    ("spec", "podCIDRs"): "primitive",
    ("status", "conditions"): "type",
    ("status", "addresses"): "type",
}


def _smp_map(target, patch, path):
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    if directive is not None:
        raise PatchError(400, "unknown patch directive %r" % directive)
    retain = patch.get("$retainKeys")
    for k, v in patch.items():
        if k.startswith("$setElementOrder/") or k == "$retainKeys":
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            name = k.split("/", 1)[1]
            if isinstance(out.get(name), list) and isinstance(v, list):
                out[name] = [x for x in out[name] if x not in v]
            continue
        if v is None:
            out.pop(k, None)
            continue
        sub = path + (k,)
        if isinstance(v, dict):
            merged = _smp_map(out.get(k), v, sub)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        elif isinstance(v, list) and sub in NODE_LISTS:
            out[k] = _smp_list(out.get(k), v, NODE_LISTS[sub], sub)
        else:
            out[k] = copy.deepcopy(v)
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _smp_list(target, patch, key, path):
    cur = copy.deepcopy(target) if isinstance(target, list) else []
    if any(isinstance(e, dict) and e.get("$patch") == "replace" for e in patch):
        return [copy.deepcopy(e) for e in patch
                if not (isinstance(e, dict) and e.get("$patch") == "replace")]
    if key == "primitive":
        for e in patch:
            if e not in cur:
                cur.append(copy.deepcopy(e))
        return cur
    for e in patch:
        if not isinstance(e, dict) or key not in e:
            raise PatchError(400, "map in list %s lacks merge key %r" % (".".join(path), key))
        idx = next((i for i, c in enumerate(cur)
                    if isinstance(c, dict) and c.get(key) == e[key]), None)
        if e.get("$patch") == "delete":
            if idx is not None:
                cur.pop(idx)
            continue
        if idx is None:
            cur.append({k: copy.deepcopy(v) for k, v in e.items() if k != "$patch"})
        else:
            cur[idx] = _smp_map(cur[idx], e, path)
    return cur


def strategic_merge_patch(target, patch):
    if not isinstance(patch, dict):
        raise PatchError(400, "strategic merge patch must be a JSON object")
    out = _smp_map(target, patch, ())
    return out if out is not None else {}
