"""NiFi's CRON-driven scheduling uses Quartz expressions: seconds first, '?' and day 1 = Sunday."""

from __future__ import annotations

import re
from datetime import datetime

from croniter import croniter


def to_croniter(expression: str) -> str:
    """Translate a Quartz expression ("0 0/5 * * * ?") into croniter's seconds-first form."""
    fields = expression.split()
    if len(fields) not in (6, 7):
        raise ValueError(f"'{expression}' is not a Quartz cron expression (6 or 7 fields, seconds first)")
    fields = [f.replace("?", "*") for f in fields[:6]]
    fields[5] = re.sub(r"\d+", lambda m: str((int(m.group()) - 1) % 7), fields[5])
    return " ".join(fields[1:] + fields[:1])  # croniter takes seconds as the 6th field


def next_fire(expression: str, after: datetime) -> datetime:
    nxt: datetime = croniter(to_croniter(expression), after).get_next(datetime)
    return nxt


def check(expression: str) -> str | None:
    try:
        next_fire(expression, datetime.now())
    except (ValueError, KeyError) as exc:
        return f"'{expression}' is not a valid CRON schedule: {exc}"
    return None
