"""ExecuteScript: run a Python script, given in the configuration, on each trigger.

A script runs with the engine's rights, so the engine refuses to start ExecuteScript unless the
configuration says ``[security] allow_execute_code = true`` (the processor declares
NiFi's EXECUTE_CODE restriction; flow validation checks it). A script that raises rolls its session back (its
FlowFiles return to their queue, penalized), is reported as a bulletin, and the processor yields:
nothing is lost and the engine carries on.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Mapping
from types import CodeType
from typing import Any

from nifi_like.api import (
    ExpressionLanguageScope,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
)
from nifi_like.api.processor import EXECUTE_CODE

SCRIPT_FILENAME = "<Script Body>"
_PATH_LOCK = threading.Lock()


class ExecuteScript(Processor):
    """Experimental - Executes a script given the flow file and a process session. The script is responsible for
    handling the incoming flow file (transfer to SUCCESS or remove, e.g.) as well as any flow files created by
    the script. If the handling is incomplete or incorrect, the session will be rolled back. The script sees
    the variables session, context, log, REL_SUCCESS and REL_FAILURE, as NiFi's Jython scripts do, plus one
    variable per dynamic property (a PropertyValue; call .evaluate(flowfile).value for its value). Only Python
    is supported, and only when the configuration enables script execution ([security]
    allow_execute_code = true)."""

    tags = ("script", "python", "execute", "invoke", "groovy")
    nifi_type = "org.apache.nifi.processors.script.ExecuteScript"
    supports_dynamic_properties = True
    restrictions = (EXECUTE_CODE,)

    SCRIPT_ENGINE = PropertyDescriptor(
        "Script Engine", description="The engine to execute scripts", required=True, default="python",
        allowable_values=("python",))
    SCRIPT_FILE = PropertyDescriptor(
        "Script File", description="Path to script file to execute. Only one of Script File or Script Body may be "
                                   "used", expression_language=ExpressionLanguageScope.ENVIRONMENT)
    SCRIPT_BODY = PropertyDescriptor(
        "Script Body", description="Body of script to execute. Only one of Script File or Script Body may be used")
    MODULE_DIRECTORY = PropertyDescriptor(
        "Module Directory",
        description="Comma-separated list of paths to files and/or directories which contain modules required by "
                    "the script. They are added to the end of the module search path (sys.path) of the engine, so "
                    "they cannot shadow its own modules; each must be inside the file roots.", expression_language=ExpressionLanguageScope.ENVIRONMENT)

    SUCCESS = Relationship("success", "FlowFiles that were successfully processed")
    FAILURE = Relationship("failure", "FlowFiles that failed to be processed")

    file_path_properties = (SCRIPT_FILE,)

    def __init__(self) -> None:
        self._code: CodeType | None = None

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        return PropertyDescriptor(name, description="A variable of the script, holding this property's value",
                                  dynamic=True, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        body, path = properties.get(self.SCRIPT_BODY.name), properties.get(self.SCRIPT_FILE.name)
        if bool(body) == bool(path):
            return ["Exactly one of Script File or Script Body must be set"]
        if body:
            try:
                compile(body, SCRIPT_FILENAME, "exec")
            except SyntaxError as exc:
                return [f"Script Body has a syntax error at line {exc.lineno}: {exc.msg}"]
        return []

    def on_scheduled(self, context: ProcessContext) -> None:
        body = context.get_property(self.SCRIPT_BODY).value
        filename = SCRIPT_FILENAME
        if not body:
            filename = context.allowed_path(context.get_property(self.SCRIPT_FILE).evaluate().value or "",
                                            self.SCRIPT_FILE.name)
            try:
                with open(filename, encoding="utf-8") as fh:
                    body = fh.read()
            except OSError as exc:
                raise ProcessException(f"cannot read Script File {filename}: {exc.strerror or exc}") from exc
        try:
            self._code = compile(body, filename, "exec")
        except SyntaxError as exc:
            raise ProcessException(f"the script {filename} has a syntax error at line {exc.lineno}: {exc.msg}") from exc
        directories = [d.strip() for d in (context.get_property(self.MODULE_DIRECTORY).evaluate().value or "").split(",")]
        _add_module_directories([context.allowed_path(d, self.MODULE_DIRECTORY.name) for d in directories if d])

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        if self._code is None:
            raise ProcessException("ExecuteScript was not scheduled: no script is compiled")
        variables: dict[str, Any] = {
            "__name__": "__nifi_like_script__", "session": session, "context": context, "log": context.logger,
            "REL_SUCCESS": self.SUCCESS, "REL_FAILURE": self.FAILURE,
        }
        variables.update({name: context.get_property(name) for name in context.dynamic_properties})
        try:
            exec(self._code, variables)
        except (Exception, SystemExit) as exc:
            context.logger.error(f"the script failed, its session is rolled back: {_where(exc)}")
            session.rollback(penalize=True)
            context.yield_()


def _where(exc: BaseException) -> str:
    """The exception and the script line it came from."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    line = f" (line {frames[-1].lineno} of {frames[-1].filename})" if frames else ""
    return f"{type(exc).__name__}: {exc}{line}"


def _add_module_directories(directories: list[str]) -> None:
    with _PATH_LOCK:
        for directory in directories:
            if directory not in sys.path:
                sys.path.append(directory)
