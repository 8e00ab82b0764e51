"""Debugger-like raw records (snapshots, samples, starts, breakpoints, notes), clean or with planted values."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from corpus.secrets_gen import LOOKALIKE_KINDS, SECRET_KINDS, lookalike, secret

__all__ = ["clean_records", "Planted", "labelled_records", "CONTEXT_ONLY"]

SYMBOLS = ["main", "parse_header", "btree_split", "btree_insert", "read_block", "hash_update",
           "http_request_send", "json_decode", "lexer_next", "vec_push", "arena_alloc",
           "_ZN5tokio7runtime4task3raw7RawTask4poll17h1e0c8c2b8a1f2d3eE", "PyEval_EvalFrameDefault",
           "std::vector<int>::push_back", "worker_loop", "queue_pop", "sqlite3VdbeExec"]
FILES = ["/home/ana/src/tape/src/parser.c", "/home/ana/src/tape/src/btree.c",
         "/home/ana/src/tape/src/net/http.c", "/home/ana/src/tape/include/vec.h",
         "/usr/lib/python3.11/json/decoder.py", "/home/ana/src/tape/app/handlers.py",
         "/home/ana/.cargo/registry/src/tokio-1.35.0/src/runtime/task/raw.rs"]
MODULES = ["/home/ana/src/tape/build/tape", "/lib/x86_64-linux-gnu/libc.so.6",
           "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0", "/usr/bin/python3.11"]
LOCAL_NAMES = ["len", "i", "n", "buf", "node", "key_len", "count", "offset", "state", "cursor",
               "result", "flags", "head", "tail", "size", "capacity", "ptr", "p", "rc", "err",
               "line", "col", "depth", "child", "page_no", "entry", "msg", "path", "url", "ctx"]
TYPES = ["int", "size_t", "char *", "struct node *", "uint64_t", "bool", "double", "const char *",
         "struct btree_page", "enum state", "str", "int", "list", "dict"]
WORDS = ["alpha", "beta", "page", "header", "content-type", "application/json", "GET", "/index",
         "hello world", "ok", "retry", "EOF", "row 12", "select * from t where id = ?"]


def _addr(r: random.Random) -> str:
    return "0x" + r.choice(["7ffe", "5555", "7f3a", "40"]) + "".join(r.choice("0123456789abcdef") for _ in range(8))


def _value(r: random.Random, depth: int = 0) -> Any:
    k = r.random()
    if k < 0.30:
        return r.choice([r.randint(0, 100), r.randint(0, 10**6), -r.randint(1, 1000)])
    if k < 0.45:
        return _addr(r)
    if k < 0.62:
        return f'{_addr(r)} "{r.choice(WORDS)}"'
    if k < 0.70:
        return round(r.uniform(-1000, 1000), 4)
    if k < 0.75:
        return r.choice([True, False, None])
    if k < 0.80:
        return r.choice(["STATE_IDLE", "STATE_READ", "PAGE_LEAF", "<optimized out>", "'abc'", "b'\\x00\\x01'"])
    if k < 0.90 and depth < 2:
        return {n: _value(r, depth + 1) for n in r.sample(LOCAL_NAMES, r.randint(2, 5))}
    if depth < 2:
        return [r.randint(0, 255) for _ in range(r.randint(2, 12))]
    return r.randint(0, 9)


def _frame(r: random.Random, i: int, with_locals: bool) -> dict[str, Any]:
    f: dict[str, Any] = {"index": i, "symbol": r.choice(SYMBOLS), "file": r.choice(FILES),
                         "line": r.randint(1, 3000), "module": r.choice(MODULES), "address": _addr(r)}
    if with_locals:
        names = r.sample(LOCAL_NAMES, r.randint(4, 12))
        f["args"] = {n: _value(r) for n in names[:2]}
        f["locals"] = {n: _value(r) for n in names[2:]}
        f["types"] = {n: r.choice(TYPES) for n in names}
    return f


def snapshot(r: random.Random) -> dict[str, Any]:
    n = r.randint(4, 20)
    return {"kind": "snapshot", "reason": r.choice(["breakpoint", "step", "signal", "sample"]),
            "thread": {"id": r.randint(1, 8), "name": r.choice(["main", "worker-1", "io"])},
            "bp_id": str(r.randint(1, 9)), "ts": 1763900000 + r.random() * 1000,
            "frames": [_frame(r, i, i < 5) for i in range(n)]}


def sample(r: random.Random) -> dict[str, Any]:
    return {"kind": "sample", "threads": [
        {"id": t, "name": f"worker-{t}", "frames": [
            {"symbol": r.choice(SYMBOLS), "file": r.choice(FILES), "line": r.randint(1, 3000),
             "module": r.choice(MODULES)} for _ in range(r.randint(3, 15))]}
        for t in range(1, r.randint(2, 5))]}


def start(r: random.Random) -> dict[str, Any]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/ana", "LANG": "C.UTF-8",
           "TERM": "xterm-256color", "SHELL": "/bin/bash", "USER": "ana", "PWD": "/home/ana/src/tape",
           "EDITOR": "vim", "LD_LIBRARY_PATH": "/opt/lib", "PYTHONPATH": "/home/ana/src/tape"}
    return {"kind": "start", "name": "run", "tool": r.choice(["gdb", "lldb", "python"]),
            "program": "/home/ana/src/tape/build/tape", "argv": ["tape", "--verbose", "-n", "3", "input.txt"],
            "cwd": "/home/ana/src/tape", "env": env, "pid": r.randint(1000, 99999)}


def breakpoint_rec(r: random.Random) -> dict[str, Any]:
    return {"kind": "breakpoint", "action": "set", "bp_id": str(r.randint(1, 20)),
            "location": "parser.c:120", "file": r.choice(FILES), "line": r.randint(1, 3000),
            "condition": r.choice([None, "i > 3", "len == 0 && node != 0"]), "hits": r.randint(0, 100),
            "symbol": r.choice(SYMBOLS), "enabled": True}


def clean_records(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """`n` realistic records, the mix of a real session (mostly snapshots and samples)."""
    r = random.Random(seed)
    makers: list[tuple[float, Callable[[random.Random], dict[str, Any]]]] = [
        (0.6, snapshot), (0.85, sample), (0.92, breakpoint_rec), (0.96, start)]
    out = []
    for _ in range(n):
        x = r.random()
        maker = next((m for p, m in makers if x < p), None)
        out.append(maker(r) if maker else {"kind": "note", "text": r.choice(WORDS)})
    return out


# Kinds that are secret only in context (a name, a header, a URL): no format gives them away.
CONTEXT_ONLY = {"password": "password", "url_password": "url", "bearer": "bearer",
                "generic_token": "token", "aws_secret_key": "aws"}


def _placements(kind: str, s: str, r: random.Random) -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
    """Ways to put secret `s` of `kind` into a snapshot or start record (name, mutator)."""
    def local(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
        return lambda rec: rec["frames"][0]["locals"].__setitem__(name, value)

    def nested(value: Any) -> Callable[[dict[str, Any]], None]:
        return lambda rec: rec["frames"][1]["locals"].__setitem__("cfg", {"db": {"opts": [value]}})

    if kind == "password":
        ctx = [("named_local", local("db_password", f'0x4052a0 "{s}"')),
               ("struct_field", local("conf", {"user": "app", "passwd": s})),
               ("log_line", local("msg", f"2026-11-23 INFO login user=app password={s} ok")),
               ("json_text", local("body", json.dumps({"user": "app", "password": s}))),
               ("env_list", local("envp", ["HOME=/root", f"PGPASSWORD={s}"])),
               ("argv", local("argv", ["psql", "--password", s, "-h", "db"])),
               ("kv_quoted", local("line", f"config: secret = '{s}'")),
               ("yaml", local("doc", f"db:\n  user: app\n  password: {s}\n  port: 5432\n")),
               ("xml", local("xml", f"<auth><user>app</user><password>{s}</password></auth>")),
               ("netrc", local("netrc", f"machine db.internal login app password {s}")),
               ("python_repr", local("obj", f"{{'user': 'app', 'passwd': '{s}'}}")),
               ("form_body", local("body", f"username=app&password={s}&remember=1"))]
    elif kind == "url_password":
        ctx = [("url_local", local("dsn", f"postgres://app:{s}@db.internal:5432/prod")),
               ("log_line", local("msg", f"connecting to mysql://root:{s}@10.0.0.5/app failed")),
               ("json_text", local("cfg_json", json.dumps({"url": f"redis://:{s}@cache:6379/0"})))]
    elif kind == "bearer":
        ctx = [("header_dict", local("headers", {"Accept": "*/*", "Authorization": f"Bearer {s}"})),
               ("header_list", local("hdrs", [["Host", "api"], ["Authorization", f"Bearer {s}"]])),
               ("curl", local("cmd", f"curl -H 'Authorization: Bearer {s}' https://api.example.com/v1")),
               ("log_line", local("msg", f"sending request with header authorization=Bearer {s}"))]
    elif kind == "generic_token":
        ctx = [("named_local", local("api_token", s)),
               ("log_line", local("msg", f"refreshed session token: {s} (ttl 3600)")),
               ("cookie", local("raw", f"Cookie: sessionid={s}; theme=dark")),
               ("header_dict", local("headers", {"X-Api-Key": s})),
               ("query", local("url", f"https://api.example.com/items?page=2&access_token={s}")),
               ("shell", local("cmd", f"export SERVICE_TOKEN={s} && ./deploy.sh")),
               ("http_raw", local("req", f"GET /v1 HTTP/1.1\r\nHost: api\r\nX-Auth-Token: {s}\r\n\r\n"))]
    elif kind == "aws_secret_key":
        ctx = [("env_dict", local("env", {"AWS_SECRET_ACCESS_KEY": s})),
               ("bare", local("buf", f'0x4052a0 "{s}"')),
               ("ini_text", local("text", f"[default]\naws_secret_access_key = {s}\n"))]
    else:
        ctx = [("bare_local", local("buf", s)),
               ("gdb_char", local("ptr", f'0x7ffe0010 "{s}"')),
               ("log_line", local("msg", f"2026-11-23 DEBUG using {s} for upstream")),
               ("json_text", local("body", json.dumps({"cfg": {"value": s, "n": 3}}))),
               ("nested", nested(s)),
               ("env_list", local("environ", ["A=1", f"UPSTREAM={s}"])),
               ("python_repr", local("obj", f"Config(name='svc', value='{s}', retries=3)")),
               ("http_raw", local("req", f"POST /hook HTTP/1.1\r\nHost: x\r\n\r\n{{\"k\": \"{s}\"}}"))]
        if kind in CUT_PREFIXED:
            # The capture bounds cut a long value in the middle of the secret.
            ctx.append(("cut_by_bounds", local("msg", f"2026-11-23 DEBUG upstream {s[: len(s) * 2 // 3]}…")))
        if kind == "card":
            grouped = " ".join(s[i:i + 4] for i in range(0, 16, 4))
            ctx.append(("grouped", local("line", f"charge {grouped} amount=12.00")))
            ctx.append(("int_local", local("pan", int(s))))
    return ctx


# Formats with a recognizable prefix: still secrets when the capture bounds cut them short.
CUT_PREFIXED = {"aws_access_key", "github_token", "github_fine_grained", "gitlab_token", "slack_token",
                "stripe_key", "google_api_key", "openai_key", "anthropic_key", "npm_token", "pypi_token",
                "sendgrid_key", "jwt"}


@dataclass
class Planted:
    record: dict[str, Any]
    kind: str  # the secret or look-alike kind
    context: str
    needles: list[str] = field(default_factory=list)  # what must be gone (secret) / kept (look-alike)
    is_secret: bool = True


def _needles(kind: str, s: str) -> list[str]:
    if kind == "private_key":  # every body line of the key must go
        return [ln for ln in s.splitlines() if not ln.startswith("-----")]
    return [s]


def labelled_records(per_kind: int = 40, seed: int = 11) -> Iterator[Planted]:
    """Records with one planted secret or look-alike each; `per_kind` per (kind, context)."""
    r = random.Random(seed)
    for kind in SECRET_KINDS:
        for _ in range(per_kind):
            s = secret(kind, r)
            for ctx, put in _placements(kind, s, r):
                rec = snapshot(r)
                put(rec)
                needles = [s[8: len(s) * 2 // 3]] if ctx == "cut_by_bounds" else _needles(kind, s)
                yield Planted(rec, kind, ctx, needles)
    for kind in LOOKALIKE_KINDS:
        for _ in range(per_kind):
            s = lookalike(kind, r)
            places: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
                ("bare_local", lambda rec, s=s: rec["frames"][0]["locals"].__setitem__("v", s)),
                ("log_line", lambda rec, s=s: rec["frames"][0]["locals"].__setitem__("msg", f"at {s}: step done")),
                ("json_text", lambda rec, s=s: rec["frames"][0]["locals"].__setitem__("j", json.dumps({"id": s}))),
                ("env_list", lambda rec, s=s: rec["frames"][0]["locals"].__setitem__("e", [f"BUILD_ID={s}"])),
            ]
            for ctx, put in places:
                rec = snapshot(r)
                put(rec)
                yield Planted(rec, kind, ctx, [s], is_secret=False)


