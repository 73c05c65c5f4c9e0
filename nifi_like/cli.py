"""The ``nifi-like`` command line."""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

from nifi_like.config import load_settings
from nifi_like.flow.errors import FlowError
from nifi_like.flow.store import FlowStore, parse_flow_json
from nifi_like.provenance import cli as provenance_cli
from nifi_like.repository.errors import RepositoryError
from nifi_like.status_file import offline_status, publish, read_published

if TYPE_CHECKING:
    from cluster.launch import ClusterNode, ClusterPlan
    from nifi_like.config import Settings
    from nifi_like.engine.controller import FlowController

LOCK_FILE = "engine.lock"


def _lock(data_dir: str) -> int:
    os.makedirs(data_dir, exist_ok=True)
    fd = os.open(os.path.join(data_dir, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = os.read(fd, 32).decode().strip()
        os.close(fd)
        raise SystemExit(f"error: another engine (pid {pid or '?'}) is running on {data_dir}") from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def engine_running(data_dir: str) -> bool:
    path = os.path.join(data_dir, LOCK_FILE)
    if not os.path.exists(path):
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _read_flow_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return parse_flow_json(fh.read(), path)
    except OSError as exc:
        raise FlowError([f"cannot read it: {exc.strerror}"], path) from exc


def _precheck(document: dict[str, Any], source: str, conf: str | None = None) -> None:
    """Refuse a bad flow before the data directory is touched."""
    from nifi_like.engine.registry import ProcessorRegistry
    from nifi_like.flow.model import Flow
    from nifi_like.flow.validation import flow_problems

    registry = ProcessorRegistry()
    registry.allow_execute_code = load_settings(conf).allow_execute_code
    problems = flow_problems(Flow(document), registry)
    if problems:
        raise FlowError(problems, source)


async def _run_engine(args: argparse.Namespace, document: dict[str, Any] | None) -> None:
    from nifi_like.engine import gc_policy
    from nifi_like.engine.controller import FlowController
    from nifi_like.web.app import serve

    settings = load_settings(args.conf, data_dir=args.data, host=args.host, port=args.port,
                             cluster_url=args.cluster, cluster_node_id=args.node_id,
                             cluster_node_address=args.node_address,
                             cluster_load_balance_port=args.load_balance_port)
    plan = _cluster_plan(settings)  # a bad cluster address or secret stops here, before the data is opened
    controller = FlowController(settings)
    cluster: ClusterNode | None = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        if plan is not None:
            cluster = _cluster_node(controller, plan)
        if cluster is None:
            await controller.load(document, source=args.flow or "flow")
        else:
            await cluster.join(document, source=args.flow or "flow")
        gc_policy.tune(settings.gc_young_threshold)
        runner = await serve(controller, settings.host, settings.port)
        if cluster is not None:
            await cluster.start_transfers()
    except BaseException:
        if cluster is not None:
            await cluster.leave()
        await controller.shutdown()
        raise
    if cluster is not None:
        print(cluster.joined_message(), flush=True)
    running = sum(1 for n in controller.nodes.values() if n.run_state == "RUNNING" and n.kind == "PROCESSOR")
    print(f"nifi-like: engine running on data directory {os.path.abspath(args.data)} "
          f"({len(controller.nodes)} components, {running} processors running)", flush=True)
    print(f"nifi-like: watch it with `nifi-like status --data {args.data}`; stop with Ctrl+C", flush=True)
    while not stop.is_set():
        publish(args.data, controller.status())
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass
    print("nifi-like: stopping (letting sessions in progress finish)", flush=True)
    await runner.cleanup()
    if cluster is not None:
        await cluster.leave()  # stops load balancing; gives up the roles at once, other nodes take them over
    await controller.shutdown()
    publish(args.data, {"connections": [], "processors": [], "stopped": True})


def _cluster_plan(settings: Settings) -> ClusterPlan | None:
    """The cluster named by --cluster / [cluster] url (cluster/ is imported only then)."""
    if not settings.cluster_url:
        return None
    from cluster.launch import cluster_plan

    return cluster_plan(settings)


def _cluster_node(controller: FlowController, plan: ClusterPlan) -> ClusterNode:
    from cluster.launch import ClusterNode

    return ClusterNode(controller, plan)


def cmd_run(args: argparse.Namespace) -> int:
    document = None
    if args.flow:
        document = _read_flow_file(args.flow)
        _precheck(document, args.flow, args.conf)
    lock = _lock(args.data)
    try:
        asyncio.run(_run_engine(args, document))
    finally:
        os.close(lock)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    status = read_published(args.data) if engine_running(args.data) else None
    if status is None:
        status = offline_status(args.data)
    if args.json:
        print(json.dumps({"connections": status["connections"], "processors": status["processors"]}, indent=2))
        return 0
    print(f"{'PROCESSOR':32} {'TYPE':24} {'STATUS':9} {'IN(5m)':>9} {'OUT(5m)':>9}")
    for p in status["processors"]:
        print(f"{p['name'][:32]:32} {p['type'].rsplit('.', 1)[-1][:24]:24} {p['run_status']:9} "
              f"{p['in_count']:>9} {p['out_count']:>9}")
    names = {p["id"]: p["name"] for p in status["processors"]}
    print(f"\n{'CONNECTION':44} {'QUEUED':>9} {'BYTES':>12} {'THRESHOLD':>10}")
    for c in status["connections"]:
        label = c["name"] or f"{names.get(c['source'], c['source'][:8])} -> " \
                             f"{names.get(c['destination'], c['destination'][:8])}"
        print(f"{label[:44]:44} {c['queued_count']:>9} {c['queued_bytes']:>12} {c['object_threshold']:>10}")
    return 0


def cmd_flow_export(args: argparse.Namespace) -> int:
    store = FlowStore(args.data)
    if not store.exists():
        raise FlowError([f"there is no stored flow in {args.data}"], args.data)
    from nifi_like.engine.registry import ProcessorRegistry
    from nifi_like.flow.sensitive import Sensitivity

    text = json.dumps(Sensitivity(ProcessorRegistry()).omit(store.load()), indent=2)  # sensitive values stay behind
    if args.output:
        with open(args.output, "w") as fh:
            fh.write(text + "\n")
    else:
        print(text)
    return 0


def cmd_flow_import(args: argparse.Namespace) -> int:
    if engine_running(args.data):
        raise SystemExit(f"error: the engine is running on {args.data}; stop it, or use `run --flow`")
    document = _read_flow_file(args.file)
    _precheck(document, args.file, args.conf)

    async def load() -> None:
        from nifi_like.engine.controller import FlowController

        settings = load_settings(args.conf, data_dir=args.data)
        controller = FlowController(settings)
        try:
            flow = controller.check(document, args.file)
            controller.store.archive()
            controller.store.save(flow.document)
        finally:
            await controller.shutdown()

    lock = _lock(args.data)
    try:
        asyncio.run(load())
    finally:
        os.close(lock)
    print(f"imported {args.file} into {args.data}; the previous flow is kept in {args.data}/flow-archive/")
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from nifi_like.engine.quarantine import listing
    from nifi_like.repository.environment import Environment

    path = os.path.join(args.data, "repository")
    if not os.path.exists(os.path.join(path, "data.mdb")):
        raise SystemExit(f"error: there is no repository in {args.data}")
    env = Environment(path, readonly=True)
    try:
        rows = [q.row() for q in listing(env)]
    finally:
        env.close()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{len(rows)} quarantined FlowFile(s) in {args.data}")
    for row in rows:
        print(f"{row['uuid']}  {row['filename']}  {row['size']} bytes  from connection {row['connectionName'] or row['connection']}"
              f"  at {row['quarantinedAt']}\n    {row['reason']}")
    return 0


def cmd_credentials(args: argparse.Namespace) -> int:
    from nifi_like.web.auth import set_single_user_credentials

    set_single_user_credentials(args.data, args.username, args.password)
    print(f"stored the credentials of '{args.username}' (hashed) in {args.data}; restart the engine to use them")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from nifi_like import docs

    return docs.run(args)


def cmd_el(args: argparse.Namespace) -> int:
    from nifi_like.expression.cli import main as el_main

    return el_main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nifi-like", description="A real-time dataflow engine.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the engine until SIGINT/SIGTERM")
    run.add_argument("--data", required=True, help="data directory (flow, repository, content)")
    run.add_argument("--flow", help="flow definition JSON replacing the stored flow (which is archived)")
    run.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=None, help="port (default 8080)")
    run.add_argument("--conf", default=None, help="configuration TOML (default conf/nifi_like.toml)")
    run.add_argument("--cluster", default=None, metavar="URL",
                     help="join a cluster: etcd://HOST:PORT (nodes sharing that etcd) or "
                          "static://ID@ADDRESS:API_PORT:LB_PORT,... (every node listed; load balancing only)")
    run.add_argument("--node-id", default=None,
                     help="this node's id in the cluster (etcd default ADDRESS:PORT; required with static://)")
    run.add_argument("--node-address", default=None, help="address other nodes reach this node at (etcd)")
    run.add_argument("--load-balance-port", type=int, default=None, help="port of node-to-node transfers (etcd)")
    run.set_defaults(func=cmd_run)
    status = sub.add_parser("status", help="queues and processors, also while the engine runs")
    status.add_argument("--data", required=True)
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    flow = sub.add_parser("flow", help="export or import the flow definition")
    flow_sub = flow.add_subparsers(dest="flow_command", required=True)
    export = flow_sub.add_parser("export")
    export.add_argument("--data", required=True)
    export.add_argument("--output", "-o")
    export.set_defaults(func=cmd_flow_export)
    imp = flow_sub.add_parser("import")
    imp.add_argument("--data", required=True)
    imp.add_argument("--conf", default=None)
    imp.add_argument("file")
    imp.set_defaults(func=cmd_flow_import)
    creds = sub.add_parser("set-single-user-credentials", help="set the login (stored hashed), as NiFi's command")
    creds.add_argument("username")
    creds.add_argument("password")
    creds.add_argument("--data", required=True)
    creds.set_defaults(func=cmd_credentials)
    quarantined = sub.add_parser("quarantine", help="list FlowFiles set aside because their content is damaged")
    quarantined.add_argument("--data", required=True)
    quarantined.add_argument("--json", action="store_true")
    quarantined.set_defaults(func=cmd_quarantine)
    from nifi_like.docs import add_arguments as docs_arguments

    docs = sub.add_parser("docs", help="write one Markdown or HTML page per installed processor")
    docs_arguments(docs)
    docs.set_defaults(func=cmd_docs)
    el = sub.add_parser("el", help="evaluate an Expression Language expression", add_help=False)
    el.add_argument("rest", nargs=argparse.REMAINDER)
    el.set_defaults(func=cmd_el)
    provenance = sub.add_parser("provenance", help="print the lineage of a FlowFile",
                                description=provenance_cli.DESCRIPTION)
    provenance_cli.add_arguments(provenance).set_defaults(func=provenance_cli.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("NIFI_LIKE_LOG", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except (FlowError, RepositoryError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
