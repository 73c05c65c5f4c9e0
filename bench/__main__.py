"""`python -m bench NAME` runs one benchmark; `python -m bench all` runs every one and writes
bench/results/latest.md (the table the README's performance section shows)."""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time

from bench.report import Row, markdown

BENCHMARKS = ("pipeline", "stages", "deep_queue", "el", "api", "provenance", "records", "cluster", "canvas")


def run(name: str) -> list[Row]:
    module = importlib.import_module(f"bench.{name}")
    rows: list[Row] = module.main()
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(f"usage: python -m bench NAME|all   (NAME: {', '.join(BENCHMARKS)})", file=sys.stderr)
        return 2
    names = BENCHMARKS if argv[0] == "all" else (argv[0],)
    rows: list[Row] = []
    for name in names:
        print(f"== {name}", flush=True)
        result = run(name)
        print(markdown(result), flush=True)
        rows += result
    if argv[0] == "all":
        os.makedirs("bench/results", exist_ok=True)
        header = (f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {os.cpu_count()} cores, "
                  f"Python {platform.python_version()}, `python -m bench all`.\n\n")
        with open("bench/results/latest.md", "w") as fh:
            fh.write(header + markdown(rows) + "\n")
        print("wrote bench/results/latest.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
