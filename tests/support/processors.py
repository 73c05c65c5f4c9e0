"""Small processors used by engine tests (registered on a ProcessorRegistry per test)."""

from __future__ import annotations

import subprocess
import threading

from nifi_like.api import (
    ConfigurationContext,
    ControllerService,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from nifi_like.api.processor import EXECUTE_CODE


class Emit(Processor):
    """Creates 'Batch Size' FlowFiles per trigger, each holding its sequence number."""

    input_requirement = InputRequirement.INPUT_FORBIDDEN
    BATCH = PropertyDescriptor("Batch Size", default="10", validator=validators.POSITIVE_INTEGER)
    SUCCESS = Relationship("success")
    PAD = PropertyDescriptor("Padding", default="0", validator=validators.NON_NEGATIVE_INTEGER)
    SUCCESS = Relationship("success")
    counter = 0
    triggers = 0
    acknowledged: set[int] = set()
    lock = threading.Lock()

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        Emit.triggers += 1
        pad = b"." * (context.get_property(self.PAD).as_int() or 0)
        made: list[int] = []
        for _ in range(context.get_property(self.BATCH).as_int() or 1):
            with Emit.lock:
                Emit.counter += 1
                n = Emit.counter
            ff = session.create()
            ff = session.write(ff, str(n).encode() + pad)
            ff = session.put_attribute(ff, "n", str(n))
            session.transfer(ff, self.SUCCESS)
            made.append(n)
        session.on_commit(lambda: Emit.acknowledged.update(made))

    @classmethod
    def reset(cls) -> None:
        cls.counter = 0
        cls.triggers = 0
        cls.acknowledged = set()


class Pass(Processor):
    """Moves FlowFiles on, optionally tagging them."""

    SUCCESS = Relationship("success")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        for ff in session.get_batch(50):
            session.transfer(session.put_attribute(ff, "passed", "yes"), self.SUCCESS)


class Explode(Processor):
    """Takes a FlowFile, changes it, then raises: the session must roll back untouched."""

    SUCCESS = Relationship("success")
    calls = 0

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        ff = session.get()
        if ff is None:
            return
        Explode.calls += 1
        ff = session.put_attribute(ff, "touched", "yes")
        session.write(ff, b"garbage")
        raise RuntimeError("boom in the middle of a session")





class Penalize(Processor):
    """Penalizes every FlowFile it sees once (attribute 'penalized'), then passes it on."""

    SUCCESS = Relationship("success")
    seen: list[tuple[str, float]] = []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        import time

        ff = session.get()
        if ff is None:
            return
        Penalize.seen.append((ff.attributes.get("n", ""), time.monotonic()))
        if "penalized" not in ff.attributes:
            session.transfer(session.penalize(session.put_attribute(ff, "penalized", "yes")))
        else:
            session.transfer(ff, self.SUCCESS)


class Yielder(Processor):
    """Counts triggers and yields every time."""

    input_requirement = InputRequirement.INPUT_FORBIDDEN
    SUCCESS = Relationship("success")
    triggers: list[float] = []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        import time

        Yielder.triggers.append(time.monotonic())
        context.yield_()



class Lifecycle(Processor):
    """Records lifecycle calls, trigger threads and how many triggers each session saw."""

    SUCCESS = Relationship("success")
    calls: list[str] = []
    threads: set[str] = set()
    per_session: dict[int, int] = {}
    overlap = 0
    _running = 0
    _lock = threading.Lock()

    def on_scheduled(self, context: ProcessContext) -> None:
        Lifecycle.calls.append("on_scheduled")

    def on_stopped(self, context: ProcessContext) -> None:
        Lifecycle.calls.append("on_stopped")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        import time

        with Lifecycle._lock:
            Lifecycle._running += 1
            Lifecycle.overlap = max(Lifecycle.overlap, Lifecycle._running)
        Lifecycle.threads.add(threading.current_thread().name)
        Lifecycle.per_session[id(session)] = Lifecycle.per_session.get(id(session), 0) + 1
        ff = session.get()
        if ff is not None:
            time.sleep(0.02)
            session.transfer(ff, self.SUCCESS)
        with Lifecycle._lock:
            Lifecycle._running -= 1

    @classmethod
    def reset(cls) -> None:
        cls.calls, cls.threads, cls.per_session, cls.overlap, cls._running = [], set(), {}, 0, 0


class Sequence(ControllerService):
    """A controller service handing out increasing numbers, starting at 'Start'."""

    START = PropertyDescriptor("Start", default="1", validator=validators.INTEGER)
    enabled: list[str] = []

    def on_enabled(self, context: ConfigurationContext) -> None:
        self._next = context.get_property(self.START).as_int() or 0
        self._lock = threading.Lock()
        Sequence.enabled.append(context.identifier)

    def on_disabled(self) -> None:
        Sequence.enabled.remove(next(iter(Sequence.enabled)))

    def next(self) -> int:
        with self._lock:
            self._next += 1
            return self._next - 1


class Number(Processor):
    """Numbers each FlowFile with the Sequence service its 'Sequence' property names."""

    SEQUENCE = PropertyDescriptor("Sequence", required=True, controller_service=Sequence)
    SUCCESS = Relationship("success")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        sequence = context.get_property(self.SEQUENCE).as_controller_service()
        for ff in session.get_batch(50):
            session.transfer(session.put_attribute(ff, "seq", str(sequence.next())), self.SUCCESS)




class Fail(Processor):
    """Sends every FlowFile to 'failure', counting how often it saw each."""

    FAILURE = Relationship("failure")
    seen: list[str] = []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        for ff in session.get_batch(10):
            Fail.seen.append(ff.attributes.get("n", ""))
            session.transfer(session.put_attribute(ff, "failed", "yes"), self.FAILURE)

class RunCommand(Processor):
    """Runs a command (no shell) and writes its standard output into a new FlowFile: code execution."""

    restrictions = (EXECUTE_CODE,)
    input_requirement = InputRequirement.INPUT_FORBIDDEN
    COMMAND = PropertyDescriptor("Command", required=True, default="/bin/echo")
    ARGUMENTS = PropertyDescriptor("Arguments", default="")
    SUCCESS = Relationship("success", "The command's output")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        command = [context.get_property(self.COMMAND).value or "/bin/echo",
                   *(context.get_property(self.ARGUMENTS).value or "").split()]
        output = subprocess.run(command, capture_output=True, check=True, timeout=30).stdout
        session.transfer(session.write(session.create(), output), self.SUCCESS)


ALL = (Emit, Pass, Explode, Penalize, Yielder, Lifecycle, Number, Fail, RunCommand)
SERVICES = (Sequence,)
