"""The report's aggregated data and its rendering, from sessions stored by the real pipeline."""

from __future__ import annotations

import json
import re
from pathlib import Path

from debugtape.redact import Redactor
from debugtape.report import build_report_data, render_html
from debugtape.store import Store
from tests.report.conftest import record_session

SRC = Path(__file__).parent / "conftest.py"


def _embedded(page: str, ident: str) -> object:
    m = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', page, re.S)
    assert m, ident
    return json.loads(m.group(1))


def test_aggregate_counts_flame_and_breakpoints(store_path: Path, two_sessions: tuple[str, str]) -> None:
    a, b = two_sessions
    with Store(store_path, readonly=True) as store:
        data = build_report_data(store, [a, b])
        stored_snaps = [len(store.snapshots(s)) for s in (a, b)]
    summary = data["summary"]
    sessions = summary["sessions"]
    assert [s["id"] for s in sessions] == [a, b]
    assert [len(s["snaps"]["i"]) for s in sessions] == stored_snaps == [4, 4]
    assert summary["snapshots"] == len(data["details"]) == 8
    # flame root holds every sampled stack (2 threads x 30 samples); children never exceed parents
    for s in sessions:
        assert s["samples"] == 60 and s["flame"][1] == 60

        def check(node: list) -> None:
            assert sum(c[1] for c in node[2]) <= node[1]
            for c in node[2]:
                check(c)

        check(s["flame"])
        hot = {r["symbol"]: r for r in s["hot"]}
        assert sum(r["self"] for r in s["hot"]) == 60
        assert hot["main"]["total"] == 60 and hot["main"]["self"] == 0
    # the same breakpoint lines up across both sessions
    assert [bp["label"] for bp in summary["breakpoints"]] == ["prog.c:12 in compute"]
    key = summary["breakpoints"][0]["key"]
    assert [s["hits"][key] for s in sessions] == [4, 4]
    # snapshot details keep frames, locals and the source line of the frame
    d = data["details"][5]
    assert d["session"] == 1 and d["frames"][0]["locals"]["n"] >= 100
    assert d["frames"][0]["src"] == SRC.read_text().splitlines()[0]
    assert [n["text"] for s in sessions for n in s["notes"]] == ["note in first", "note in second"]


def test_page_is_self_contained_and_data_cannot_escape_its_script(store_path: Path,
                                                                  two_sessions: tuple[str, str]) -> None:
    with Store(store_path, readonly=True) as store:
        page = render_html(build_report_data(store, list(two_sessions), title="T <b>"))
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<title>T &lt;b&gt;</title>" in page
    # nothing is loaded from anywhere: no external src/href, no fetch or XHR in the script
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', page)
    assert "fetch(" not in page and "XMLHttpRequest" not in page
    # a captured value holding </script> stays data: exactly the page's own script tags close
    assert page.count("</script>") == 3  # summary, one chunk of details, the code
    details = _embedded(page, "dt-d0")
    assert details[0]["frames"][0]["locals"]["label"] == "</script><script>alert(1)</script>"
    summary = _embedded(page, "dt-summary")
    assert summary["title"] == "T <b>" and summary["snapshots"] == 8


def test_source_lines_go_through_the_redactor(store_path: Path, tmp_path: Path) -> None:
    src = tmp_path / "app.py"
    src.write_text("greeting = 'hello-visible'\napi_token = 'hunter2-abcdef'\n")

    class Marking(Redactor):
        def redact_text(self, text: str):  # type: ignore[no-untyped-def]
            out, stats = super().redact_text(text)
            return out.replace("hello-visible", "[REDACTED:test]"), stats

    from debugtape.pipeline import open_pipeline

    with open_pipeline(store_path) as p:
        p.feed({"kind": "start", "name": "src"})
        p.feed({"kind": "snapshot", "reason": "manual",
                "frames": [{"index": 0, "symbol": "f", "file": str(src), "line": 2},
                           {"index": 1, "symbol": "g", "file": str(src), "line": 1}]})
        sid = str(p.session_id)
    with Store(store_path, readonly=True) as store:
        page = render_html(build_report_data(store, [sid], redactor=Marking()))
    # the redactor given is the one applied (line 1), and the engine's own rules still hold (line 2)
    assert "hello-visible" not in page and "greeting = '[REDACTED:test]'" in page
    assert "hunter2-abcdef" not in page and "api_token = '[REDACTED:" in page


def test_secret_locals_stay_redacted_in_the_page(store_path: Path) -> None:
    sid = record_session(store_path, "secret", rounds=2, snaps=1, secret="s3cr3t-value-123")
    with Store(store_path, readonly=True) as store:
        page = render_html(build_report_data(store, [sid]))
    assert "s3cr3t-value-123" not in page and "[REDACTED:" in page


