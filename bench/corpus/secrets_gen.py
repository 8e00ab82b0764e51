"""Secret generators per kind, and look-alikes that a debug timeline must keep (deterministic)."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from collections.abc import Callable

__all__ = ["SECRET_KINDS", "LOOKALIKE_KINDS", "secret", "lookalike"]

ALNUM = string.ascii_letters + string.digits
UPPER_NUM = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"


def _s(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _b64(rng: random.Random, n: int) -> str:
    return base64.b64encode(rng.randbytes(n)).decode()


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + _s(rng, string.digits, length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def _password(rng: random.Random) -> str:
    words = ["correct", "horse", "battery", "staple", "Summer", "Winter", "dragon", "monkey"]
    return rng.choice(words) + rng.choice(["!", "#", "$", "_", ""]) + str(rng.randint(10, 9999)) + _s(rng, ALNUM, rng.randint(2, 8))


def _pem(rng: random.Random) -> str:
    label = rng.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
    body = "\n".join(_b64(rng, 48) for _ in range(rng.randint(3, 8)))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


def _jwt(rng: random.Random) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    head = part({"alg": "HS256", "typ": "JWT"})
    body = part({"sub": str(rng.randint(1, 10**6)), "name": "user", "iat": 1700000000 + rng.randint(0, 10**6)})
    sig = base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("=")
    return f"{head}.{body}.{sig}"


# kind -> generator of the secret text (exactly what must disappear)
SECRET_KINDS: dict[str, Callable[[random.Random], str]] = {
    "aws_access_key": lambda r: "AKIA" + _s(r, UPPER_NUM, 16),
    "aws_secret_key": lambda r: _s(r, ALNUM, 18) + "/" + _s(r, ALNUM, 10) + "+" + _s(r, ALNUM, 10),
    "github_token": lambda r: r.choice(["ghp_", "gho_", "ghu_", "ghs_"]) + _s(r, ALNUM, 36),
    "github_fine_grained": lambda r: "github_pat_" + _s(r, ALNUM, 22) + "_" + _s(r, ALNUM, 59),
    "gitlab_token": lambda r: "glpat-" + _s(r, ALNUM + "_-", 20),
    "slack_token": lambda r: f"xoxb-{r.randint(10**10, 10**11)}-{r.randint(10**10, 10**11)}-" + _s(r, ALNUM, 24),
    "slack_webhook": lambda r: "https://hooks.slack.com/services/T" + _s(r, UPPER_NUM, 8) + "/B" + _s(r, UPPER_NUM, 8) + "/" + _s(r, ALNUM, 24),
    "stripe_key": lambda r: r.choice(["sk_live_", "rk_live_", "sk_test_"]) + _s(r, ALNUM, 24),
    "google_api_key": lambda r: "AIza" + _s(r, ALNUM + "_-", 35),
    "openai_key": lambda r: "sk-proj-" + _s(r, ALNUM, 20) + "T3BlbkFJ" + _s(r, ALNUM, 20),
    "anthropic_key": lambda r: "sk-ant-api03-" + _s(r, ALNUM + "_-", 93) + "AA",
    "npm_token": lambda r: "npm_" + _s(r, ALNUM, 36),
    "pypi_token": lambda r: "pypi-AgEIcHlwaS5vcmc" + _s(r, ALNUM + "_-", 70),
    "sendgrid_key": lambda r: "SG." + _s(r, ALNUM + "_-", 22) + "." + _s(r, ALNUM + "_-", 43),
    "twilio_key": lambda r: "SK" + _s(r, HEX, 32),
    "jwt": _jwt,
    "private_key": _pem,
    "azure_storage_key": lambda r: _b64(r, 64),
    "url_password": _password,
    "bearer": lambda r: _s(r, ALNUM + "-._~", 40),
    "password": _password,
    "card": lambda r: _luhn_complete(r.choice(["4", "51", "55", "2221", "37", "6011"]), 16, r),
    "generic_token": lambda r: _s(r, ALNUM, 32),
}


def secret(kind: str, rng: random.Random) -> str:
    return SECRET_KINDS[kind](rng)


def _not_luhn(rng: random.Random) -> str:
    good = _luhn_complete("4", 16, rng)
    return good[:-1] + str((int(good[-1]) + rng.randint(1, 9)) % 10)


# kind -> generator of a clue that must survive untouched
LOOKALIKE_KINDS: dict[str, Callable[[random.Random], str]] = {
    "commit_hash": lambda r: hashlib.sha1(r.randbytes(8)).hexdigest(),
    "short_commit": lambda r: hashlib.sha1(r.randbytes(8)).hexdigest()[: r.choice([7, 8, 10, 12])],
    "uuid": lambda r: str(uuid.UUID(bytes=r.randbytes(16), version=4)),
    "address": lambda r: "0x" + r.choice(["7ffe", "5555", "7f3a"]) + _s(r, HEX, 8),
    "path": lambda r: "/home/" + r.choice(["ana", "bo", "dev"]) + "/src/" + r.choice(["parser", "btree", "net"]) + "/" + _s(r, string.ascii_lowercase, 6) + r.choice([".c", ".py", ".rs", ".h"]),
    "symbol": lambda r: r.choice(["btree_split", "parse_header", "_ZN4core3fmt5write17h", "tokenize_line", "auth_check_flags", "session_lookup"]) + _s(r, HEX, r.choice([0, 0, 16])),
    "sha256_digest": lambda r: hashlib.sha256(r.randbytes(8)).hexdigest(),
    "sri_digest": lambda r: "sha256-" + base64.b64encode(hashlib.sha256(r.randbytes(8)).digest()).decode(),
    "md5_digest": lambda r: hashlib.md5(r.randbytes(8)).hexdigest(),
    "sri_sha512": lambda r: "sha512-" + base64.b64encode(hashlib.sha512(r.randbytes(8)).digest()).decode(),
    "base64_blob": lambda r: base64.b64encode(r.randbytes(r.choice([120, 300]))).decode(),
    "timestamp": lambda r: r.choice([
        f"2026-11-{r.randint(10, 28)}T{r.randint(10, 23)}:{r.randint(10, 59)}:{r.randint(10, 59)}.{r.randint(100, 999)}Z",
        str(1_700_000_000_000 + r.randint(0, 10**11)), str(1_700_000_000 + r.randint(0, 10**8))]),
    "number": lambda r: str(r.choice([r.randint(0, 10**6), r.randint(10**9, 10**15), -r.randint(1, 10**9)])),
    "not_luhn_16": _not_luhn,
    "docker_digest": lambda r: "sha256:" + hashlib.sha256(r.randbytes(8)).hexdigest(),
    "git_describe": lambda r: f"v{r.randint(0, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}-{r.randint(1, 99)}-g" + _s(r, HEX, 7),
    "ip_mac": lambda r: r.choice([f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", ":".join(_s(r, HEX, 2) for _ in range(6))]),
    "token_count_kv": lambda r: r.choice(["token_count", "max_tokens", "password_length", "auth_method", "session_timeout"]) + "=" + str(r.randint(1, 4096)),
    "sk_words": lambda r: r.choice(["sk-learn", "sk-1", "task-runner", "desk-lamp"]) + "-" + str(r.randint(1, 9)),
    "prose": lambda r: r.choice(["the bearer of bad news", "basic block 12 ends", "the key is missing from the map",
                                 "token expired, retrying", "secret sauce", "password prompt shown"]),
    "hex_dump": lambda r: " ".join(_s(r, HEX, 2) for _ in range(16)),
    "base64_small": lambda r: base64.b64encode(r.randbytes(r.choice([6, 9, 12]))).decode(),
    "mangled_long": lambda r: "_ZN" + "".join(f"{len(w)}{w}" for w in r.sample(["parser", "Buffer", "read", "into", "Vec", "alloc"], 4)) + "17h" + _s(r, HEX, 16) + "E",
    "version": lambda r: f"{r.randint(0, 3)}.{r.randint(0, 40)}.{r.randint(0, 20)}",
}


def lookalike(kind: str, rng: random.Random) -> str:
    return LOOKALIKE_KINDS[kind](rng)
