"""TailFile (single file): new complete lines of a growing file become FlowFiles.

The read position is component state, stored with ``session.set_state`` in the transaction that
commits the FlowFile holding the lines: after a restart tailing resumes exactly where the last
committed FlowFile ended, with no line lost or read twice. Rollover is detected simply: the file
at the path has another inode, or is shorter than the position. The rest of the rolled file is
then read first when a Rolling Filename Pattern finds it (by its inode), else tailing starts again
at the beginning of the new file (what was appended to the old one after the last trigger is lost,
as in NiFi without a pattern).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)

ORIGINAL_PATH = "tailfile.original.path"
STATE_FILENAME = "file.0.filename"
STATE_POSITION = "file.0.position"
STATE_INODE = "file.0.inode"
#: Most bytes one trigger reads; a line longer than this is emitted in pieces rather than stall.
MAX_READ = 1 << 20
START_BEGINNING = AllowableValue("Beginning of File", "Beginning of File",
                                 "Start with the beginning of the File to Tail. Do not ingest any data that has "
                                 "already been rolled over")
START_CURRENT = AllowableValue("Current Time", "Current Time",
                               "Start with the data at the end of the File to Tail. Do not ingest any data that has "
                               "already been rolled over or any data in the File to Tail that has already been "
                               "written.")


class TailFile(Processor):
    """"Tails" a file, ingesting data from the file as it is written to the file. The file is expected to be
    textual. Data is ingested only when a new line is encountered (carriage return or new-line character or
    combination). If the file to tail is periodically "rolled over", as is generally the case with log files, an
    optional Rolling Filename Pattern can be used to retrieve data from files that have rolled over. Only a single
    file is tailed (NiFi's "Single file" tailing mode)."""

    tags = ("tail", "file", "log", "text", "source")
    nifi_type = "org.apache.nifi.processors.standard.TailFile"
    input_requirement = InputRequirement.INPUT_FORBIDDEN
    trigger_serially = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        ORIGINAL_PATH: "Path of the original file the flow file comes from.",
        "filename": "The name of the tailed file with the byte range of the data, e.g. app.0-512.log",
        "mime.type": "text/plain",
    }

    FILENAME = PropertyDescriptor(
        "File(s) to Tail", aliases=('File to Tail',), description="Fully-qualified filename of the file that should be tailed",
        required=True, validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    ROLLING_FILENAME_PATTERN = PropertyDescriptor(
        "Rolling Filename Pattern",
        description="If the file to tail \"rolls over\" as would be the case with log files, this filename pattern "
                    "will be used to identify files that have rolled over so that if NiFi is restarted, and the file "
                    "has rolled over, it will be able to pick up where it left off. This pattern supports wildcard "
                    "characters * and ?, and matches files in the same directory as the file being tailed.",
        validator=validators.NON_EMPTY)
    START_POSITION = PropertyDescriptor(
        "Initial Start Position",
        description="When the Processor first begins to tail data, this property specifies where the Processor should "
                    "begin reading data. Once data has been ingested from a file, the Processor will continue from "
                    "the last point from which it has received data.",
        required=True, default=START_BEGINNING.value, allowable_values=(START_BEGINNING, START_CURRENT))

    SUCCESS = Relationship("success", "All FlowFiles are routed to this Relationship.")

    file_path_properties = (FILENAME,)

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        path = context.get_property(self.FILENAME).evaluate().value or ""
        context.allowed_path(path, self.FILENAME.name)  # PathNotAllowed: a bulletin, and nothing is read
        try:
            info = os.stat(path)
        except OSError:
            context.yield_()  # not there (yet): nothing to tail
            return
        state = session.get_state()
        if state.get(STATE_POSITION) is None or state.get(STATE_FILENAME) != path:
            start = info.st_size if context.get_property(self.START_POSITION).value == START_CURRENT.value else 0
            position, inode = start, info.st_ino
        else:
            position, inode = int(state.get(STATE_POSITION) or 0), int(state.get(STATE_INODE) or 0)
        if inode != info.st_ino or info.st_size < position:
            rolled = self._rolled_file(context, path, inode)
            end = None if rolled is None else self._emit(session, path, rolled, position, final=True)
            if end is not None:  # the rest of the rolled file first, until it is all read
                session.set_state({STATE_FILENAME: path, STATE_POSITION: str(end), STATE_INODE: str(inode)})
                return
            context.logger.info(f"{path} was rolled over; tailing the new file from its beginning")
            position, inode = 0, info.st_ino
        end = self._emit(session, path, path, position, final=False)
        if end is None:
            if state.get(STATE_POSITION) is None:
                session.set_state({STATE_FILENAME: path, STATE_POSITION: str(position), STATE_INODE: str(inode)})
            context.yield_()
            return
        session.set_state({STATE_FILENAME: path, STATE_POSITION: str(end), STATE_INODE: str(inode)})

    def _rolled_file(self, context: ProcessContext, path: str, inode: int) -> str | None:
        pattern = context.get_property(self.ROLLING_FILENAME_PATTERN).value
        if not pattern:
            return None
        for candidate in sorted(glob.glob(os.path.join(os.path.dirname(path), pattern))):
            try:
                if os.stat(candidate).st_ino == inode and os.path.abspath(candidate) != os.path.abspath(path):
                    return candidate
            except OSError:
                continue
        return None

    def _emit(self, session: ProcessSession, path: str, source: str, position: int, *, final: bool) -> int | None:
        """Make a FlowFile of ``source``'s complete lines after ``position`` (all of the rest when
        ``final``); return where it ends, or None when there is nothing to take."""
        with open(source, "rb") as stream:
            stream.seek(position)
            data = stream.read(MAX_READ)
        if not final:
            cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
            if cut < 0 and len(data) < MAX_READ:
                return None  # a line is still being written
            if cut >= 0:
                data = data[: cut + 1]
        if not data:
            return None
        end = position + len(data)
        stem, extension = os.path.splitext(os.path.basename(path))
        flowfile = session.write(session.create(), data)
        flowfile = session.put_all_attributes(flowfile, {
            "filename": f"{stem}.{position}-{end}{extension}", ORIGINAL_PATH: path, "mime.type": "text/plain"})
        session.provenance.receive(flowfile, Path(source).absolute().as_uri())
        session.transfer(flowfile, self.SUCCESS)
        return end
