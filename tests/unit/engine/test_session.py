"""ProcessSession semantics: nothing visible before commit, all of it after; rollback returns inputs."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest

from nifi_like.api import Processor, Relationship
from nifi_like.engine.connection import Connection
from nifi_like.engine.node import Node
from nifi_like.engine.session import SessionError, StandardProcessSession
from nifi_like.repository import Repository, provenance_log

SUCCESS = Relationship("success")


class _Noop(Processor):
    SUCCESS = SUCCESS


@pytest.fixture
def rig(tmp_path: Any) -> Any:
    repo = Repository(str(tmp_path), durability="nosync", inline_max=64)
    inbox = Connection(repo, str(uuid.uuid4()))
    outbox = Connection(repo, str(uuid.uuid4()))
    node = Node(str(uuid.uuid4()), "noop", "PROCESSOR", _Noop())
    node.incoming = [inbox]
    node.outgoing = {"success": [outbox]}
    feeder = Node(str(uuid.uuid4()), "feeder", "PROCESSOR", _Noop())
    feeder.outgoing = {"success": [inbox]}
    yield repo, inbox, outbox, node, feeder
    repo.close()


def _feed(repo: Repository, feeder: Node, contents: list[bytes]) -> None:
    session = StandardProcessSession(feeder, repo)
    for data in contents:
        session.transfer(session.write(session.create(), data), SUCCESS)
    session.commit()


def _events(repo: Repository) -> list[list[Any]]:
    with repo.env.read() as txn:
        return [event for _, event in provenance_log.iter_events(repo.env, txn)]


def test_nothing_is_visible_before_commit(rig: Any) -> None:
    repo, inbox, outbox, node, feeder = rig
    _feed(repo, feeder, [b"a", b"b"])
    session = StandardProcessSession(node, repo)
    batch = session.get_batch(10)
    session.transfer([session.put_attribute(ff, "k", "v") for ff in batch], SUCCESS)
    assert (inbox.count, outbox.count) == (2, 0)
    session.commit()
    assert (inbox.count, outbox.count) == (0, 2)
    assert repo.queue_stats(inbox.key) == (0, 0)
    assert repo.queue_stats(outbox.key) == (2, 2)
    assert [ff.attributes["k"] for _, ff in outbox.peek(5)] == ["v", "v"]


def test_rollback_returns_inputs_unchanged(rig: Any) -> None:
    repo, inbox, outbox, node, feeder = rig
    _feed(repo, feeder, [b"one"])
    session = StandardProcessSession(node, repo)
    ff = session.get()
    assert ff is not None
    changed = session.write(session.put_attribute(ff, "k", "v"), b"other")
    session.transfer(changed, SUCCESS)
    session.rollback()
    assert (inbox.count, outbox.count) == (1, 0)
    (_, back), = inbox.peek(1)
    assert "k" not in back.attributes and repo.content.read_bytes(back.claim) == b"one"


def test_flowfile_left_unrouted_fails_the_commit(rig: Any) -> None:
    repo, inbox, _, node, feeder = rig
    _feed(repo, feeder, [b"x"])
    session = StandardProcessSession(node, repo)
    session.get()
    with pytest.raises(SessionError, match="neither transferred nor removed"):
        session.commit()
    session.rollback()
    assert inbox.count == 1


def test_large_content_streams_to_claim_files_and_is_released_when_dropped(rig: Any) -> None:
    repo, inbox, outbox, node, feeder = rig
    payload = os.urandom(10_000)
    _feed(repo, feeder, [payload])
    session = StandardProcessSession(node, repo)
    ff = session.get()
    assert ff is not None and ff.claim is not None and ff.claim[0] == 1
    path = repo.content.file_path(ff.claim[1])
    assert session.read_bytes(ff) == payload
    copy = session.clone(ff, 10, 100)
    assert session.read_bytes(copy) == payload[10:110]
    session.transfer(copy, SUCCESS)
    session.remove(ff)
    session.commit()
    assert os.path.exists(path), "the clone still references the claim file"
    drop = StandardProcessSession(node, repo)
    node.incoming = [outbox]
    gone = drop.get()
    assert gone is not None
    drop.remove(gone)
    drop.commit()
    assert outbox.count == 0


def test_provenance_events_are_written_with_the_commit(rig: Any) -> None:
    repo, inbox, outbox, node, feeder = rig
    _feed(repo, feeder, [b"a"])
    session = StandardProcessSession(node, repo)
    ff = session.get()
    assert ff is not None
    child = session.create(ff)
    session.remove(session.create(ff))  # created and removed: no trace
    session.transfer(session.put_attribute(ff, "x", "1"), SUCCESS)
    session.transfer(child, SUCCESS)
    session.commit()
    events = _events(repo)
    assert events[0][0] == "CREATE" and sorted(e[0] for e in events[1:]) == ["ATTRIBUTES_MODIFIED", "FORK"]
    fork = next(e for e in events if e[0] == "FORK")
    assert fork[6] == ff.id and list(fork[8]) == [child.id], "FORK names the parent and its children"
    drop = StandardProcessSession(node, repo)
    node.incoming = [outbox]
    for taken in drop.get_batch(10):
        drop.remove(taken)
    drop.commit()
    assert [e[0] for e in _events(repo)][3:] == ["DROP", "DROP"]


def test_transfer_to_an_unknown_relationship_is_refused(rig: Any) -> None:
    repo, _, _, node, feeder = rig
    _feed(repo, feeder, [b"a"])
    session = StandardProcessSession(node, repo)
    ff = session.get()
    assert ff is not None
    with pytest.raises(SessionError, match="neither connected nor auto-terminated"):
        session.transfer(ff, Relationship("nowhere"))
    session.rollback()


def _held(event: list[Any]) -> int:
    return int(event[19])  # the HELD field: which of the event's claims it keeps alive


def test_events_keep_the_content_a_commit_releases_and_only_that(rig: Any) -> None:
    repo, inbox, outbox, node, feeder = rig
    _feed(repo, feeder, [b"kept"])  # CREATE: the content goes on in the queue, nothing to hold
    assert [_held(e) for e in _events(repo)] == [0]

    session = StandardProcessSession(node, repo)  # attributes only: nothing released, nothing held
    ff = session.get()
    assert ff is not None
    session.transfer(session.put_attribute(ff, "k", "v"), SUCCESS)
    session.commit()
    assert [_held(e) for e in _events(repo)] == [0, 0]

    # A reported event names content the processor replaced afterwards: that content is kept
    # for the event although no FlowFile refers to it.
    reporter = StandardProcessSession(feeder, repo)
    made = reporter.write(reporter.create(), b"received")
    reporter.provenance.record("RECEIVE", made, transit_uri="test://in")
    reporter.transfer(reporter.write(made, b"rewritten"), SUCCESS)
    reporter.commit()
    receive = next(e for e in _events(repo) if e[0] == "RECEIVE")
    assert _held(receive) and repo.content.read_bytes(tuple(receive[12])) == b"received"

    node.incoming = [outbox]  # dropping content: the DROP event keeps it for provenance
    drop = StandardProcessSession(node, repo)
    gone = drop.get()
    assert gone is not None
    drop.remove(gone)
    drop.commit()
    dropped = next(e for e in _events(repo) if e[0] == "DROP")
    assert _held(dropped) and repo.content.read_bytes(tuple(dropped[12])) == b"kept"
