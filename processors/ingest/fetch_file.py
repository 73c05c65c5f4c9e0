"""FetchFile: replace a FlowFile's content with a file's, then (once committed) move or delete the file."""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from nifi_like.api import (
    AllowableValue,
    ComponentLog,
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    PathNotAllowed,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)

FAILURE_REASON = "fetch.failure.reason"
COMPLETION_NONE = AllowableValue("None", "None", "Leave the file as-is")
COMPLETION_MOVE = AllowableValue("Move File", "Move File",
                                 "Moves the file to the directory specified by the <Move Destination Directory> "
                                 "property")
COMPLETION_DELETE = AllowableValue("Delete File", "Delete File", "Deletes the original file from the file system")
CONFLICT_RENAME = AllowableValue(
    "Rename", "Rename", "The existing destination file should remain intact. The newly ingested file should be moved "
    "to the destination directory but be renamed to a random filename")
CONFLICT_REPLACE = AllowableValue("Replace File", "Replace File",
                                  "The newly ingested file should replace the existing file in the Destination "
                                  "Directory")
CONFLICT_KEEP = AllowableValue("Keep Existing", "Keep Existing",
                               "The existing file should in the Destination Directory should stay intact and the "
                               "newly ingested file should be deleted")
CONFLICT_FAIL = AllowableValue("Fail", "Fail", "The existing destination file should remain intact and the incoming "
                                               "FlowFile should be routed to failure")
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NONE")


