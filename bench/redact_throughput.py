"""Throughput of the redaction engine on debugger-like records, side by side with detect-secrets.

    python bench/redact_throughput.py [--quick] [--records N] [--baseline-records N]

debugtape: `Redactor.redact(record)` on every record (a fresh redactor per pass, so its
caches start cold); the median of three passes, since one pass takes under a second and a
burst of load on the machine would otherwise decide it (detect-secrets runs for tens of
seconds per mode, which evens such bursts out). detect-secrets (default plugins and filters) on the same records, first
ones of the list, in three modes: a pretty-printed JSON document per record (one key or value
per line, the granularity a value redactor needs), one compact JSON
line per record (detection only: it cannot tell which value to replace), and each key and
string value scanned on its own (detect-secrets used as a value redactor).
MB/s counts the compact JSON size of the records per second of this process's CPU time
(`time.process_time`), so other load on the machine does not skew either side.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus.baseline import available, ds_findings, ds_per_value, ds_settings  # noqa: E402
from corpus.records import clean_records, labelled_records  # noqa: E402

from debugtape.redact import Redactor  # noqa: E402


def corpus(n: int, seed: int = 5) -> list[dict[str, Any]]:
    """`n` records: clean ones with 2% carrying a planted secret, shuffled deterministically."""
    recs = clean_records(n, seed)
    planted = [p.record for p in labelled_records(1, seed) if p.is_secret]
    rng = random.Random(seed)
    for i in rng.sample(range(n), min(len(planted), n // 50)):
        recs[i] = planted[i % len(planted)]
    return recs


def mb(records: list[dict[str, Any]]) -> float:
    return sum(len(json.dumps(r, ensure_ascii=False)) for r in records) / 1e6


def time_ours(records: list[dict[str, Any]]) -> tuple[float, int]:
    r = Redactor(b"bench-key-0123456789abcdef012345")
    redactions = 0
    t0 = time.process_time()
    for rec in records:
        _, stats = r.redact(rec)
        redactions += stats.count
    return time.process_time() - t0, redactions


def median_rate(records: list[dict[str, Any]], size: float) -> tuple[list[float], int]:
    """MB/s of three passes over `records`, each with a fresh redactor, and the redactions made."""
    passes = []
    for _ in range(3):
        gc.collect()
        seconds, redactions = time_ours(records)
        passes.append(size / seconds)
    return passes, redactions


def time_ds_values(records: list[dict[str, Any]]) -> tuple[float, int]:
    found = 0
    t0 = time.process_time()
    for rec in records:
        found += ds_per_value(rec)
    return time.process_time() - t0, found


def time_ds(records: list[dict[str, Any]], pretty: bool) -> tuple[float, int]:
    texts = [json.dumps(r, indent=2 if pretty else None, ensure_ascii=False) for r in records]
    found = 0
    t0 = time.process_time()
    for t in texts:
        found += len(ds_findings(t))
    return time.process_time() - t0, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 records, 20 for detect-secrets")
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--baseline-records", type=int, default=100)
    args = ap.parse_args()
    n, nb = (2_000, 20) if args.quick else (args.records, args.baseline_records)
    records = corpus(n)
    size = mb(records)
    passes, redactions = median_rate(records, size)
    ours_rate = sorted(passes)[1]
    print(f"records: {n} ({size:.1f} MB compact JSON, {1e3 * size / n:.1f} KB each)")
    print(f"debugtape Redactor.redact:        {ours_rate:8.2f} MB/s  ({redactions} values redacted; "
          f"median of {', '.join(f'{p:.1f}' for p in passes)})")
    sub = records[:nb]
    sub_size = mb(sub)
    sub_passes, _ = median_rate(sub, sub_size)
    same_rate = sorted(sub_passes)[1]
    print(f"debugtape on the first {nb} only:  {same_rate:8.2f} MB/s (cold caches, median of three)")
    if not available():
        print("detect-secrets is not installed: no baseline")
        return
    with ds_settings() if available() else contextlib.nullcontext():
        pretty_s, pretty_found = time_ds(sub, pretty=True)
        line_s, line_found = time_ds(sub, pretty=False)
        value_s, value_found = time_ds_values(sub)
    pretty_rate, line_rate, value_rate = sub_size / pretty_s, sub_size / line_s, sub_size / value_s
    print(f"detect-secrets, pretty JSON:      {pretty_rate:8.4f} MB/s  ({pretty_found} findings in {nb} records)")
    print(f"detect-secrets, one JSON line:    {line_rate:8.4f} MB/s  ({line_found} findings)")
    print(f"detect-secrets, each value:       {value_rate:8.4f} MB/s  ({value_found} findings)")
    print(f"ratio vs pretty JSON:             {ours_rate / pretty_rate:8.0f}x  "
          f"({same_rate / pretty_rate:.0f}x on the same {nb} records only)")
    print(f"ratio vs one JSON line:           {ours_rate / line_rate:8.0f}x  "
          f"({same_rate / line_rate:.0f}x)")
    print(f"ratio vs each value:              {ours_rate / value_rate:8.0f}x  "
          f"({same_rate / value_rate:.0f}x)")


if __name__ == "__main__":
    main()
