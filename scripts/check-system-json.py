#!/usr/bin/env python3
"""Sanity checks of a GET /system body: check-system-json.py FILE (or - for stdin).

Prints the figures it checked; exits non-zero with a reason when one is off.
"""
import json
import sys


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    data = json.load(sys.stdin if path == "-" else open(path, encoding="utf-8"))
    problems = []

    def get(*keys):
        cur = data
        for k in keys:
            if not isinstance(cur, dict) or k not in cur:
                problems.append("missing " + ".".join(keys))
                return None
            cur = cur[k]
        return cur

    total = get("memory", "total")
    cores = get("cpu", "logical_cores")
    pct = get("cpu", "percent")
    if total is not None and not (isinstance(total, (int, float)) and total > 0):
        problems.append(f"memory.total={total!r} is not > 0")
    if cores is not None and not (isinstance(cores, int) and cores >= 1):
        problems.append(f"cpu.logical_cores={cores!r} is not >= 1")
    if pct is not None and not (isinstance(pct, (int, float)) and 0 <= pct <= 100):
        problems.append(f"cpu.percent={pct!r} is not within 0..100")
    if problems:
        print("  /system: " + "; ".join(problems), file=sys.stderr)
        return 1
    print(f"  ok: /system memory.total={total} cpu.logical_cores={cores} cpu.percent={pct}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
