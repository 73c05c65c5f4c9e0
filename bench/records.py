"""Records: ConvertRecord CSV -> JSON on a generated CSV file (100 MB by default), in constant memory,
beside the same conversion done by a plain Python csv/json loop in the same run.

Run: ``python -m bench records``; ``NIFI_LIKE_BENCH_RECORDS_MB=10 python -m bench records`` for a quick run.
The two outputs are compared byte for byte, so the figures are for the same work.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psutil

from bench.report import Row, row
from nifi_like.testing import TestRunner
from processors.records.convert_record import ConvertRecord
from processors.services.csv_reader import CSVReader
from processors.services.json_record_set_writer import JsonRecordSetWriter

SIZE_MB = float(os.environ.get("NIFI_LIKE_BENCH_RECORDS_MB", "100"))
CITIES = ("Oslo", "Rome", "Lima", "Kyoto", "Accra", "Quito", "Perth", "Bergen, NO")


def _generate(path: str, size: int) -> int:
    """Write a CSV file of about ``size`` bytes; returns its record count."""
    rng = random.Random(7)
    count = 0
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "city", "score", "active", "note"])
        while fh.tell() < size:
            for _ in range(1000):
                count += 1
                writer.writerow([count, f"user-{rng.randrange(10**6)}", rng.choice(CITIES),
                                 f"{rng.uniform(0, 1000):.2f}", rng.choice(("true", "false")),
                                 "said \"hi\"" if count % 7 == 0 else "plain"])
    return count


class _PeakRss:
    """Samples the process's resident set size in a thread; ``growth`` is the peak over the start."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self.start = self.peak = self._process.memory_info().rss
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 1e6


def _converter(sample: str) -> Callable[[str], Any]:
    """How a column is typed, judged from its first value (the generated columns are uniform)."""
    if sample in ("true", "false"):
        return lambda value: value == "true"
    for kind in (int, float):
        try:
            kind(sample)
        except ValueError:
            continue
        return kind
    return str


def _plain_rows(path: str) -> Iterator[str]:
    with open(path, newline="") as fh:
        rows = csv.reader(fh)
        names = next(rows)
        converters: list[Callable[[str], Any]] = []
        for row_values in rows:
            if not converters:
                converters = [_converter(value) for value in row_values]
            yield json.dumps({name: convert(value) for name, convert, value in zip(names, converters, row_values,
                                                                                   strict=True)},
                             separators=(",", ":"))


def _plain(path: str, out_path: str) -> None:
    """The baseline: csv.reader, values typed per column, json.dumps per row, one JSON array."""
    with open(out_path, "w") as out:
        out.write("[")
        for index, text in enumerate(_plain_rows(path)):
            out.write("," + text if index else text)
        out.write("]")


def _digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _convert_record(path: str) -> tuple[float, float, bytes, dict[str, str]]:
    """Seconds, peak RSS growth (MB), output and attributes of ConvertRecord on the file."""
    with TestRunner(ConvertRecord, {"Record Reader": "csv", "Record Writer": "json"}) as runner:
        runner.add_controller_service("csv", CSVReader)
        runner.add_controller_service("json", JsonRecordSetWriter)
        runner.enable_controller_service("csv")
        runner.enable_controller_service("json")
        with open(path, "rb") as fh:
            runner.enqueue(fh.read())
        gc.collect()
        with _PeakRss() as rss:
            start = time.perf_counter()
            runner.run()
            elapsed = time.perf_counter() - start
        runner.assert_all_transferred("success", count=1)
        out = runner.get_flowfiles_for_relationship("success")[0]
        return elapsed, rss.growth_mb, out.content, dict(out.attributes)


def main() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="nifi_like-bench-records-") as directory:
        path = os.path.join(directory, "in.csv")
        records = _generate(path, int(SIZE_MB * 1e6))
        size_mb = os.path.getsize(path) / 1e6
        elapsed, growth, output, attributes = _convert_record(path)
        if attributes.get("record.count") != str(records):
            raise AssertionError(f"ConvertRecord wrote {attributes.get('record.count')} records, expected {records}")
        ours = hashlib.sha256(output).hexdigest()
        del output
        plain_path = os.path.join(directory, "plain.json")
        gc.collect()
        with _PeakRss() as plain_rss:
            start = time.perf_counter()
            _plain(path, plain_path)
            plain_elapsed = time.perf_counter() - start
        if _digest(plain_path) != ours:
            raise AssertionError("ConvertRecord and the plain loop wrote different JSON")
    rate, plain_rate = size_mb / elapsed, size_mb / plain_elapsed
    note = f"{size_mb:,.0f} MB CSV, {records:,} records, CSVReader (infer) -> JsonRecordSetWriter (array)"
    return [
        row("records", "ConvertRecord CSV -> JSON", round(rate, 1), "MB/s", baseline=round(plain_rate, 1),
            note=note + "; baseline: plain csv.reader + json.dumps loop, same output bytes"),
        row("records", "plain csv/json loop", round(plain_rate, 1), "MB/s", note="same run, same file"),
        row("records", "ConvertRecord peak RSS growth", round(growth, 1), "MB",
            note=f"while converting {size_mb:,.0f} MB (constant memory: does not grow with the file)"),
        row("records", "plain loop peak RSS growth", round(plain_rss.growth_mb, 1), "MB", note="same run"),
    ]
