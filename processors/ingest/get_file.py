"""GetFile: FlowFiles from the files of a directory, deleting each file once its FlowFile is durable."""

from __future__ import annotations

import grp
import os
import pwd
import re
import stat
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from nifi_like.api import (
    ComponentLog,
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    parse_time_period,
    validators,
)

#: How NiFi formats file times in attributes (Java's yyyy-MM-dd'T'HH:mm:ssZ).
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
#: Below this many listed files waiting, GetFile lists the directory again (as NiFi does).
_RELIST_BELOW = 100


def _time_period_of_100_ms_or_more(value: str) -> str | None:
    reason = validators.TIME_PERIOD(value)
    if reason is None and parse_time_period(value) < 0.1:
        return "is shorter than 100 millis"
    return reason


def format_file_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime(TIME_FORMAT)


@dataclass(frozen=True)
class _Filter:
    """Which files a listing accepts, read once per trigger from the properties."""

    root: str
    file_pattern: re.Pattern[str]
    path_pattern: re.Pattern[str] | None
    recurse: bool
    keep_source: bool
    ignore_hidden: bool
    min_age: float
    max_age: float | None
    min_size: int
    max_size: int | None

    def accepts(self, path: str, name: str, info: os.stat_result, now: float) -> bool:
        age = now - info.st_mtime
        if info.st_size < self.min_size or (self.max_size is not None and info.st_size > self.max_size):
            return False
        if (self.min_age > 0 and age < self.min_age) or (self.max_age is not None and age > self.max_age):
            return False
        if self.ignore_hidden and name.startswith("."):
            return False
        if self.path_pattern is not None:
            relative = os.path.relpath(os.path.dirname(path), self.root)
            if relative == "." or not self.path_pattern.fullmatch(relative.replace(os.sep, "/")):
                return False
        if not os.access(path, os.R_OK):
            return False
        if not self.keep_source and not os.access(os.path.dirname(path), os.W_OK):
            return False
        return self.file_pattern.fullmatch(name) is not None


