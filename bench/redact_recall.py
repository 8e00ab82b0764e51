"""Recall and keep of the redaction engine on a labelled corpus, side by side with detect-secrets.

    python bench/redact_recall.py [--quick] [--per-kind N] [--no-baseline] [--seed N]

A planted secret counts as gone when no needle (the secret, or each body line of a PEM key)
is left in the redacted record's JSON; a look-alike is kept when it is still there, intact.
detect-secrets scans the frames holding the plant as pretty-printed JSON (its file mode); a
secret counts as found if a finding overlaps it, a look-alike as flagged likewise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib  # noqa: E402

from corpus.baseline import available, ds_scan_record, ds_settings, overlaps  # noqa: E402
from corpus.records import Planted, labelled_records  # noqa: E402

from debugtape.redact import Redactor  # noqa: E402


def ours_ok(r: Redactor, p: Planted) -> bool:
    out, _ = r.redact(p.record)
    text = json.dumps(out, ensure_ascii=False)
    present = [json.dumps(n, ensure_ascii=False)[1:-1] in text or n in text for n in p.needles]
    return not any(present) if p.is_secret else all(present)


def ds_ok(p: Planted) -> bool:
    found = list(ds_scan_record(p.record["frames"][:2]))
    hit = [overlaps(n, found) for n in p.needles]
    return all(hit) if p.is_secret else not any(hit)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="5 per kind and context")
    ap.add_argument("--per-kind", type=int, default=25)
    ap.add_argument("--no-baseline", action="store_true", help="skip detect-secrets")
    ap.add_argument("--seed", type=int, default=11, help="corpus seed (11 is the reported one)")
    args = ap.parse_args()
    per = 5 if args.quick else args.per_kind
    baseline = available() and not args.no_baseline
    r = Redactor(b"bench-key-0123456789abcdef012345")
    tally: dict[tuple[bool, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # ours, ds, total
    misses: dict[tuple[bool, str], list[str]] = defaultdict(list)
    t0 = time.perf_counter()
    with ds_settings() if baseline else contextlib.nullcontext():
        run(r, per, baseline, tally, misses, args.seed)
    elapsed = time.perf_counter() - t0
    report(tally, misses, baseline, elapsed)


def run(r: Redactor, per: int, baseline: bool, tally: dict[tuple[bool, str], list[int]],
        misses: dict[tuple[bool, str], list[str]], seed: int) -> None:
    for p in labelled_records(per, seed):
        key = (p.is_secret, p.kind)
        row = tally[key]
        row[2] += 1
        if ours_ok(r, p):
            row[0] += 1
        else:
            misses[key].append(p.context)
        if baseline and ds_ok(p):
            row[1] += 1


def report(tally: dict[tuple[bool, str], list[int]], misses: dict[tuple[bool, str], list[str]],
           baseline: bool, elapsed: float) -> None:
    print("| | kind | records | debugtape | detect-secrets |")
    print("|---|---|---:|---:|---:|")
    sums = {True: [0, 0, 0], False: [0, 0, 0]}
    for (is_secret, kind), (ours, ds, total) in sorted(tally.items(), key=lambda kv: (not kv[0][0], kv[0][1])):
        what = "secret gone" if is_secret else "look-alike kept"
        ds_cell = f"{100 * ds / total:.1f}%" if baseline else "n/a"
        note = f" (missed in: {', '.join(sorted(set(misses[(is_secret, kind)])))})" if ours < total else ""
        print(f"| {what} | {kind} | {total} | {100 * ours / total:.1f}%{note} | {ds_cell} |")
        for i, v in enumerate((ours, ds, total)):
            sums[is_secret][i] += v
    for is_secret, label in ((True, "all secrets: recall"), (False, "all look-alikes: keep")):
        ours, ds, total = sums[is_secret]
        ds_cell = f"{100 * ds / total:.2f}%" if baseline else "n/a"
        print(f"| **{label}** | | {total} | **{100 * ours / total:.2f}%** | {ds_cell} |")
    print(f"\n{sum(s[2] for s in sums.values())} labelled records in {elapsed:.1f}s")


if __name__ == "__main__":
    main()
