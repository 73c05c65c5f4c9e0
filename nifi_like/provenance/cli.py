"""``nifi-like provenance --data DIR --flowfile UUID``: print a FlowFile's lineage.

Opens the repository read-only, so it works on the data directory of a stopped engine
(and of a running one); events not indexed yet are found by scanning them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the heavy imports (networkx) wait until the command runs
    from nifi_like.provenance.events import ProvenanceEvent
    from nifi_like.provenance.lineage import Lineage

DESCRIPTION = "Print the lineage of a FlowFile (its ancestors and descendants) from a data directory."


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The command's arguments; ``nifi-like provenance`` adds the same to its subcommand."""
    p.add_argument("--data", required=True, help="the engine's data directory")
    p.add_argument("--flowfile", required=True, metavar="UUID", help="the FlowFile's uuid")
    p.add_argument("--json", action="store_true", help="print NiFi's lineage DTO (nodes and links) as JSON")
    return p


def _describe(event: ProvenanceEvent) -> str:
    from nifi_like.provenance.events import format_time

    line = (f"  #{event.event_id:<8} {format_time(event.timestamp_ms)}  {event.event_type:<19} "
            f"{event.component_type} [{event.component_id}]")
    extra = []
    if event.parent_uuids and event.event_type in ("JOIN", "REPLAY"):
        extra.append("parents " + ", ".join(event.parent_uuids))
    if event.child_uuids and event.event_type in ("FORK", "CLONE", "REPLAY"):
        extra.append("children " + ", ".join(event.child_uuids))
    if event.relationship:
        extra.append(f"relationship {event.relationship}")
    if event.details:
        extra.append(event.details)
    return line + ("  (" + "; ".join(extra) + ")" if extra else "")


def render_text(lineage: Lineage) -> str:
    uuids = list(dict.fromkeys(e.flowfile_uuid for e in lineage.events))
    lines = [f"Lineage of FlowFile {lineage.flowfile_uuid}: {len(uuids)} FlowFile(s), "
             f"{len(lineage.events)} event(s)" + (" (truncated)" if lineage.truncated else "")]
    for uuid in uuids:
        parents = sorted(lineage.parents_of(uuid))
        children = sorted(lineage.children_of(uuid))
        marker = " *" if uuid == lineage.flowfile_uuid else ""
        lines.append(f"FlowFile {uuid}{marker}")
        if parents:
            lines.append("  parents:  " + ", ".join(parents))
        if children:
            lines.append("  children: " + ", ".join(children))
        lines += [_describe(event) for event in lineage.events_of(uuid)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nifi-like provenance", description=DESCRIPTION)
    return run(add_arguments(parser).parse_args(argv))


def run(args: argparse.Namespace) -> int:
    from nifi_like.provenance.lineage import LineageError, compute_lineage
    from nifi_like.provenance.store import ProvenanceStore
    from nifi_like.repository.environment import Environment
    from nifi_like.repository.errors import RepositoryError

    path = os.path.join(args.data, "repository")
    if not os.path.exists(os.path.join(path, "data.mdb")):
        print(f"error: {args.data} holds no repository (expected {path}/data.mdb)", file=sys.stderr)
        return 2
    try:
        env = Environment(path, readonly=True)
    except RepositoryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        lineage = compute_lineage(ProvenanceStore(env), args.flowfile)
    except LineageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        env.close()
    print(json.dumps(lineage.to_dto(), indent=2) if args.json else render_text(lineage))
    return 0


if __name__ == "__main__":
    sys.exit(main())