def test_changes_between_runs_come_from_the_whole_store(store_path: Path) -> None:
    from debugtape.pipeline import open_pipeline

    a = record_session(store_path, "before", rounds=1, snaps=1)
    with open_pipeline(store_path) as p:  # e.g. the file watcher's session, between the two runs
        p.feed({"kind": "start", "name": "watch", "tool": "watch"})
        p.feed({"kind": "event", "type": "file_changed", "data": {"path": "src/prog.c", "kind": "modified"}})
        p.feed({"kind": "event", "type": "vcs_commit", "data": {"hash": "c0ffee" * 6 + "abcd",
                                                                "message": "fix the bug"}})
    b = record_session(store_path, "after", rounds=1, snaps=1)
    with Store(store_path, readonly=True) as store:
        changes = build_report_data(store, [a, b])["summary"]["changes"]
    assert [(c["type"], c.get("path") or c.get("message")) for c in changes] == [
        ("file_changed", "src/prog.c"), ("vcs_commit", "fix the bug")]


def test_snapshot_details_are_chunked_in_order(store_path: Path) -> None:
    from debugtape.report.render import DETAIL_CHUNK

    sid = record_session(store_path, "many", rounds=DETAIL_CHUNK + 44, snaps=DETAIL_CHUNK + 44)
    with Store(store_path, readonly=True) as store:
        data = build_report_data(store, [sid])
    page = render_html(data)
    chunks = [_embedded(page, "dt-d0"), _embedded(page, "dt-d1")]
    assert 'id="dt-d2"' not in page
    assert [len(c) for c in chunks] == [DETAIL_CHUNK, 44]
    assert chunks[0] + chunks[1] == json.loads(json.dumps(data["details"]))
    assert _embedded(page, "dt-summary")["detail_chunk"] == DETAIL_CHUNK


def test_sessions_without_snapshots_or_samples_still_render(store_path: Path) -> None:
    from debugtape.pipeline import open_pipeline

    with open_pipeline(store_path) as p:
        p.feed({"kind": "start", "name": "empty"})
        p.feed({"kind": "snapshot", "reason": "manual", "frames": []})  # a stop without frames
        sid = str(p.session_id)
    with Store(store_path, readonly=True) as store:
        data = build_report_data(store, [sid])
    (session,) = data["summary"]["sessions"]
    assert session["flame"] is None and session["hot"] == [] and session["samples"] == 0
    assert data["details"][0]["frames"] == [] and session["status"] == "completed"
    assert "empty" in render_html(data)


def test_commits_between_runs_come_from_git_when_not_recorded(store_path: Path, tmp_path: Path) -> None:
    """Two runs on two commits, no watcher: the commits between their HEADs are read from git,
    once each even when a watcher did record one of them."""
    import subprocess

    from debugtape.pipeline import open_pipeline

    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=Ann", "-c", "user.email=ann@example.com", *args],
                              cwd=repo, check=True, capture_output=True, text=True).stdout.strip()

    def commit(msg: str) -> str:
        (repo / "prog.c").write_text(msg + "\n")
        git("add", "prog.c")
        git("commit", "-qm", msg)
        return git("rev-parse", "HEAD")

    def run(name: str) -> str:
        with open_pipeline(store_path) as p:
            p.feed({"kind": "start", "name": name, "tool": "gdb", "cwd": str(repo)})
            p.feed({"kind": "snapshot", "reason": "manual", "frames": []})
            return str(p.session_id)

    git("init", "-q")
    commit("first")
    a = run("before")
    second, third = commit("second: api_token=hunter2-abcdefgh"), commit("third")
    with open_pipeline(store_path) as p:  # a watcher saw the third commit only
        p.feed({"kind": "start", "name": "watch", "tool": "watch"})
        p.feed({"kind": "event", "type": "vcs_commit", "data": {"hash": third, "message": "third"}})
    b = run("after")
    with Store(store_path, readonly=True) as store:
        data = build_report_data(store, [b, a])  # named newest first: the order in time still counts
    changes = data["summary"]["changes"]
    assert [(c["hash"], c.get("source")) for c in changes] == [(second, "git"), (third, None)]
    assert changes[0]["files"] == 1 and changes[0]["author"] == "Ann <ann@example.com>"
    assert "hunter2-abcdefgh" not in changes[0]["message"]  # read at report time, redacted like the rest
    sessions = {s["id"]: s for s in data["summary"]["sessions"]}
    assert sessions[a]["t0"] + sessions[a]["duration"] <= changes[0]["t"] <= sessions[b]["t0"]
