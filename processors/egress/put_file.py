"""PutFile: write each FlowFile's content to a file, durably (temp file, fsync, rename, fsync dir)."""

from __future__ import annotations

import grp
import os
import pwd
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from nifi_like.api import (
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

#: The format of Last Modified Time (Java's yyyy-MM-dd'T'HH:mm:ssZ), as GetFile writes it.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_RWX = re.compile(r"^([r-][w-])([x-])([r-][w-])([x-])([r-][w-])([x-])$")
_OCTAL = re.compile(r"^[0-7]{3}$")


def _permissions(value: str) -> str | None:
    if _RWX.match(value) or _OCTAL.match(value):
        return None
    return "is not a permission: it must be expressed in rwxr-x--- form or octal triplet form"


def permission_mode(text: str, directory: bool) -> int | None:
    """The mode bits of 'rw-r-----' or '640'; a directory also gets x wherever it gets r or w,
    since it cannot be used otherwise (as NiFi does). None when ``text`` is neither form."""
    if _OCTAL.match(text):
        mode = int(text, 8)
    elif _RWX.match(text):
        mode = sum(1 << (8 - i) for i, ch in enumerate(text) if ch != "-")
    else:
        return None
    if directory:
        for shift in (6, 3, 0):
            if mode & (0o6 << shift):
                mode |= 0o1 << shift
    return mode


class _Failure(Exception):
    """The FlowFile cannot be written: penalize it and route it to failure, logging this message."""


class PutFile(Processor):
    """Writes the contents of a FlowFile to the local file system. The file is written under a
    dot-prefixed temporary name, fsynced, renamed into place and its directory fsynced, so a
    file of the final name is always complete and survives a crash once the FlowFile has moved on."""

    tags = ("put", "local", "copy", "archive", "files", "filesystem")
    nifi_type = "org.apache.nifi.processors.standard.PutFile"
    input_requirement = InputRequirement.INPUT_REQUIRED
    reads_attributes: ClassVar[Mapping[str, str]] = {
        "filename": "The filename to use when writing the FlowFile to disk.",
    }

    DIRECTORY = PropertyDescriptor(
        "Directory", description="The directory to which files should be written. You may use expression language "
                                 "such as /aa/bb/${path}",
        required=True, validator=validators.NON_EMPTY,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    CONFLICT_RESOLUTION = PropertyDescriptor(
        "Conflict Resolution Strategy",
        description="Indicates what should happen when a file with the same name already exists in the output "
                    "directory",
        required=True, default="fail", allowable_values=("replace", "ignore", "fail"))
    CREATE_DIRS = PropertyDescriptor(
        "Create Missing Directories",
        description="If true, then missing destination directories will be created. If false, FlowFiles are "
                    "penalized and sent to failure.",
        required=True, default="true", allowable_values=("true", "false"))
    MAX_DESTINATION_FILES = PropertyDescriptor(
        "Maximum File Count", description="Specifies the maximum number of files that can exist in the output "
                                          "directory",
        validator=validators.INTEGER)
    CHANGE_LAST_MODIFIED_TIME = PropertyDescriptor(
        "Last Modified Time",
        description="Sets the lastModifiedTime on the output file to the value of this attribute. Format must be "
                    "yyyy-MM-dd'T'HH:mm:ssZ. You may also use expression language such as "
                    "${file.lastModifiedTime}.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    CHANGE_PERMISSIONS = PropertyDescriptor(
        "Permissions",
        description="Sets the permissions on the output file to the value of this attribute. Format must be either "
                    "UNIX rwxrwxrwx with a - in place of denied permissions (e.g. rw-r--r--) or an octal number "
                    "(e.g. 644). You may also use expression language such as ${file.permissions}.",
        validator=_permissions, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    CHANGE_OWNER = PropertyDescriptor(
        "Owner",
        description="Sets the owner on the output file to the value of this attribute. You may also use expression "
                    "language such as ${file.owner}. Note on many operating systems the engine must be running as "
                    "a super-user to have the permissions to set the file owner.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    CHANGE_GROUP = PropertyDescriptor(
        "Group",
        description="Sets the group on the output file to the value of this attribute. You may also use expression "
                    "language such as ${file.group}.",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    SUCCESS = Relationship("success", "Files that have been successfully written to the output directory are "
                                      "transferred to this relationship")
    FAILURE = Relationship("failure", "Files that could not be written to the output directory for some reason are "
                                      "transferred to this relationship")
    file_path_properties = (DIRECTORY,)

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfile = session.get()
        if flowfile is None:
            return
        try:
            uri = self._put(context, session, flowfile)
        except _Failure as failure:
            context.logger.error(f"Penalizing {flowfile} and routing to 'failure': {failure}")
            session.transfer(session.penalize(flowfile), self.FAILURE)
            return
        if uri is not None:
            session.provenance.send(flowfile, uri)
        session.transfer(flowfile, self.SUCCESS)

    def _put(self, context: ProcessContext, session: ProcessSession, flowfile: FlowFile) -> str | None:
        """Write the file; return its URI, or None when an existing file was kept ("ignore")."""
        logger = context.logger
        configured = os.path.abspath(context.get_property(self.DIRECTORY).evaluate(flowfile).value or "")
        try:
            directory = context.allowed_path(configured, self.DIRECTORY.name)
        except PathNotAllowed as exc:
            raise _Failure(str(exc)) from exc
        filename = flowfile.attributes.get("filename", "")
        target = os.path.join(directory, filename)
        if not filename or os.path.dirname(os.path.normpath(target)) != directory:
            raise _Failure(f"filename '{filename}' does not name a file directly inside {directory}")
        permissions = context.get_property(self.CHANGE_PERMISSIONS).evaluate(flowfile).value
        owner = context.get_property(self.CHANGE_OWNER).evaluate(flowfile).value
        group = context.get_property(self.CHANGE_GROUP).evaluate(flowfile).value
        if not os.path.isdir(directory):
            if not context.get_property(self.CREATE_DIRS).as_bool():
                raise _Failure(f"the output directory {directory} does not exist and the processor is configured "
                               "not to create missing directories")
            self._create_directories(directory, permissions, owner, group, logger)
        maximum = context.get_property(self.MAX_DESTINATION_FILES).as_int()
        if maximum is not None:
            existing = sum(1 for name in os.listdir(directory) if name != filename)
            if existing >= maximum:
                raise _Failure(f"the output directory {directory} has {existing} files, which exceeds the "
                               "configured maximum number of files")
        if os.path.lexists(target):
            strategy = context.get_property(self.CONFLICT_RESOLUTION).value
            if strategy == "ignore":
                logger.info(f"Transferring {flowfile} to success because file with same name already exists")
                return None
            if strategy == "fail":
                raise _Failure(f"a file named {filename} already exists in {directory}")
        temporary = os.path.join(directory, "." + filename)
        try:
            self._write(session, flowfile, temporary)
            self._set_metadata(context, flowfile, temporary, permissions, owner, group)
            os.replace(temporary, target)
            _fsync_directory(directory)
        except OSError as exc:
            _remove_quietly(temporary)
            raise _Failure(f"could not write {target}: {exc.strerror or exc}") from exc
        logger.info(f"Produced copy of {flowfile} at location {target}")
        return Path(target).as_uri()

    @staticmethod
    def _write(session: ProcessSession, flowfile: FlowFile, path: str) -> None:
        _remove_quietly(path)  # a leftover temporary file, or a symbolic link planted in its place
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        with open(fd, "wb") as out:
            session.export_to(flowfile, out)
            out.flush()
            os.fsync(out.fileno())

    def _create_directories(self, directory: str, permissions: str | None, owner: str | None,
                            group: str | None, logger: ComponentLog) -> None:
        existing = directory
        while not os.path.exists(existing):
            existing = os.path.dirname(existing)
        mode = permission_mode(permissions, directory=True) if permissions and permissions.strip() else None
        created: list[str] = []
        current = directory
        while current != existing:
            created.append(current)
            current = os.path.dirname(current)
        try:
            for path in reversed(created):
                os.mkdir(path)
                if mode is not None:
                    os.chmod(path, mode)  # mkdir's mode is masked by the umask; chmod is not
                _fsync_directory(os.path.dirname(path))
        except OSError as exc:
            raise _Failure(f"could not create directory {directory}: {exc.strerror or exc}") from exc
        for path in created:
            _change_owner(path, owner, group, logger)

    def _set_metadata(self, context: ProcessContext, flowfile: FlowFile, path: str, permissions: str | None,
                      owner: str | None, group: str | None) -> None:
        logger = context.logger
        modified = context.get_property(self.CHANGE_LAST_MODIFIED_TIME).evaluate(flowfile).value
        if modified and modified.strip():
            try:
                timestamp = datetime.strptime(modified.strip(), TIME_FORMAT).timestamp()
                os.utime(path, (timestamp, timestamp))
            except (ValueError, OSError) as exc:
                logger.warn(f"Could not set file lastModifiedTime to {modified}: {exc}")
        if permissions and permissions.strip():
            mode = permission_mode(permissions.strip(), directory=False)
            try:
                if mode is None:
                    raise ValueError("it must be expressed in rwxr-x--- form or octal triplet form")
                os.chmod(path, mode)
            except (ValueError, OSError) as exc:
                logger.warn(f"Could not set file permissions to {permissions}: {exc}")
        _change_owner(path, owner, group, logger)


def _change_owner(path: str, owner: str | None, group: str | None, logger: ComponentLog) -> None:
    if owner and owner.strip():
        try:
            os.chown(path, pwd.getpwnam(owner.strip()).pw_uid, -1)
        except (KeyError, OSError) as exc:
            logger.warn(f"Could not set file owner to {owner}: {exc}")
    if group and group.strip():
        try:
            os.chown(path, -1, grp.getgrnam(group.strip()).gr_gid)
        except (KeyError, OSError) as exc:
            logger.warn(f"Could not set file group to {group}: {exc}")


def _fsync_directory(path: str) -> None:
    """Make a rename or a new entry in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
