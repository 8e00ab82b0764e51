"""Table-driven: each credential format goes, in every setting; its look-alike stays."""

from __future__ import annotations

import json

import pytest

from debugtape.redact import Redactor, is_marker
from tests.redact.samples import CLUES, FORMATS, SECRET_PART

R = Redactor(b"test-key-0123456789abcdef0123456")


def secret_of(kind: str) -> str:
    return SECRET_PART.get(kind, FORMATS[kind][0])


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_positive_alone(kind: str) -> None:
    out, stats = R.redact_text(FORMATS[kind][0])
    assert secret_of(kind) not in out
    assert "[REDACTED:" in out and stats.count >= 1


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_lookalike_kept(kind: str) -> None:
    look = FORMATS[kind][1]
    out, stats = R.redact_text(look)
    assert out == look and stats.count == 0


@pytest.mark.parametrize("kind", sorted(FORMATS))
@pytest.mark.parametrize("wrap", [
    "{}",  # the value itself
    "2026-11-23 12:00:01 DEBUG upstream said: {} (retrying)",  # a log line
    '0x4052a0 "{}"',  # a gdb char*
])
def test_positive_inside_text(kind: str, wrap: str) -> None:
    value = wrap.format(FORMATS[kind][0])
    out, _ = R.redact({"frames": [{"locals": {"v": value}}]})
    assert secret_of(kind) not in json.dumps(out)


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_positive_inside_json_text(kind: str) -> None:
    # JSON held in a variable, as gdb prints a char* holding it (quotes escaped).
    body = json.dumps({"cfg": {"v": FORMATS[kind][0]}})
    out, _ = R.redact({"body": body, "escaped": '0x1 "' + body.replace('"', '\\"') + '"'})
    text = json.dumps(out)
    assert secret_of(kind) not in text
    assert json.dumps(secret_of(kind))[1:-1] not in text


@pytest.mark.parametrize("clue", CLUES)
def test_clues_survive(clue: str) -> None:
    value = {"v": clue, "line": f"at {clue}: step done", "argv": ["prog", clue], "env": [f"BUILD={clue}"]}
    out, stats = R.redact(value)
    assert out == value and stats.count == 0


def test_luhn_decides_cards() -> None:
    assert R.redact_text("4111111111111111")[1].kinds == {"card": 1}
    assert R.redact_text("4111-1111-1111-1111")[1].kinds == {"card": 1}
    assert R.redact_text("4111111111111112")[1].count == 0
    assert R.redact(4111111111111111)[1].kinds == {"card": 1}  # an integer local
    assert R.redact(1763912345678)[1].count == 0  # a timestamp is no card


def test_url_keeps_user_and_host() -> None:
    out, _ = R.redact_text("mysql://root:hunter2@10.0.0.5:3306/app")
    assert out.startswith("mysql://root:[REDACTED:url_password:") and out.endswith("@10.0.0.5:3306/app")


def test_markers_have_the_documented_shape() -> None:
    out, _ = R.redact_text(FORMATS["github_token"][0])
    assert is_marker(out) and out.startswith("[REDACTED:github_token:")


@pytest.mark.parametrize("kind", ["github_token", "github_fine_grained", "gitlab_token", "slack_token",
                                  "stripe_key", "google_api_key", "anthropic_key", "npm_token",
                                  "pypi_token", "sendgrid_key", "jwt", "aws_access_key", "url_password"])
@pytest.mark.parametrize("cut", ["…", '"...'])
def test_values_cut_by_the_bounds(kind: str, cut: str) -> None:
    # The pipeline cuts long values (256 characters by default) before redaction: a secret cut
    # in the middle must still go, and the bound's mark must stay.
    whole = FORMATS[kind][0]
    keep = len(whole) * 2 // 3
    value = '0x4052a0 "log line ' + whole[:keep] + cut if cut.startswith('"') else "log line " + whole[:keep] + cut
    out, _ = R.redact({"v": value})
    part = SECRET_PART.get(kind, whole)
    tail = part[len(part) // 2: keep] if kind == "url_password" else whole[8:keep]
    assert tail and tail not in out["v"], out
    assert out["v"].endswith(cut)
