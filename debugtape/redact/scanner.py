"""Finds secrets inside one string: credential formats, then context (`name=value`, flags, headers).

`TextScanner.scan(text)` returns the text with each secret span replaced by a marker. Markers
already in the text are never scanned again, so scanning twice equals scanning once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from debugtape.redact.entropy import tokenish
from debugtape.redact.keys import KeyPolicy
from debugtape.redact.markers import Fingerprinter, split_markers
from debugtape.redact.patterns import (
    GATE_WORDS,
    TRIGGER_WORDS,
    VALUE_PATTERNS,
    WORDS_RE,
    ValuePattern,
    gates,
    trie_regex,
)
from debugtape.redact.stats import RedactionStats

__all__ = ["TextScanner", "Span", "unquote"]

Span = tuple[int, int, str, str]  # start, end, kind, the secret (what the fingerprint hashes)

# A whole string that is one environment entry: NAME=value (the value may hold spaces).
_ENV = re.compile(r"(?P<k>[A-Za-z_][A-Za-z0-9_]{0,127})=(?P<v>.+)\Z", re.S)
# name <sep> value, in code, logs, JSON or Python reprs, gdb/lldb prints, URLs and headers.
_KV = re.compile(
    r"(?<![\w.])(?P<k>[A-Za-z_][\w.\-]{0,63})(?=(?:\\?[\"'])?\s{0,3}(?:==|=>|:=|[:=])\s{0,3}(?:"
    r"\\\"(?P<v1>(?:(?!\\\")[^\n]){1,4096})"
    r"|\"(?P<v2>(?:\\.|[^\"\\\n]){1,4096})"
    r"|'(?P<v3>(?:\\.|[^'\\\n]){1,4096})"
    r"|(?P<v5>(?i:bearer|basic|digest|negotiate|ntlm|token|mac|aws4-hmac-sha256)\s+[^\s\"'&;]+)"
    r"|0x[0-9a-fA-F]+\s+\\?\"(?P<v6>(?:\\[^\"]|[^\"\\\n]){1,4096})"
    r"|(?P<v4>[^\s\"'&;<>=\\][^\s\"'&;<>\\]{0,4095})"
    r"))"  # sep and value sit in a look-ahead, so `a: b = c` also tries `b = c`
)
# --password hunter2 (command lines); --password=hunter2 is a _KV match.
_FLAG = re.compile(r"(?:^|(?<=\s))--?(?P<k>[A-Za-z][\w.\-]{1,63})\s+"
                   r"(?:\"(?P<v2>[^\"\n]{1,4096})\"|'(?P<v3>[^'\n]{1,4096})'|(?P<v4>[^\s\-\"'][^\s]{0,4095}))")
# {"name": "password", "value": "..."} (DAP variables) and {name="password",value="..."} (gdb/MI).
_NAMED = re.compile(r"(?<![\w])name\\?[\"']?\s*[:=]\s*\\?[\"'](?P<k>[^\"'\\\n]{1,64})\\?[\"']")
_NAMED_VALUE = re.compile(
    r"\s*,\s*\\?[\"']?value\\?[\"']?\s*[:=]\s*(?:\\\"(?P<v1>(?:(?!\\\").){1,4096})"
    r"|\"(?P<v2>(?:\\.|[^\"\\]){1,4096})|'(?P<v3>(?:\\.|[^'\\]){1,4096}))")
# <password>hunter2</password> (XML, SOAP, plist); the element name decides.
_XML = re.compile(r"<(?P<k>[A-Za-z_][\w.\-]{0,63})(?:\s[^<>]{0,200})?>(?P<v>[^<]{1,4096})</(?P=k)>")
# netrc: machine host login bob password hunter2
_NETRC = re.compile(r"\blogin\s+\S+\s+(?:password|passwd)\s+(?P<v>\S+)")
# A random-looking token after a word that says "secret" (no name=value binding needed).
_CONTEXT = re.compile(
    r"(?<![A-Za-z0-9])(?i:key|token|secret|passw\w{0,12}|pwd|credentials?|auth\w{0,16}|apikey|signature)"
    r"(?!\w)[^\w\n]{1,20}(?P<v>[A-Za-z0-9+/_\-]{16,512}={0,2})")
# Token patterns stop after 512 characters so that no input makes them slow; a match that
# long is carried on to the end of its token instead, so a longer secret still goes whole.
_CAP = 500
_TAIL = re.compile(r"[A-Za-z0-9_\-+/=]*")
_EMPTY_VALUES = frozenset(("null", "none", "nil", "true", "false", "undefined", "nan", "0", "-",
                           "***", "...", "*", "<redacted>", "redacted", "xxx"))
_COOKIE_NAMES = frozenset(("cookie", "setcookie"))
_QUOTED = re.compile(r"(?P<q>\\?[\"'])(?P<v>.*)(?P=q)(?:\.\.\.)?\Z", re.S)


def unquote(text: str) -> str:
    """The inside of a quoted debugger string (`"abc"`, `'abc'`, `"abc"...`), else the text."""
    m = _QUOTED.match(text)
    return m.group("v") if m else text


def _value(m: re.Match[str]) -> tuple[int, int] | None:
    for g in ("v1", "v2", "v3", "v5", "v6", "v4"):
        if m.group(g) is not None:
            return m.span(g)
    return None


class TextScanner:
    """Scans strings for secrets with the built-in formats, a key policy and extra rules."""

    def __init__(self, fingerprints: Fingerprinter, keys: KeyPolicy,
                 extra: Sequence[ValuePattern] = (), allow_values: Sequence[re.Pattern[str]] = (),
                 prefilter_extra: Iterable[str] = ()) -> None:
        self._fp = fingerprints
        self._keys = keys
        self._extra = tuple(extra)
        self._allow = tuple(allow_values)
        extra_words = [w.lower() for w in prefilter_extra if w]
        self._words = (re.compile(trie_regex(list(TRIGGER_WORDS) + extra_words))
                       if extra_words else WORDS_RE)

    def gates(self, text: str) -> int:
        """Which pattern groups could match (0: the text cannot hold a secret we know of)."""
        return gates(text, self._words)

    def scan(self, text: str, stats: RedactionStats) -> str:
        """`text` with every secret replaced by a marker (counted in `stats`)."""
        g = gates(text, self._words)
        if not g and not self._extra:
            return text
        spans: list[Span] = []
        for start, end in split_markers(text):
            seg = text[start:end]
            spans.extend((s + start, e + start, k, v) for s, e, k, v in self._spans(seg, g))
        if not spans:
            return text
        return self._apply(text, spans, stats)

    def _spans(self, seg: str, g: int) -> Iterator[Span]:
        for pat in self._extra:
            yield from self._pattern_spans(seg, pat)
        if not g:
            return
        for pat in VALUE_PATTERNS:
            if pat.gate & g:
                yield from self._pattern_spans(seg, pat)
        if g & GATE_WORDS:
            yield from self._context_spans(seg)

    def _pattern_spans(self, seg: str, pat: ValuePattern) -> Iterator[Span]:
        covered = 0  # the end of the last span carried past the regex's cap
        for m in pat.regex.finditer(seg):
            if "v" in pat.regex.groupindex and m.group("v") is not None:
                s, e = m.span("v")
            else:
                s, e = m.span()
            if s < covered:
                continue
            if not e > s or (pat.check is not None and not pat.check(seg[s:e])):
                continue
            if e - s >= _CAP:
                e = covered = _TAIL.match(seg, e).end()  # type: ignore[union-attr]
            yield s, e, pat.kind, seg[s:e]

    def _context_spans(self, seg: str) -> Iterator[Span]:
        keys = self._keys
        m = _ENV.match(seg)
        if m:
            kind = keys.kind(m.group("k"))
            if kind is not None:
                yield from self._kv_span(seg, *m.span("v"), kind)
        for m in _KV.finditer(seg):
            kind = keys.kind(m.group("k"))
            if kind is None:
                continue
            span = _value(m)
            if span is None:
                continue
            s, e = span
            if m.group("v4") is not None:
                if keys_compact(m.group("k")) in _COOKIE_NAMES:
                    e = _line_end(seg, s)
                else:
                    e = s + len(seg[s:e].rstrip(",.)]}"))
            yield from self._kv_span(seg, s, e, kind)
        for m in _FLAG.finditer(seg):
            kind = keys.kind(m.group("k"))
            if kind is not None:
                s, e = _value(m) or m.span()
                yield from self._kv_span(seg, s, e, kind)
        for m in _NAMED.finditer(seg):
            kind = keys.kind(m.group("k"))
            if kind is None:
                continue
            v = _NAMED_VALUE.match(seg, m.end())
            if v is not None and (span := _value(v)) is not None:
                yield from self._kv_span(seg, *span, kind)
        for m in _XML.finditer(seg):
            kind = keys.kind(m.group("k"))
            if kind is not None:
                yield from self._kv_span(seg, *m.span("v"), kind)
        for m in _NETRC.finditer(seg):
            yield from self._kv_span(seg, *m.span("v"), "password")
        covered = 0
        for m in _CONTEXT.finditer(seg):
            if m.start("v") < covered:
                continue
            if m.end("v") - m.start("v") >= _CAP:
                end = covered = _TAIL.match(seg, m.end("v")).end()  # type: ignore[union-attr]
                yield m.start("v"), end, "generic_token", seg[m.start("v"):end]
                continue
            value = m.group("v")
            if tokenish(value) and value.count("/") < 2:
                yield m.start("v"), m.end("v"), "generic_token", value

    def _kv_span(self, seg: str, s: int, e: int, kind: str) -> Iterator[Span]:
        secret = seg[s:e]
        if not secret.strip() or secret.strip().lower() in _EMPTY_VALUES:
            return
        yield s, e, kind, secret

    def _apply(self, text: str, spans: list[Span], stats: RedactionStats) -> str:
        # Leftmost first, then the longest; a span inside an earlier one is already covered.
        spans.sort(key=lambda sp: (sp[0], sp[0] - sp[1]))
        out: list[str] = []
        pos = 0
        for s, e, kind, secret in spans:
            if s < pos:
                if e <= pos:
                    continue
                s = pos  # overlapping tail: redact the rest under the same marker
            if self._allowed(secret):
                continue
            out.append(text[pos:s])
            out.append(self._fp.marker(kind, unquote(secret)))
            stats.add(kind)
            pos = e
        out.append(text[pos:])
        return "".join(out)

    def _allowed(self, secret: str) -> bool:
        return any(p.search(secret) for p in self._allow)


def keys_compact(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _line_end(seg: str, s: int) -> int:
    for i in range(s, len(seg)):
        if seg[i] in "\n\"'":
            return i
    return len(seg)