class FetchFile(Processor):
    """Reads the contents of a file from disk and streams it into the contents of an incoming FlowFile. Once
    this is done, the file is optionally moved elsewhere or deleted to help keep the file system organized.
    The move or delete happens only after the session holding the new content has committed, so a crash
    never loses the file's data."""

    tags = ("local", "files", "filesystem", "ingest", "ingress", "get", "source", "input", "fetch")
    nifi_type = "org.apache.nifi.processors.standard.FetchFile"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        FAILURE_REASON: "Why the file could not be fetched, on FlowFiles routed to not.found, permission.denied "
                        "or failure (a nifi_like addition; NiFi only logs it)",
    }

    FILENAME = PropertyDescriptor(
        "File to Fetch", description="The fully-qualified filename of the file to fetch from the file system",
        required=True, default="${absolute.path}/${filename}", validator=validators.NON_EMPTY,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    COMPLETION_STRATEGY = PropertyDescriptor(
        "Completion Strategy",
        description="Specifies what to do with the original file on the file system once it has been pulled into "
                    "NiFi", required=True, default=COMPLETION_NONE.value,
        allowable_values=(COMPLETION_NONE, COMPLETION_MOVE, COMPLETION_DELETE))
    MOVE_DESTINATION_DIR = PropertyDescriptor(
        "Move Destination Directory",
        description="The directory to the move the original file to once it has been fetched from the file system. "
                    "This property is ignored unless the Completion Strategy is set to \"Move File\". If the "
                    "directory does not exist, it will be created.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    CONFLICT_STRATEGY = PropertyDescriptor(
        "Move Conflict Strategy",
        description="If Completion Strategy is set to Move File and a file already exists in the destination "
                    "directory with the same name, this property specifies how that naming conflict should be "
                    "resolved", required=True, default=CONFLICT_RENAME.value,
        allowable_values=(CONFLICT_RENAME, CONFLICT_REPLACE, CONFLICT_KEEP, CONFLICT_FAIL))
    FILE_NOT_FOUND_LOG_LEVEL = PropertyDescriptor(
        "Log level when file not found",
        description="Log level to use in case the file does not exist when the processor is triggered",
        required=True, default="ERROR", allowable_values=LOG_LEVELS)
    PERM_DENIED_LOG_LEVEL = PropertyDescriptor(
        "Log level when permission denied",
        description="Log level to use in case the user running the engine does not have sufficient permissions "
                    "to read the file", required=True, default="ERROR", allowable_values=LOG_LEVELS)

    SUCCESS = Relationship("success", "Any FlowFile that is successfully fetched from the file system will be "
                                      "transferred to this Relationship.")
    NOT_FOUND = Relationship("not.found", "Any FlowFile that could not be fetched from the file system because the "
                                          "file could not be found will be transferred to this Relationship.")
    PERMISSION_DENIED = Relationship(
        "permission.denied", "Any FlowFile that could not be fetched from the file system due to the user running "
                             "NiFi not having sufficient permissions will be transferred to this Relationship.")
    FAILURE = Relationship("failure", "Any FlowFile that could not be fetched from the file system for any reason "
                                      "other than insufficient permissions or the file not existing will be "
                                      "transferred to this Relationship.")

    BATCH = 50

    file_path_properties = (FILENAME, MOVE_DESTINATION_DIR)

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        if properties.get(self.COMPLETION_STRATEGY.name) == COMPLETION_MOVE.value and \
                not properties.get(self.MOVE_DESTINATION_DIR.name):
            return [f"{self.MOVE_DESTINATION_DIR.name} must be specified if {self.COMPLETION_STRATEGY.name} is set "
                    f"to {COMPLETION_MOVE.value}"]
        return []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        for flowfile in session.get_batch(self.BATCH):
            self._fetch(context, session, flowfile)

    def _fetch(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile) -> None:
        path = context.get_property(self.FILENAME).evaluate(flowfile).value or ""
        strategy = context.get_property(self.COMPLETION_STRATEGY).value
        target_dir: str | None = None
        try:  # both ends must lie inside the engine's file roots ([security] file_roots)
            path = context.allowed_path(path, self.FILENAME.name)
            if strategy == COMPLETION_MOVE.value:
                target_dir = context.get_property(self.MOVE_DESTINATION_DIR).evaluate(flowfile).value or ""
                context.allowed_path(target_dir, self.MOVE_DESTINATION_DIR.name)
        except PathNotAllowed as exc:
            self._reject(context, session, flowfile, self.PERMISSION_DENIED, "ERROR", str(exc), penalize=False)
            return
        if target_dir is not None:
            problem = _move_problem(path, target_dir, context.get_property(self.CONFLICT_STRATEGY).value)
            if problem is not None:
                self._reject(context, session, flowfile, self.FAILURE, "ERROR", problem, penalize=False)
                return
        try:
            with open(path, "rb") as stream:
                flowfile = session.import_from(stream, flowfile)
        except OSError as exc:
            relationship, level = self.FAILURE, "ERROR"
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                relationship = self.NOT_FOUND
                level = context.get_property(self.FILE_NOT_FOUND_LOG_LEVEL).value or "ERROR"
            elif exc.errno in (errno.EACCES, errno.EPERM):
                relationship = self.PERMISSION_DENIED
                level = context.get_property(self.PERM_DENIED_LOG_LEVEL).value or "ERROR"
            self._reject(context, session, flowfile, relationship, level,
                         f"could not fetch file {path}: {exc.strerror or exc}")
            return
        uri = Path(path).absolute().as_uri()
        session.provenance.fetch(flowfile, uri, f"Replaced content of FlowFile with contents of {uri}")
        session.transfer(flowfile, self.SUCCESS)
        if strategy == COMPLETION_DELETE.value:
            session.on_commit(lambda: _delete(path, context.logger))
        elif target_dir is not None:
            conflict = context.get_property(self.CONFLICT_STRATEGY).value or CONFLICT_RENAME.value
            session.on_commit(lambda: _move(path, target_dir, conflict, context.logger))

    def _reject(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile,
                relationship: Relationship, level: str, reason: str, *, penalize: bool = True) -> None:
        if level != "NONE":
            context.logger.log("ERROR" if level == "FATAL" else level, f"{reason}; routing {flowfile} to {relationship.name}")
        flowfile = session.put_attribute(flowfile, FAILURE_REASON, reason)
        session.provenance.route(flowfile, relationship, reason)
        session.transfer(session.penalize(flowfile) if penalize else flowfile, relationship)


def _move_problem(path: str, target_dir: str, conflict: str | None) -> str | None:
    """Why the file could not be moved once fetched (checked before fetching, as NiFi does)."""
    if os.path.exists(target_dir) and (not os.path.isdir(target_dir) or not os.access(target_dir, os.W_OK)):
        return (f"Completion Strategy is Move File to {target_dir}, but that is not a directory or is not "
                "writable")
    if not os.path.exists(target_dir):
        try:
            os.makedirs(target_dir, exist_ok=True)
        except OSError as exc:
            return f"Completion Strategy is Move File to {target_dir}, which cannot be created: {exc.strerror}"
    if conflict == CONFLICT_FAIL.value and os.path.exists(os.path.join(target_dir, os.path.basename(path))):
        return (f"Completion Strategy is Move File to {target_dir}, where {os.path.basename(path)} already exists "
                "and the Move Conflict Strategy is Fail")
    return None


def _delete(path: str, logger: ComponentLog) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        logger.warn(f"fetched {path} but could not delete it: {exc.strerror}")


def _move(path: str, target_dir: str, conflict: str, logger: ComponentLog) -> None:
    target = os.path.join(target_dir, os.path.basename(path))
    try:
        if os.path.exists(target):
            if conflict == CONFLICT_KEEP.value:
                os.remove(path)
                return
            if conflict == CONFLICT_RENAME.value:
                target = os.path.join(target_dir, f"{uuid.uuid4()}-{os.path.basename(path)}")
            elif conflict == CONFLICT_FAIL.value:
                logger.warn(f"fetched {path} but did not move it: {target} appeared meanwhile")
                return
        shutil.move(path, target)
    except OSError as exc:
        logger.warn(f"fetched {path} but could not move it to {target_dir}: {exc.strerror or exc}")
