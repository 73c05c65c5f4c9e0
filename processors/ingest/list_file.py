"""ListFile: one FlowFile (attributes only) per file of a directory, each file listed once.

Which files were listed is component state, stored by ``session.set_state`` in the same
transaction that commits the listing's FlowFiles: after a crash or restart either both the
FlowFiles and the new state are durable or neither is, so a file is neither lost nor listed twice.
The state is NiFi's "Tracking Timestamps" strategy: the newest modification time listed so far
(``listing.timestamp``, in milliseconds) and the paths listed with exactly that time (``id.<n>``);
a file is new when it is newer, or as new but not among those paths. A file whose modification time
goes back in time (a copy that keeps an older time) is not seen, as in NiFi.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    AllowableValue,
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    StateMap,
    validators,
)
from processors.ingest.get_file import _Filter, file_attributes

LISTING_TIMESTAMP = "listing.timestamp"
ID_PREFIX = "id."
TRACK_TIMESTAMPS = AllowableValue(
    "timestamps", "Tracking Timestamps",
    "Lists files newer than the newest one listed before (and, of those with exactly that time, the ones not "
    "listed yet), kept as processor state")
NO_TRACKING = AllowableValue("none", "No Tracking", "Lists every file at each run, with no state")


class ListFile(Processor):
    """Retrieves a listing of files from the input directory. For each file listed, creates a FlowFile that
    represents the file so that it can be fetched in conjunction with FetchFile. Unlike GetFile, it does not
    take the file's content and never deletes it; what was listed is kept as state, so a restart does not
    list a file again."""

    tags = ("file", "get", "list", "ingest", "source", "filesystem")
    nifi_type = "org.apache.nifi.processors.standard.ListFile"
    input_requirement = InputRequirement.INPUT_FORBIDDEN
    trigger_serially = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "filename": "The name of the file that was read from filesystem.",
        "path": "The path is set to the relative path of the file's directory on filesystem compared to the Input "
                "Directory property. For example, if Input Directory is set to /tmp, then files picked up from /tmp "
                "will have the path attribute set to \"./\". If the Recurse Subdirectories property is set to true "
                "and a file is picked up from /tmp/abc/1/2/3, then the path attribute will be set to \"abc/1/2/3/\".",
        "absolute.path": "The absolute.path is set to the absolute path of the file's directory on filesystem.",
        "file.owner": "The user that owns the file in filesystem",
        "file.group": "The group that owns the file in filesystem",
        "file.size": "The number of bytes in the file in filesystem",
        "file.permissions": "The permissions for the file in filesystem, formatted as 3 characters for the owner, "
                            "3 for the group, and 3 for other users. For example rw-rw-r--",
        "file.lastModifiedTime": "The timestamp of when the file in filesystem was last modified as "
                                 "'yyyy-MM-dd'T'HH:mm:ssZ'",
        "file.lastAccessTime": "The timestamp of when the file in filesystem was last accessed as "
                               "'yyyy-MM-dd'T'HH:mm:ssZ'",
        "file.creationTime": "The timestamp of when the file in filesystem was created as 'yyyy-MM-dd'T'HH:mm:ssZ'",
    }

    DIRECTORY = PropertyDescriptor(
        "Input Directory", description="The input directory from which files to pull files", required=True,
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    LISTING_STRATEGY = PropertyDescriptor(
        "Listing Strategy", description="Specify how to determine new/updated entities.", required=True,
        default=TRACK_TIMESTAMPS.value, allowable_values=(TRACK_TIMESTAMPS, NO_TRACKING))
    RECURSE = PropertyDescriptor(
        "Recurse Subdirectories", description="Indicates whether to list files from subdirectories of the directory",
        required=True, default="true", allowable_values=("true", "false"))
    FILE_FILTER = PropertyDescriptor(
        "File Filter", description="Only files whose names match the given regular expression will be picked up",
        required=True, default=r"[^\.].*", validator=validators.REGULAR_EXPRESSION)
    PATH_FILTER = PropertyDescriptor(
        "Path Filter", description="When Recurse Subdirectories is true, then only subdirectories whose path "
                                   "matches the given regular expression will be scanned",
        validator=validators.REGULAR_EXPRESSION)
    INCLUDE_FILE_ATTRIBUTES = PropertyDescriptor(
        "Include File Attributes",
        description="Whether or not to include information such as the file's Last Modified Time and Owner as "
                    "FlowFile Attributes. Depending on the File System being used, gathering this information can be "
                    "expensive and as a result should be disabled.",
        required=True, default="true", allowable_values=("true", "false"))
    MIN_AGE = PropertyDescriptor(
        "Minimum File Age",
        description="The minimum age that a file must be in order to be pulled; any file younger than this amount of "
                    "time (according to last modification date) will be ignored",
        required=True, default="0 sec", validator=validators.TIME_PERIOD)
    MAX_AGE = PropertyDescriptor(
        "Maximum File Age",
        description="The maximum age that a file must be in order to be pulled; any file older than this amount of "
                    "time (according to last modification date) will be ignored",
        validator=validators.TIME_PERIOD)
    MIN_SIZE = PropertyDescriptor(
        "Minimum File Size", description="The minimum size that a file must be in order to be pulled",
        required=True, default="0 B", validator=validators.DATA_SIZE)
    MAX_SIZE = PropertyDescriptor(
        "Maximum File Size", description="The maximum size that a file can be in order to be pulled",
        validator=validators.DATA_SIZE)
    IGNORE_HIDDEN_FILES = PropertyDescriptor(
        "Ignore Hidden Files", description="Indicates whether or not hidden files should be ignored",
        required=True, default="true", allowable_values=("true", "false"))

    SUCCESS = Relationship("success", "All FlowFiles that are received are routed to success")
    file_path_properties = (DIRECTORY,)

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        root = context.get_property(self.DIRECTORY).evaluate().value or ""
        context.allowed_path(root, self.DIRECTORY.name)  # PathNotAllowed: a bulletin, and nothing is listed
        if not os.path.isdir(root) or not os.access(root, os.R_OK):
            raise ProcessException(f"Input Directory '{root}' does not exist or is not readable")
        tracking = context.get_property(self.LISTING_STRATEGY).value == TRACK_TIMESTAMPS.value
        state = session.get_state() if tracking else StateMap({}, -1)
        last = int(state.get(LISTING_TIMESTAMP) or -1)
        seen_at_last = {v for k, v in state.values.items() if k.startswith(ID_PREFIX)}
        found = [(path, info) for path, info in self._list(context, root)
                 if not tracking or _millis(info) > last or (_millis(info) == last and path not in seen_at_last)]
        if not found:
            context.yield_()
            return
        include = context.get_property(self.INCLUDE_FILE_ATTRIBUTES).as_bool()
        for path, info in found:
            attributes = file_attributes(root, path, info)
            if not include:
                attributes = {k: attributes[k] for k in ("filename", "path", "absolute.path", "file.size")}
            flowfile = session.put_all_attributes(session.create(), attributes)
            session.transfer(flowfile, self.SUCCESS)
        context.logger.info(f"listed {len(found)} new file(s) in {root}")
        if tracking:
            session.set_state(_next_state(last, seen_at_last, found))

    def _list(self, context: ProcessContext, root: str) -> list[tuple[str, os.stat_result]]:
        path_filter = context.get_property(self.PATH_FILTER).value
        recurse = context.get_property(self.RECURSE).as_bool()
        accept = _Filter(
            root=root, file_pattern=re.compile(context.get_property(self.FILE_FILTER).value or ""),
            path_pattern=re.compile(path_filter) if recurse and path_filter is not None else None,
            recurse=recurse, keep_source=True,
            ignore_hidden=context.get_property(self.IGNORE_HIDDEN_FILES).as_bool(),
            min_age=context.get_property(self.MIN_AGE).as_time_period() or 0.0,
            max_age=context.get_property(self.MAX_AGE).as_time_period(),
            min_size=context.get_property(self.MIN_SIZE).as_data_size() or 0,
            max_size=context.get_property(self.MAX_SIZE).as_data_size())
        found: list[tuple[str, os.stat_result]] = []
        pending = [root]
        now = time.time()
        while pending:
            try:
                entries = list(os.scandir(pending.pop()))
            except OSError:  # removed or unreadable since it was seen
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if recurse and not (accept.ignore_hidden and entry.name.startswith(".")):
                            pending.append(entry.path)
                    elif entry.is_file():
                        info = entry.stat()
                        if accept.accepts(entry.path, entry.name, info, now):
                            found.append((entry.path, info))
                except OSError:
                    continue
        found.sort(key=lambda item: (_millis(item[1]), item[0]))
        return found


def _millis(info: os.stat_result) -> int:
    return info.st_mtime_ns // 1_000_000


def _next_state(last: int, seen_at_last: set[str], found: list[tuple[str, os.stat_result]]) -> dict[str, str]:
    newest = max(last, max(_millis(info) for _, info in found))
    paths = {path for path, info in found if _millis(info) == newest}
    if newest == last:
        paths |= seen_at_last
    state = {LISTING_TIMESTAMP: str(newest)}
    state.update({f"{ID_PREFIX}{index}": path for index, path in enumerate(sorted(paths))})
    return state
