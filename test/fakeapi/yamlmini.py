"""A small YAML loader for the manifests the fake API server loads (--load):
block mappings and sequences, plain/quoted scalars, literal/folded block
scalars, single-line flow collections, comments and `---` separated
documents. Enough for Kubernetes manifests as people write them; no
anchors, tags or complex keys (those raise ValueError).
"""
import json
import re

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")


def _strip_comment(s):
    out, q = [], None
    for i, c in enumerate(s):
        if q:
            if c == q:
                q = None
        elif c in "'\"" and (i == 0 or s[i - 1] in " \t[{,:"):
            q = c
        elif c == "#" and (i == 0 or s[i - 1] in " \t"):
            break
        out.append(c)
    return "".join(out).rstrip()


def _scalar(s):
    s = s.strip()
    if s in ("", "~", "null", "Null", "NULL"):
        return None
    if s in ("true", "True", "TRUE"):
        return True
    if s in ("false", "False", "FALSE"):
        return False
    if s[0] == '"':
        if len(s) < 2 or s[-1] != '"':
            raise ValueError("unterminated double-quoted scalar: %s" % s)
        return json.loads(s)
    if s[0] == "'":
        if len(s) < 2 or s[-1] != "'":
            raise ValueError("unterminated single-quoted scalar: %s" % s)
        return s[1:-1].replace("''", "'")
    if s[0] in "{[":
        val, rest = _flow(s, 0)
        if s[rest:].strip():
            raise ValueError("junk after flow collection: %s" % s)
        return val
    if s[0] in "&*!|>%@`":
        raise ValueError("unsupported YAML feature: %s" % s)
    if _INT.match(s):
        return int(s)
    if _FLOAT.match(s):
        return float(s)
    return s


def _flow(s, i):
    """Parse a flow collection or scalar starting at s[i]; return (value, next)."""
    while s[i] == " ":
        i += 1
    if s[i] in "[{":
        close = "]" if s[i] == "[" else "}"
        is_map = s[i] == "{"
        out = {} if is_map else []
        i += 1
        while True:
            while s[i] in " ,":
                i += 1
            if s[i] == close:
                return out, i + 1
            if is_map:
                k, i = _flow(s, i)
                while s[i] == " ":
                    i += 1
                if s[i] != ":":
                    raise ValueError("expected ':' in flow mapping: %s" % s)
                v, i = _flow(s, i + 1)
                out[k] = v
            else:
                v, i = _flow(s, i)
                out.append(v)
    if s[i] in "'\"":
        q = s[i]
        j = i + 1
        while j < len(s):
            if s[j] == "\\" and q == '"':
                j += 2
                continue
            if s[j] == q:
                if q == "'" and j + 1 < len(s) and s[j + 1] == "'":
                    j += 2
                    continue
                break
            j += 1
        return _scalar(s[i:j + 1]), j + 1
    j = i
    while j < len(s) and s[j] not in ",]}" and not (s[j] == ":" and s[j + 1:j + 2] in (" ", "")):
        j += 1
    return _scalar(s[i:j]), j


def _key_split(text):
    """'key: value' -> (key, value) or None when the line is no mapping entry."""
    if text[0] in "'\"":
        q = text[0]
        j = text.find(q, 1)
        if j < 0:
            raise ValueError("unterminated quoted key: %s" % text)
        rest = text[j + 1:]
        if rest.startswith(":") and (len(rest) == 1 or rest[1] == " "):
            return _scalar(text[:j + 1]), rest[1:].strip()
        return None
    m = re.match(r"^([^\s#][^:]*?|[^\s#]*?):( (.*))?$", text)
    if not m or text.startswith("- ") or text in ("-",) or text[0] in "[{":
        return None
    return m.group(1), (m.group(3) or "").strip()


class _Parser:
    def __init__(self, text):
        self.lines = []  # (indent, text, raw) of non-empty lines
        for raw in text.split("\n"):
            raw = raw.rstrip("\r")
            body = _strip_comment(raw)
            if not body.strip():
                self.lines.append((None, "", raw))
                continue
            if "\t" in raw[:len(raw) - len(raw.lstrip(" \t"))]:
                raise ValueError("tab in indentation: %r" % raw)
            ind = len(body) - len(body.lstrip(" "))
            self.lines.append((ind, body.strip(), raw))
        self.i = 0

    def _skip(self):
        while self.i < len(self.lines) and self.lines[self.i][0] is None:
            self.i += 1

    def peek(self):
        self._skip()
        return self.lines[self.i] if self.i < len(self.lines) else None

    def node(self, indent):
        ln = self.peek()
        if ln is None or ln[0] < indent:
            return None
        ind, text, _ = ln
        if text == "-" or text.startswith("- "):
            return self.seq(ind)
        if _key_split(text) is not None:
            return self.mapping(ind)
        self.i += 1
        return _scalar(text)

    def seq(self, ind):
        out = []
        while True:
            ln = self.peek()
            if ln is None or ln[0] != ind or not (ln[1] == "-" or ln[1].startswith("- ")):
                if ln is not None and ln[0] > ind:
                    raise ValueError("bad indentation: %r" % ln[2])
                return out
            rest = ln[1][1:].lstrip(" ")
            if not rest:
                self.i += 1
                out.append(self.node(ind + 1))
                continue
            # "- key: v" opens a mapping whose keys sit at the column of "key"
            col = ind + len(ln[1]) - len(rest)
            self.lines[self.i] = (col, rest, ln[2])
            out.append(self.node(col))

    def block_scalar(self, header, ind):
        style, chomp = header[0], header[1:2]
        self.i += 1
        body, bind = [], None
        while self.i < len(self.lines):
            raw = self.lines[self.i][2]
            if raw.strip() == "":
                body.append("")
                self.i += 1
                continue
            cur = len(raw) - len(raw.lstrip(" "))
            if bind is None:
                bind = cur
            if cur < bind or cur <= ind:
                break
            body.append(raw[bind:])
            self.i += 1
        while body and body[-1] == "" and chomp != "+":
            body.pop()
        text = "\n".join(body) if style == "|" else " ".join(body)
        return text if chomp == "-" else text + "\n"

    def mapping(self, ind):
        out = {}
        while True:
            ln = self.peek()
            if ln is None or ln[0] < ind:
                return out
            if ln[0] > ind:
                raise ValueError("bad indentation: %r" % ln[2])
            kv = _key_split(ln[1])
            if kv is None:
                return out
            key, val = kv
            if key in out:
                raise ValueError("duplicate key %r" % key)
            if val[:1] in ("|", ">"):
                out[key] = self.block_scalar(val, ind)
                continue
            self.i += 1
            if val:
                out[key] = _scalar(val)
                continue
            nxt = self.peek()
            if nxt is not None and (nxt[0] > ind or (nxt[0] == ind and (
                    nxt[1] == "-" or nxt[1].startswith("- ")))):
                out[key] = self.node(nxt[0])
            else:
                out[key] = None


def load_all(text):
    """All documents of a YAML stream (documents that are empty are skipped)."""
    docs, cur = [], []
    for raw in text.split("\n"):
        if raw.startswith("---") and raw[3:].strip() in ("",) or raw.rstrip() == "---":
            docs.append("\n".join(cur))
            cur = []
        elif raw.startswith("..."):
            continue
        else:
            cur.append(raw)
    docs.append("\n".join(cur))
    out = []
    for d in docs:
        p = _Parser(d)
        if p.peek() is None:
            continue
        v = p.node(0)
        if p.peek() is not None:
            raise ValueError("unexpected content: %r" % p.peek()[2])
        out.append(v)
    return out
