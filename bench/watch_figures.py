"""Watcher figures, each beside its baseline in one run: save-to-`follow` latency (baseline: a bare
watchdog observer's own latency), idle CPU on a 10,000-file tree (baseline: a bare watchdog
observer on the same tree), and a burst of 1,000 writes (baseline: distinct paths a bare
observer saw).

    python bench/watch_figures.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from debugtape.store import Store  # noqa: E402

BARE_OBSERVER = """
import sys, time, threading
from watchdog.observers import Observer
from watchdog.events import FileSystemEventHandler
class H(FileSystemEventHandler):
    def on_any_event(self, e):
        if not e.is_directory and e.event_type in ("created", "modified", "closed"):
            print(e.src_path, flush=True)
o = Observer(); o.schedule(H(), sys.argv[1], recursive=True); o.start()
print("ready", flush=True)
sys.stdin.read()
o.stop(); o.join()
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def make_tree(path: Path, files: int) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "bench@example.com")
    git(path, "config", "user.name", "bench")
    (path / ".gitignore").write_text(".debugtape/\n")
    per_dir = 100
    for i in range(files):
        d = path / f"d{i // per_dir:03d}"
        d.mkdir(exist_ok=True)
        (d / f"f{i:05d}.c").write_text(f"int v{i} = {i};\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "tree")
    return path


def start_watch(repo: Path, db: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "debugtape", "watch", str(repo), "--db", str(db)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    line = proc.stderr.readline().decode()
    if not line.startswith("watching"):
        raise SystemExit(f"debugtape watch did not start: {line}{proc.stderr.read().decode()}")
    return proc


def start_bare(repo: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", BARE_OBSERVER, str(repo)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def stop(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    if proc.stdin:
        proc.stdin.close()
        proc.stdin = None
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def latency(work: Path, saves: int) -> dict[str, float]:
    repo = make_tree(work / "lat", 20)
    db = repo / ".debugtape" / "tape.db"
    watch = start_watch(repo, db)
    follow = subprocess.Popen([sys.executable, "-m", "debugtape", "follow", "--json", "-n", "0",
                               "--db", str(db)], stdout=subprocess.PIPE, text=True)
    bare = start_bare(repo)
    seen_follow: dict[str, float] = {}
    seen_bare: dict[str, float] = {}

    def read_follow() -> None:
        assert follow.stdout is not None
        for line in follow.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("type") == "file_changed":
                seen_follow.setdefault(ev["data"]["path"], time.monotonic())

    def read_bare() -> None:
        assert bare.stdout is not None
        for line in bare.stdout:
            seen_bare.setdefault(os.path.relpath(line.strip(), repo), time.monotonic())

    threading.Thread(target=read_follow, daemon=True).start()
    threading.Thread(target=read_bare, daemon=True).start()
    time.sleep(1.0)
    ours: list[float] = []
    base: list[float] = []
    for i in range(saves):
        rel = f"d000/f{i % 20:05d}.c"
        seen_follow.pop(rel, None)
        seen_bare.pop(rel, None)
        t0 = time.monotonic()
        with open(repo / rel, "a") as fh:  # an editor's save: open, write, close
            fh.write(f"// save {i}\n")
        deadline = t0 + 5
        while (rel not in seen_follow or rel not in seen_bare) and time.monotonic() < deadline:
            time.sleep(0.001)
        if rel in seen_follow:
            ours.append((seen_follow[rel] - t0) * 1000)
        if rel in seen_bare:
            base.append((seen_bare[rel] - t0) * 1000)
        time.sleep(0.25)
    follow.terminate()
    follow.wait()
    stop(bare)
    stop(watch)
    return {"saves": saves, "seen": len(ours), "median_ms": statistics.median(ours),
            "p95_ms": pct(ours, 0.95), "bare_median_ms": statistics.median(base),
            "bare_p95_ms": pct(base, 0.95)}


def idle(work: Path, files: int, seconds: float) -> dict[str, float]:
    repo = make_tree(work / "idle", files)
    db = repo / ".debugtape" / "tape.db"
    watch = start_watch(repo, db)
    bare = start_bare(repo)
    time.sleep(2.0)  # start-up work (git ls-files, inotify watches) is not idle time
    a0, b0, t0 = cpu_seconds(watch.pid), cpu_seconds(bare.pid), time.monotonic()
    time.sleep(seconds)
    a1, b1, t1 = cpu_seconds(watch.pid), cpu_seconds(bare.pid), time.monotonic()
    stop(bare)
    stop(watch)
    wall = t1 - t0
    return {"files": files, "seconds": round(wall, 1), "cpu_pct": 100 * (a1 - a0) / wall,
            "bare_cpu_pct": 100 * (b1 - b0) / wall}


def burst(work: Path, writes: int) -> dict[str, float]:
    repo = make_tree(work / "burst", 10)
    db = repo / ".debugtape" / "tape.db"
    watch = start_watch(repo, db)
    bare = start_bare(repo)
    seen_bare: set[str] = set()

    def read_bare() -> None:
        assert bare.stdout is not None
        for line in bare.stdout:
            seen_bare.add(os.path.relpath(line.strip(), repo))

    threading.Thread(target=read_bare, daemon=True).start()
    (repo / "burst").mkdir()
    names = [f"burst/w{i:05d}.txt" for i in range(writes)]
    t0 = time.monotonic()
    for name in names:
        (repo / name).write_text(name)
    write_s = time.monotonic() - t0
    want = set(names)
    deadline = time.monotonic() + 30
    got: set[str] = set()
    while time.monotonic() < deadline:
        with Store(db, readonly=True) as store:
            got = {se.event.data["path"] for se in store.events(types=["file_changed"])}
        if want <= got and want <= seen_bare:
            break
        time.sleep(0.1)
    all_in_s = time.monotonic() - t0
    stop(bare)
    stop(watch)
    return {"writes": writes, "write_s": round(write_s, 3), "recorded": len(want & got),
            "bare_seen": len(want & seen_bare), "all_recorded_after_s": round(all_in_s, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a small run (fewer saves, shorter idle)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="watch-bench-") as tmp:
        work = Path(tmp)
        lat = latency(work, 10 if args.quick else 40)
        print(f"save -> follow latency ({lat['seen']}/{lat['saves']} saves seen): "
              f"median {lat['median_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms "
              f"(target: median < 200 ms); bare watchdog median {lat['bare_median_ms']:.1f} ms, "
              f"p95 {lat['bare_p95_ms']:.1f} ms; ratio {lat['median_ms'] / max(lat['bare_median_ms'], 0.01):.1f}x")
        idl = idle(work, 2000 if args.quick else 10000, 5 if args.quick else 20)
        print(f"idle on {idl['files']} files for {idl['seconds']} s: {idl['cpu_pct']:.3f}% of a core "
              f"(target < 1%); bare watchdog {idl['bare_cpu_pct']:.3f}%; "
              f"ratio {idl['cpu_pct'] / max(idl['bare_cpu_pct'], 0.001):.1f}x")
        bur = burst(work, 1000)
        print(f"burst of {bur['writes']} writes in {bur['write_s']} s: {bur['recorded']} recorded "
              f"(target: all), all in the store after {bur['all_recorded_after_s']} s; "
              f"bare watchdog saw {bur['bare_seen']}; ratio {bur['recorded'] / max(bur['bare_seen'], 1):.3f}")


if __name__ == "__main__":
    main()