class GetFile(Processor):
    """Creates FlowFiles from files in a directory. Files it cannot read are ignored. Unless Keep
    Source File is true, a file is deleted once the commit holding its FlowFile is durable."""

    tags = ("local", "files", "filesystem", "ingest", "ingress", "get", "source", "input")
    nifi_type = "org.apache.nifi.processors.standard.GetFile"
    input_requirement = InputRequirement.INPUT_FORBIDDEN
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "filename": "The filename is set to the name of the file on disk",
        "path": "The path is set to the relative path of the file's directory on disk. For example, if the "
                "<Input Directory> property is set to /tmp, files picked up from /tmp will have the path "
                "attribute set to ./. If the <Recurse Subdirectories> property is set to true and a file is "
                "picked up from /tmp/abc/1/2/3, then the path attribute will be set to abc/1/2/3/",
        "file.creationTime": "The date and time that the file was created. May not work on all file systems",
        "file.lastModifiedTime": "The date and time that the file was last modified. May not work on all file "
                                 "systems",
        "file.lastAccessTime": "The date and time that the file was last accessed. May not work on all file "
                               "systems",
        "file.owner": "The owner of the file. May not work on all file systems",
        "file.group": "The group owner of the file. May not work on all file systems",
        "file.permissions": "The read/write/execute permissions of the file. May not work on all file systems",
        "file.size": "The size of the file in bytes",
        "absolute.path": "The full/absolute path from where a file was picked up. The current 'path' attribute "
                         "is still populated, but may be a relative path",
    }

    DIRECTORY = PropertyDescriptor(
        "Input Directory", description="The input directory from which to pull files", required=True,
        validator=validators.DIRECTORY_EXISTS, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    FILE_FILTER = PropertyDescriptor(
        "File Filter", description="Only files whose names match the given regular expression will be picked up",
        required=True, default=r"[^\.].*", validator=validators.REGULAR_EXPRESSION)
    PATH_FILTER = PropertyDescriptor(
        "Path Filter", description="When Recurse Subdirectories is true, then only subdirectories whose path "
                                   "matches the given regular expression will be scanned",
        validator=validators.REGULAR_EXPRESSION)
    BATCH_SIZE = PropertyDescriptor(
        "Batch Size", description="The maximum number of files to pull in each iteration", required=True,
        default="10", validator=validators.POSITIVE_INTEGER)
    KEEP_SOURCE_FILE = PropertyDescriptor(
        "Keep Source File",
        description="If true, the file is not deleted after it has been copied to the Content Repository; this "
                    "causes the file to be picked up continually and is useful for testing purposes. If not "
                    "keeping original the processor needs write permission on the directory it is pulling from, "
                    "otherwise it will ignore the file.",
        required=True, default="false", allowable_values=("true", "false"))
    RECURSE = PropertyDescriptor(
        "Recurse Subdirectories", description="Indicates whether or not to pull files from subdirectories",
        required=True, default="true", allowable_values=("true", "false"))
    POLLING_INTERVAL = PropertyDescriptor(
        "Polling Interval", description="Indicates how long to wait before performing a directory listing",
        required=True, default="0 sec", validator=validators.TIME_PERIOD)
    IGNORE_HIDDEN_FILES = PropertyDescriptor(
        "Ignore Hidden Files", description="Indicates whether or not hidden files should be ignored",
        required=True, default="true", allowable_values=("true", "false"))
    MIN_AGE = PropertyDescriptor(
        "Minimum File Age",
        description="The minimum age that a file must be in order to be pulled; any file younger than this amount "
                    "of time (according to last modification date) will be ignored",
        required=True, default="0 sec", validator=validators.TIME_PERIOD)
    MAX_AGE = PropertyDescriptor(
        "Maximum File Age",
        description="The maximum age that a file must be in order to be pulled; any file older than this amount "
                    "of time (according to last modification date) will be ignored",
        validator=_time_period_of_100_ms_or_more)
    MIN_SIZE = PropertyDescriptor(
        "Minimum File Size", description="The minimum size that a file must be in order to be pulled",
        required=True, default="0 B", validator=validators.DATA_SIZE)
    MAX_SIZE = PropertyDescriptor(
        "Maximum File Size", description="The maximum size that a file can be in order to be pulled",
        validator=validators.DATA_SIZE)

    SUCCESS = Relationship("success", "All files are routed to success")
    file_path_properties = (DIRECTORY,)

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards _queue, _in_flight and _listed_at
        self._listing = threading.Lock()  # one listing at a time
        self._queue: deque[str] = deque()
        self._in_flight: set[str] = set()  # taken by a session that has not committed or failed yet
        self._listed_at = float("-inf")

    def on_scheduled(self, context: ProcessContext) -> None:
        with self._lock:
            self._queue.clear()
            self._in_flight.clear()
            self._listed_at = float("-inf")

    def _filter(self, context: ProcessContext, root: str) -> _Filter:
        path_filter = context.get_property(self.PATH_FILTER).value
        recurse = context.get_property(self.RECURSE).as_bool()
        return _Filter(
            root=root,
            file_pattern=re.compile(context.get_property(self.FILE_FILTER).value or ""),
            path_pattern=re.compile(path_filter) if recurse and path_filter is not None else None,
            recurse=recurse,
            keep_source=context.get_property(self.KEEP_SOURCE_FILE).as_bool(),
            ignore_hidden=context.get_property(self.IGNORE_HIDDEN_FILES).as_bool(),
            min_age=context.get_property(self.MIN_AGE).as_time_period() or 0.0,
            max_age=context.get_property(self.MAX_AGE).as_time_period(),
            min_size=context.get_property(self.MIN_SIZE).as_data_size() or 0,
            max_size=context.get_property(self.MAX_SIZE).as_data_size(),
        )

    # -- listing -------------------------------------------------------------------------
    def _list(self, accept: _Filter) -> list[str]:
        root = accept.root
        if not os.path.isdir(root) or not os.access(root, os.R_OK | os.W_OK):
            raise ProcessException(f"Input Directory '{root}' does not exist or is not readable and writable")
        found: list[str] = []
        pending = [root]
        now = time.time()
        while pending:
            try:
                entries = list(os.scandir(pending.pop()))
            except OSError:  # removed or unreadable since it was seen: skip it, as NiFi does
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if accept.recurse:
                            pending.append(entry.path)
                    elif entry.is_file() and accept.accepts(entry.path, entry.name, entry.stat(), now):
                        found.append(entry.path)
                except OSError:
                    continue
        found.sort()
        return found

    def _refill(self, context: ProcessContext, accept: _Filter) -> None:
        """List the directory again when few listed files are left and the polling interval has passed."""
        interval = context.get_property(self.POLLING_INTERVAL).as_time_period() or 0.0
        with self._lock:
            due = len(self._queue) < _RELIST_BELOW and time.monotonic() - self._listed_at >= interval
        if not due or not self._listing.acquire(blocking=False):
            return
        try:
            listing = self._list(accept)
            with self._lock:
                self._queue = deque(path for path in listing if path not in self._in_flight)
                self._listed_at = time.monotonic()
                empty = not self._queue
        finally:
            self._listing.release()
        if empty:
            context.yield_()

    def _take(self, count: int) -> list[str]:
        with self._lock:
            taken = [self._queue.popleft() for _ in range(min(count, len(self._queue)))]
            taken = [path for path in taken if path not in self._in_flight]
            self._in_flight.update(taken)
        return taken

    def _release(self, paths: list[str]) -> None:
        with self._lock:
            self._in_flight.difference_update(paths)

    # -- ingesting -----------------------------------------------------------------------
    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        root = context.get_property(self.DIRECTORY).evaluate().value or ""
        context.allowed_path(root, self.DIRECTORY.name)  # PathNotAllowed: a bulletin, and nothing is read
        accept = self._filter(context, root)
        self._refill(context, accept)
        paths = self._take(context.get_property(self.BATCH_SIZE).as_int() or 1)
        if not paths:
            return
        ingested: list[str] = []
        try:
            for path in paths:
                if self._ingest(context, session, root, path):
                    ingested.append(path)
                else:
                    self._release([path])
        except BaseException:
            self._release(paths)
            raise
        session.on_commit(lambda: self._committed(ingested, accept.keep_source, context.logger))
        session.on_rollback(lambda: self._release(ingested))

    def _ingest(self, context: ProcessContext, session: ProcessSession, root: str, path: str) -> bool:
        escape = context.file_roots.problem(path, self.DIRECTORY.name)  # a symbolic link to a file elsewhere
        if escape:
            context.logger.warn(f"not taking {path}: {escape}")
            return False
        try:
            stream = open(path, "rb")  # opened before create(): no FlowFile for a file that cannot be read
        except OSError as exc:
            context.logger.warn(f"cannot read {path}, leaving it for a later listing: {exc.strerror}")
            return False
        with stream:
            info = os.fstat(stream.fileno())
            flowfile = session.create()
            try:
                flowfile = session.import_from(stream, flowfile)
            except OSError as exc:
                session.remove(flowfile)
                context.logger.error(f"failed to read {path}, leaving it for a later listing: {exc}")
                return False
        flowfile = session.put_all_attributes(flowfile, file_attributes(root, path, info))
        session.provenance.receive(flowfile, Path(path).absolute().as_uri())
        session.transfer(flowfile, self.SUCCESS)
        context.logger.info(f"added {flowfile} to flow")
        return True

    def _committed(self, paths: list[str], keep_source: bool, logger: ComponentLog) -> None:
        try:
            if not keep_source:
                for path in paths:
                    try:
                        os.remove(path)
                    except FileNotFoundError:
                        pass
                    except OSError as exc:
                        logger.error(f"could not delete {path} after taking it into the flow: {exc.strerror}")
        finally:
            self._release(paths)


def file_attributes(root: str, path: str, info: os.stat_result) -> dict[str, str]:
    """The attributes GetFile writes for a file found under ``root``."""
    relative = os.path.relpath(os.path.dirname(path), root)
    attributes = {
        "filename": os.path.basename(path),
        "path": "./" if relative == "." else relative.replace(os.sep, "/") + "/",
        "absolute.path": os.path.dirname(os.path.abspath(path)) + "/",
        "file.lastModifiedTime": format_file_time(info.st_mtime),
        "file.creationTime": format_file_time(getattr(info, "st_birthtime", info.st_mtime)),
        "file.lastAccessTime": format_file_time(info.st_atime),
        "file.permissions": stat.filemode(info.st_mode)[1:],
        "file.size": str(info.st_size),
    }
    try:
        attributes["file.owner"] = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        attributes["file.owner"] = str(info.st_uid)
    try:
        attributes["file.group"] = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        attributes["file.group"] = str(info.st_gid)
    return attributes
