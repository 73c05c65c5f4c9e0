"""File roots: the directories file processors may read and write ([security] file_roots).

A path is resolved with os.path.realpath (against the engine's working directory when it is
relative), so ``../`` and symbolic links are followed before the check: a path is allowed
when its real location is inside a root and not inside the engine's own directories.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from nifi_like.api.processor import ProcessException


class PathNotAllowed(ProcessException):
    """A path that resolves outside the configured file roots; the message says which and how to allow it."""


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class FileRoots:
    roots: tuple[str, ...]
    denied: tuple[str, ...] = ()

    @classmethod
    def of(cls, roots: Iterable[str], denied: Iterable[str] = ()) -> FileRoots:
        """Roots as configured (relative ones against the working directory), made real."""
        return cls(tuple(os.path.realpath(os.path.expanduser(r)) for r in roots),
                   tuple(os.path.realpath(d) for d in denied))

    def problem(self, path: str, property_name: str) -> str | None:
        """Why ``path`` (the value of ``property_name``) may not be used, or None."""
        real = os.path.realpath(os.path.expanduser(path))
        shown = f"'{path}'" if real == path else f"'{path}' (really {real})"
        for directory in self.denied:
            if _within(real, directory) or _within(directory, real):
                return (f"Property '{property_name}': {shown} is or holds the engine's own directory {directory}; "
                        "file processors may not use it")
        if not any(_within(real, root) for root in self.roots):
            allowed = ", ".join(self.roots) or "none"
            return (f"Property '{property_name}': {shown} is outside the allowed file roots ({allowed}); "
                    "add a directory to [security] file_roots in the configuration to allow it")
        return None

    def resolve(self, path: str, property_name: str) -> str:
        """The real path of ``path``; PathNotAllowed when it is outside the roots."""
        problem = self.problem(path, property_name)
        if problem:
            raise PathNotAllowed(problem)
        return os.path.realpath(os.path.expanduser(path))
