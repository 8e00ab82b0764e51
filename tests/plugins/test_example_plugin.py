"""The example plugin in examples/plugins/, installed with pip, tags real snapshots in a real repo."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from debugtape.pipeline import open_pipeline
from debugtape.store import Store
from tests.plugins.conftest import pip_install_target
from tests.support import REPO, need_binary
from tests.watch.helpers import make_repo

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pip_install_target(REPO / "examples" / "plugins" / "debugtape-changed-files",
                              tmp_path_factory.mktemp("example-site"))


def test_snapshots_through_changed_code_are_tagged(example_site: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    need_binary("git")
    monkeypatch.syspath_prepend(str(example_site))
    importlib.invalidate_caches()
    repo = make_repo(tmp_path / "repo", {
        "parser.c": "".join(f"line {i}\n" for i in range(1, 31)),
        "main.c": "int main(void) { return 0; }\n",
    })
    lines = (repo / "parser.c").read_text().splitlines(keepends=True)
    lines[19] = "edited line 20\n"
    (repo / "parser.c").write_text("".join(lines))
    (repo / "fresh.c").write_text("new, untracked\n")

    def frame(i: int, name: str, line: int) -> dict:
        return {"index": i, "symbol": f"f{i}", "file": str(repo / name), "line": line}

    db = repo / ".debugtape" / "tape.db"
    with open_pipeline(db, cwd=str(repo)) as p:
        p.feed({"kind": "start", "tool": "gdb", "cwd": str(repo)})
        p.feed({"kind": "snapshot", "reason": "breakpoint",
                "frames": [frame(0, "parser.c", 20), frame(1, "main.c", 1)]})
        p.feed({"kind": "snapshot", "reason": "breakpoint",
                "frames": [frame(0, "parser.c", 5), frame(1, "main.c", 1)]})
        p.feed({"kind": "snapshot", "reason": "breakpoint", "frames": [frame(0, "main.c", 1)]})
        p.feed({"kind": "snapshot", "reason": "breakpoint", "frames": [frame(0, "fresh.c", 1)]})
        session = str(p.session_id)
    with Store(db, readonly=True) as store:
        snaps = [se.event.data for se in store.iter_session_events(session)
                 if se.event.type == "debug_snapshot"]
    assert snaps[0]["tags"] == ["touches-changes", "in-changed-lines"]
    assert snaps[0]["changed_frames"] == [
        {"index": 0, "file": "parser.c", "line": 20, "in_changed_lines": True}]
    assert snaps[1]["tags"] == ["touches-changes"]
    assert snaps[1]["changed_frames"][0]["in_changed_lines"] is False
    assert "tags" not in snaps[2]
    assert snaps[3]["tags"] == ["touches-changes", "in-changed-lines"]
    for name in [m for m in sys.modules if m.startswith("debugtape_changed_files")]:
        del sys.modules[name]
