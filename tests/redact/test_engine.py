"""The walk: names at every depth, containers, debugger value forms, markers, failing closed."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest

from debugtape.redact import Redactor, Rule, is_marker
from debugtape.redact.scanner import TextScanner

KEY = b"test-key-0123456789abcdef0123456"
R = Redactor(KEY)


def dump(v: Any) -> str:
    return json.dumps(v)


def test_names_at_every_depth() -> None:
    value = {"frames": [{"locals": {"ctx": {"db": {"conn": {"apiToken": "tok-1234"}}}}}]}
    out, stats = R.redact(value)
    assert "tok-1234" not in dump(out) and stats.kinds == {"token": 1}


def test_struct_under_a_secret_name_is_redacted_whole() -> None:
    out, stats = R.redact({"credentials": {"user": "bob", "pin": 1234, "ok": True, "none": None}})
    cred = out["credentials"]
    assert "bob" not in dump(out) and "1234" not in dump(out)
    assert cred["ok"] is True and cred["none"] is None  # not secrets, still clues
    assert stats.count == 2


def test_gdb_pointer_keeps_its_address() -> None:
    out, _ = R.redact({"password": '0x4052a0 "hunter2"', "token": "0x7ffe0000"})
    assert out["password"].startswith("0x4052a0 [REDACTED:password:")
    assert out["token"] == "0x7ffe0000"  # a bare pointer is not the secret


def test_same_secret_same_fingerprint_across_places() -> None:
    value = {"password": '0x1 "hunter2"', "env": ["PGPASSWORD=hunter2"], "log": "password=hunter2",
             "argv": ["psql", "--password", "hunter2"]}
    out, _ = R.redact(value)
    fps = {m.split(":")[2] for m in
           [out["password"].split(" ", 1)[1], out["env"][0].split("=", 1)[1],
            out["log"].split("=", 1)[1], out["argv"][2]]}
    assert len(fps) == 1
    other, _ = Redactor(b"another-key-0123456789abcdef0123").redact({"password": "hunter2"})
    assert other["password"].split(":")[2] not in fps  # the fingerprint depends on the store key


def test_env_lists_argv_and_headers() -> None:
    value = {
        "env": ["HOME=/root", "PGPASSWORD=with spaces inside", "PATH=/usr/bin"],
        "argv": ["curl", "--token", "t0ps3cr3t", "-H", "Authorization: Bearer abcDEF123ghiJKL456", "--verbose"],
        "headers": {"Accept": "*/*", "X-Api-Key": "k-123456", "Cookie": "sid=abc123; theme=dark"},
        "header_list": [["Host", "api"], ["Authorization", "Basic dXNlcjpwYXNz"], ("Set-Cookie", "s=1")],
        "dap": [{"name": "password", "value": "'hunter2'", "type": "str"},
                {"name": "n", "value": "3", "type": "int"}],
    }
    out, _ = R.redact(value)
    text = dump(out)
    for secret in ("with spaces inside", "t0ps3cr3t", "abcDEF123ghiJKL456", "k-123456", "abc123",
                   "dXNlcjpwYXNz", "s=1", "hunter2"):
        assert secret not in text, secret
    assert out["env"][0] == "HOME=/root" and out["env"][2] == "PATH=/usr/bin"
    assert out["argv"][5] == "--verbose" and out["header_list"][0] == ["Host", "api"]
    assert out["dap"][1] == {"name": "n", "value": "3", "type": "int"}
    assert out["headers"]["Accept"] == "*/*"


def test_text_forms_of_names() -> None:
    cases = {
        "python repr": "<Conn host='db' password='hunter2'>",
        "gdb struct": '{user = 0x1 "bob", password = 0x4052a0 "hunter2", n = 3}',
        "mi": 'name="password",value="0x4052a0 \\"hunter2\\""',
        "json": '{"user": "bob", "password": "hunter2"}',
        "ini": "[db]\npassword = hunter2\n",
        "cli": "mysql --user=bob --password=hunter2 app",
        "condition": 'password == "hunter2"',
        "query": "https://api.example.com/v1?page=2&access_token=hunter2&x=1",
        "cookie": "Cookie: sessionid=hunter2; theme=dark",
        "xml": "<auth><user>bob</user><password>hunter2</password></auth>",
        "netrc": "machine db.internal login bob password hunter2",
        "yaml": "db:\n  user: bob\n  password: hunter2\n",
        "form": "username=bob&password=hunter2&remember=1",
    }
    for what, text in cases.items():
        out, _ = R.redact_text(text)
        assert "hunter2" not in out, what
        assert "[REDACTED:" in out, what


def test_types_map_keeps_type_names() -> None:
    value = {"locals": {"password": '0x1 "pw12345"'}, "types": {"password": "char *"}}
    out, _ = R.redact(value)
    assert out["types"] == {"password": "char *"}


def test_idempotent_on_markers() -> None:
    value = {"password": "hunter2", "log": "token=abc123456 and ghp_" + "a1B2c3D4e5" * 3 + "a1B2c3"}
    once, s1 = R.redact(value)
    twice, s2 = R.redact(once)
    assert once == twice and s2.count == 0 and s1.count == 2
    text = "[REDACTED:password:0123abcd] and password=[REDACTED:password:0123abcd]"
    assert R.redact_text(text) == (text, R.redact_text(text)[1]) and R.redact_text(text)[1].count == 0


class Weird:
    pass


def test_unknown_types_fail_closed() -> None:
    out, stats = R.redact({"a": Weird(), "b": b"password=hunter2", "c": (1, 2), "d": 1.5})
    assert is_marker(out["a"]) and stats.kinds["unknown_type"] == 1
    assert "hunter2" not in out["b"] and out["c"] == [1, 2] and out["d"] == 1.5


def test_engine_failure_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: TextScanner, text: str, stats: object) -> str:
        raise RuntimeError("scanner bug")

    r = Redactor(KEY)
    monkeypatch.setattr(TextScanner, "scan", boom)
    out, stats = r.redact({"msg": "password=hunter2 in a long line", "n": 3})
    assert out["msg"] == "[REDACTED:error:unprocessable]" and out["n"] == 3
    assert stats.kinds == {"error": 1}
    text, stats = r.redact_text("anything long enough")
    assert text == "[REDACTED:error:unprocessable]"


def test_depth_is_bounded_not_fatal() -> None:
    deep: Any = "password=hunter2"
    for _ in range(500):
        deep = [deep]
    out, stats = R.redact(deep)
    assert "hunter2" not in dump(out) and stats.kinds.get("depth") == 1


def test_non_string_keys_and_secret_keys_in_text() -> None:
    out, _ = R.redact({1: "a", ("t",): "b", "ghp_" + "a1B2c3D4e5" * 3 + "a1B2c3": "user"})
    assert out["1"] == "a" and all("ghp_" not in k for k in out)


def test_stats_per_kind() -> None:
    _, stats = R.redact({"password": "x1", "api_key": "y1", "log": "AKIAZ7QWERTY12345ABC"})
    assert stats.kinds == {"password": 1, "api_key": 1, "aws_access_key": 1} and stats.count == 3


@pytest.mark.timeout(120)
@pytest.mark.parametrize("unit", ["sk-", "eyJ.", "glpat-", "xoxb-", "http://u:", "auth_", "<password>",
                                  "password: ", "name=\"password\",", "a=", "4111 ", "--password "])
def test_adversarial_text_stays_linear(unit: str) -> None:
    # Repeated prefixes are the worst case for the token patterns; a quadratic blow-up would
    # take minutes here instead of well under a second.
    text = unit * (200_000 // len(unit))
    out, _ = R.redact_text(text)
    assert isinstance(out, str) and out != "[REDACTED:error:unprocessable]"


def test_long_secret_goes_whole() -> None:
    token = "sk_live_" + "a1B2" * 300  # longer than the patterns' 512-character cap
    out, _ = R.redact_text(f"key {token} end")
    assert "a1B2" not in out and out.endswith(" end")


# -- caches and the copy-then-patch walk ---------------------------------------------------------


def test_clean_string_is_still_redacted_under_a_secret_name() -> None:
    r = Redactor(KEY)
    value = "correct-horse-battery"  # nothing in it says secret: cached as clean
    assert r.redact({"motto": value})[0] == {"motto": value}
    out, stats = r.redact({"motto": value, "db_password": value, "argv": ["--token", value]})
    assert out["motto"] == value
    assert is_marker(out["db_password"]) and is_marker(out["argv"][1])
    assert stats.kinds == {"password": 1, "token": 1}
    # and the other way round: a value redacted by its name is not remembered as a secret
    assert r.redact({"title": value})[0] == {"title": value}


def test_clean_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from debugtape.redact import engine

    monkeypatch.setattr(engine, "_CLEAN_CACHE_MAX", 50)
    r = Redactor(KEY)
    for i in range(500):
        r.redact({"path": f"/home/ana/src/file_{i}.c", f"name_{i}": i, "types": {f"v_{i}": "int"}})
        assert len(r._clean) <= 50 and len(r._plain_keys) <= 50 and len(r._type_names) <= 50
    assert r.redact({"path": "/home/ana/src/file_1.c"})[0] == {"path": "/home/ana/src/file_1.c"}
    assert "hunter2" not in dump(r.redact({"path": "password=hunter2 in a long line"})[0])


def test_a_string_that_failed_is_not_cached_as_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    r = Redactor(KEY)
    text = "password=hunter2 in a long line"
    real = TextScanner.scan

    def boom(self: TextScanner, text: str, stats: object) -> str:
        raise RuntimeError("scanner bug")

    monkeypatch.setattr(TextScanner, "scan", boom)
    assert r.redact({"msg": text})[0] == {"msg": "[REDACTED:error:unprocessable]"}
    monkeypatch.setattr(TextScanner, "scan", real)
    out, stats = r.redact({"msg": text, "pointer": f'0x4052a0 "{text}"'})
    assert "hunter2" not in dump(out) and stats.kinds == {"password": 2}


def test_pointers_keep_their_address_and_their_text_is_scanned() -> None:
    r = Redactor(KEY)
    assert r.redact({"p": '0x4052a0 "hello world"'})[0] == {"p": '0x4052a0 "hello world"'}
    value = {"p": '0x4052a8 "hello world"', "q": "0x7ffe0010", "s": '0x4052b0 "password=hunter2"',
             "t": "0x7ffe00100000000000", "u": '0x4052a0x "token=abcdef123"'}
    out, stats = r.redact(value)
    assert out["p"] == value["p"] and out["q"] == value["q"] and out["t"] == value["t"]
    assert out["s"].startswith('0x4052b0 "password=[REDACTED:password:') and "hunter2" not in out["s"]
    assert "abcdef123" not in out["u"] and stats.kinds == {"password": 1, "token": 1}


def test_pointer_fast_path_checks_the_head_and_the_whole_text() -> None:
    r = Redactor(KEY)
    assert r.redact({"p": '0x4052a0 "hello world"'})[0] == {"p": '0x4052a0 "hello world"'}
    token = "ghp_" + "a1B2c3D4e5" * 3 + "a1B2c3"
    value = {"p": '0x4052a8 "hello world"',  # another address before the same clean text: kept
             "q": token + ' "hello world"',  # the same clean text after a head that is a token
             "s": 'password=hunter2 "hello world"',  # ... or a name=value
             "t": '0x4052a0 "hello world" password=hunter2',  # a longer text after the pointer
             "u": "0X4052A0 " + token,  # not a pointer (upper-case X): the whole string is scanned
             "v": "0x" + "1" * 17 + ' "hello world"',  # too long for a pointer, nothing secret
             "list": ["0x7ffe0010", '0x4052b0 "hello world"', 'password=hunter2 "hello world"']}
    for _ in range(2):  # cold, then with every clean part cached
        out, stats = r.redact(value)
        assert out["p"] == value["p"] and out["v"] == value["v"] and out["list"][:2] == value["list"][:2]
        assert token not in dump(out) and "hunter2" not in dump(out)
        assert out["t"].startswith('0x4052a0 "hello world" password=[REDACTED:password:')
        assert stats.kinds == {"github_token": 2, "password": 3}


def test_short_strings_cached_as_clean_still_go_under_secret_names() -> None:
    r = Redactor(KEY)
    assert r.redact({"motto": "abc", "ok": ["abc"]})[0] == {"motto": "abc", "ok": ["abc"]}
    out, stats = r.redact({"motto": "abc", "password": "abc", "argv": ["--token", "abc"],
                           "dap": {"name": "secret", "value": "abc"}})
    assert out["motto"] == "abc" and is_marker(out["password"]) and is_marker(out["argv"][1])
    assert is_marker(out["dap"]["value"]) and stats.kinds == {"password": 1, "token": 1, "secret": 1}


def test_types_map_fast_path_scans_what_it_has_not_seen() -> None:
    r = Redactor(KEY)
    frame = {"locals": {"s": '0x1 "x"', "n": 3}, "types": {"s": "char *", "n": "int"}}
    for _ in range(3):
        assert r.redact(frame)[0] == frame
    token = "ghp_" + "a1B2c3D4e5" * 3 + "a1B2c3"
    out, stats = r.redact({"types": {"s": "char *", "n": f"struct tok /* {token} */"}})
    assert token not in dump(out) and stats.kinds == {"github_token": 1}
    # the same names, with a value that cannot be hashed and a name that is not a string
    out, stats = r.redact({"types": {"s": {"x": "password=hunter2"}, "n": "int", 1: "int"}})
    assert "hunter2" not in dump(out) and list(out["types"]) == ["s", "n", "1"]


def test_value_fields_without_a_naming_sibling_are_plain_names() -> None:
    r = Redactor(KEY)
    for _ in range(2):
        assert r.redact({"result": "ok", "value": "plain text"})[0] == {"result": "ok", "value": "plain text"}
    out, stats = r.redact({"result": "password=hunter2", "value": {"name": "token", "value": "t0ps3cr3t"}})
    assert "hunter2" not in dump(out) and "t0ps3cr3t" not in dump(out)
    assert stats.kinds == {"password": 1, "token": 1}
    out, _ = Redactor(KEY, extra_rules=[Rule(key="value", kind="key")]).redact({"value": "plain text"})
    assert out["value"].startswith("[REDACTED:key:")  # a project rule makes the name secret


class Flag(enum.IntEnum):
    ON = 1


def test_number_lists() -> None:
    value = {"buf": [1, 2, 4111111111111111, 3], "mixed": [1, True, 2.5, None, -7], "flags": [Flag.ON, 2],
             "pair": (4, 5), "empty": []}
    out, stats = R.redact(value)
    assert out["buf"][:2] == [1, 2] and out["buf"][2].startswith("[REDACTED:card:") and out["buf"][3] == 3
    assert out["mixed"] == [1, True, 2.5, None, -7] and out["pair"] == [4, 5] and out["empty"] == []
    assert out["flags"] == [1, 2] and type(out["flags"][0]) is int and stats.kinds == {"card": 1}
    assert out["mixed"] is not value["mixed"] and out["empty"] is not value["empty"]


def test_input_is_never_modified_and_output_containers_are_new() -> None:
    value = {"frames": [{"locals": {"n": 3, "s": "password=hunter2 here"}, "args": [1, 2]}],
             "types": {"s": "char *"}, "env": ["PGPASSWORD=x1y2z3"]}
    before = json.dumps(value)
    for _ in range(2):  # cold and warm caches
        out, _ = R.redact(value)
        assert json.dumps(value) == before
        assert out is not value and out["frames"] is not value["frames"]
        assert out["frames"][0] is not value["frames"][0]
        assert out["frames"][0]["args"] is not value["frames"][0]["args"]
        assert out["types"] is not value["types"] and out["types"] == {"s": "char *"}
        out["frames"][0]["args"].append(3)
        assert value["frames"][0]["args"] == [1, 2]


def test_renamed_keys_keep_their_place() -> None:
    token = "ghp_" + "a1B2c3D4e5" * 3 + "a1B2c3"
    out, _ = R.redact({"b": 1, 2: "x", "a": 3, token: "v", "types": {1: "int", "n": "size_t"}})
    assert list(out)[:3] == ["b", "2", "a"] and list(out)[4] == "types"
    assert token not in list(out)[3] and out["types"] == {"1": "int", "n": "size_t"}
    assert R.redact({1: "a", "1": "b"})[0] == {"1": "b"}  # the last value wins, as before


def test_types_map_names_holding_secrets() -> None:
    token = "ghp_" + "a1B2c3D4e5" * 3 + "a1B2c3"
    for _ in range(2):
        out, stats = R.redact({"types": {token: "int", b"password=hunter2": "char *", "n": "int"}})
        assert token not in dump(out) and "hunter2" not in dump(out) and out["types"]["n"] == "int"
        assert stats.kinds == {"github_token": 1, "password": 1}


def test_types_map_whatever_came_before() -> None:
    r = Redactor(KEY)
    r.redact({"types": None})
    r.redact({"types": ["a list this time"]})
    out, stats = r.redact({"types": {"password": "char *", "token": "struct tok"}})
    assert out == {"types": {"password": "char *", "token": "struct tok"}} and stats.count == 0
