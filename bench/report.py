"""Rows of benchmark figures, printed as a table."""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]


def row(benchmark: str, metric: str, value: float, unit: str, *, baseline: float | None = None,
        note: str = "") -> Row:
    out: Row = {"benchmark": benchmark, "metric": metric, "value": value, "unit": unit, "note": note}
    if baseline is not None:
        out["baseline"] = baseline
        out["ratio"] = value / baseline if baseline else float("nan")
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def markdown(rows: list[Row]) -> str:
    lines = ["| benchmark | metric | value | unit | baseline | ratio | note |", "|---|---|---:|---|---:|---:|---|"]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(k)) for k in ("benchmark", "metric", "value", "unit", "baseline",
                                                                   "ratio", "note")) + " |")
    return "\n".join(lines)
