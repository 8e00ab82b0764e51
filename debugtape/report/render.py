"""Rendering aggregated report data into one self-contained HTML page (inline CSS and JS, no network)."""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["render_html", "embed_json"]

# JSON inside <script type="application/json">: only "</script" could end the element early, so
# every "<" (and for good measure ">", "&") is escaped; JSON.parse reads the escapes back.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def embed_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).translate(_SCRIPT_SAFE)


@cache
def _asset(name: str) -> str:
    return resources.files("debugtape.report").joinpath("assets", name).read_text(encoding="utf-8")


# Snapshot details go into the page in chunks: a click parses only its chunk, so the first
# click on a 10,000-snapshot page does not wait for all of them.
DETAIL_CHUNK = 256


def _detail_chunks(details: list[Any]) -> str:
    return "".join(
        f'<script type="application/json" id="dt-d{k // DETAIL_CHUNK}">'
        f"{embed_json(details[k:k + DETAIL_CHUNK])}</script>\n"
        for k in range(0, len(details), DETAIL_CHUNK))


def render_html(data: dict[str, Any]) -> str:
    """The page for `build_report_data`'s result."""
    summary = data["summary"]
    page = _asset("report.html")
    # Substitute the small parts first and the data last, so nothing inside the data is ever
    # mistaken for a placeholder.
    page = page.replace("__TITLE__", html.escape(str(summary.get("title", "debugtape report"))))
    page = page.replace("__CSS__", _asset("report.css"))
    summary = {**summary, "detail_chunk": DETAIL_CHUNK}
    head, _, tail = page.partition("__SUMMARY__")
    mid, _, tail = tail.partition("__DETAILS__")
    before_js, _, after_js = tail.partition("__JS__")
    return "".join([head, embed_json(summary), mid, _detail_chunks(data["details"]), before_js,
                    _asset("report.js"), after_js])
