"""What `debugtape dap` adds to a DAP request's round trip, side by side in one run.

The same client (debugtape's small DAP client) launches tests/fixtures/python/loop.py under
debugpy, stops at a breakpoint and sends R `threads` and R `stackTrace` requests one after the
other, timing each request to its response:

- baseline: the client talks to debugpy's adapter directly;
- debugtape: the client talks to `debugtape dap --no-tcp-fix -- <the same adapter command>`,
  which relays every message, renumbers seq and records the session into a store.

Both use the same adapter command (with debugtape's TCP_NODELAY boot, so the round trips are not
dominated by debugpy's 40 ms Nagle delays); the proxy's own fix is turned off so it cannot win
by starting a faster adapter.

    python bench/dap_proxy.py [--quick] [--requests R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from debugtape.adapters.dap.launch import adapter_command, launch_arguments  # noqa: E402
from debugtape.adapters.dap.protocol import DapClient  # noqa: E402

LOOP = ROOT / "tests" / "fixtures" / "python" / "loop.py"


def hit_line() -> int:
    return next(i for i, line in enumerate(LOOP.read_text().splitlines(), 1) if "MARK:hit" in line)


def round_trips(command: list[str], requests: int) -> list[float]:
    """Milliseconds per request/response while stopped at the breakpoint."""
    client, proc = DapClient.spawn(command)
    try:
        client.request("initialize", {"adapterID": "debugpy", "clientID": "bench", "pathFormat": "path",
                                      "linesStartAt1": True, "columnsStartAt1": True}, timeout=30)
        launched = client.send("launch", launch_arguments([str(LOOP), "3"], cwd=str(ROOT)))
        while (ev := client.events.get(timeout=30)) and ev.get("event") != "initialized":
            pass
        client.request("setBreakpoints", {"source": {"path": str(LOOP)}, "breakpoints": [{"line": hit_line()}]})
        client.request("configurationDone", {})
        launched.result(30)
        while (ev := client.events.get(timeout=30)) and ev.get("event") != "stopped":
            pass
        tid = ev["body"]["threadId"]
        times: list[float] = []
        for i in range(requests):
            cmd, args = ("threads", {}) if i % 2 else ("stackTrace", {"threadId": tid, "levels": 20})
            t0 = time.perf_counter()
            client.request(cmd, args)
            times.append((time.perf_counter() - t0) * 1000)
        client.request("disconnect", {"terminateDebuggee": True}, timeout=10)
    finally:
        client.close()
        try:
            proc.wait(15)
        except Exception:
            proc.kill()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="300 requests per variant instead of 2,000")
    ap.add_argument("--requests", type=int, default=None)
    args = ap.parse_args()
    n = args.requests or (300 if args.quick else 2000)
    adapter = adapter_command()
    with tempfile.TemporaryDirectory(prefix="debugtape-bench-") as tmp:
        proxy = [sys.executable, "-m", "debugtape", "dap", "--no-tcp-fix", "--db", str(Path(tmp) / "tape.db"),
                 "--", *adapter]
        direct_ms, proxy_ms = [], []
        for _ in range(2):  # alternate, so a change in machine load hits both alike
            direct_ms += round_trips(adapter, n // 2)
            proxy_ms += round_trips(proxy, n // 2)
    d, p = statistics.median(direct_ms), statistics.median(proxy_ms)
    q = lambda xs: statistics.quantiles(xs, n=20)[-1]  # noqa: E731 (95th percentile)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work slows every variant)")
    print(f"{'variant':<32} {'requests':>8} {'median ms':>10} {'p95 ms':>8}")
    print(f"{'baseline: client -> debugpy':<32} {len(direct_ms):>8} {d:>10.3f} {q(direct_ms):>8.3f}")
    print(f"{'debugtape dap in between':<32} {len(proxy_ms):>8} {p:>10.3f} {q(proxy_ms):>8.3f}")
    print(f"ratio: {p / d:.2f}x; the proxy adds {p - d:.3f} ms median per round trip "
          f"(target <= 1 ms: {'met' if p - d <= 1.0 else 'NOT met'})")


if __name__ == "__main__":
    main()
