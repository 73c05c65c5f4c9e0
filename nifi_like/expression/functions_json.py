"""JSON: jsonPath, jsonPathDelete, jsonPathAdd, jsonPathSet, jsonPathPut, isJson."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import Any

from . import coerce, jsonpath
from .registry import Site, function, need
from .values import Env, Kind, Typed


def _document(site: Site, text: str | None) -> Any:
    if text is None or not text.strip():
        raise site.fail("the subject is empty; it must be a JSON document")
    try:
        return jsonpath.loads(text)
    except json.JSONDecodeError as exc:
        raise site.fail(f"the subject is not valid JSON: {exc}") from exc


def _path_fn(site: Site, arg: Typed) -> Callable[[Mapping[str, str], Env], jsonpath.Path]:
    node = coerce.to_string(arg)
    if node.is_const:
        path = jsonpath.compile_path(node.const or "")
        return lambda a, e: path
    fn = node.fn

    def compile_path(a: Mapping[str, str], e: Env) -> jsonpath.Path:
        try:
            return jsonpath.compile_path(fn(a, e) or "")
        except jsonpath.PathError as exc:
            raise site.fail(str(exc)) from exc

    return compile_path


@function("jsonPath", 1)
def _json_path(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_string(need(subject)).fn
    path_fn = _path_fn(site, args[0])

    def read(a: Mapping[str, str], e: Env) -> str:
        document = _document(site, fn(a, e))
        try:
            return jsonpath.scalar_text(jsonpath.read(path_fn(a, e), document))
        except jsonpath.PathNotFound:
            return ""

    return Typed(read, Kind.STRING)


Update = Callable[[list[jsonpath.Match], list[Any], Site], None]


def _updater(name: str, extra_args: int, update: Update) -> None:
    @function(name, 1 + extra_args)
    def build(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
        fn = coerce.to_string(need(subject)).fn
        path_fn = _path_fn(site, args[0])
        value_fns = [coerce.to_object(a) for a in args[1:]]

        def run(a: Mapping[str, str], e: Env) -> Any:
            text = fn(a, e)
            document = _document(site, text)
            matches = jsonpath.select(path_fn(a, e), document)
            if not matches:
                return text
            update(matches, [f(a, e) for f in value_fns], site)
            return jsonpath.dumps(document)

        return Typed(run, Kind.STRING)


def _delete(matches: list[jsonpath.Match], values: list[Any], site: Site) -> None:
    for _, parent, key in sorted(matches, key=lambda m: m[2] if isinstance(m[2], int) else 0, reverse=True):
        if parent is None:
            raise site.fail("the root of the document cannot be deleted")
        del parent[key]


def _set(matches: list[jsonpath.Match], values: list[Any], site: Site) -> None:
    for _, parent, key in matches:
        if parent is None:
            raise site.fail("the root of the document cannot be replaced")
        parent[key] = copy.deepcopy(values[0])


def _add(matches: list[jsonpath.Match], values: list[Any], site: Site) -> None:
    for target, _, _ in matches:
        if not isinstance(target, list):
            raise site.fail("the path must point to an array to add to it")
        target.append(copy.deepcopy(values[0]))


def _put(matches: list[jsonpath.Match], values: list[Any], site: Site) -> None:
    for target, _, _ in matches:
        if not isinstance(target, dict):
            raise site.fail("the path must point to an object to put a key in it")
        target[str(values[0])] = copy.deepcopy(values[1])


_updater("jsonPathDelete", 0, _delete)
_updater("jsonPathSet", 1, _set)
_updater("jsonPathAdd", 1, _add)
_updater("jsonPathPut", 2, _put)


@function("isJson")
def _is_json(subject: Typed | None, args: list[Typed], site: Site) -> Typed:
    fn = coerce.to_string(need(subject)).fn

    def is_json(a: Mapping[str, str], e: Env) -> bool:
        value = fn(a, e)
        if value is None:
            return False
        text = value.strip()
        if not text or text[0] not in "{[":
            return False
        try:
            json.loads(text)
        except json.JSONDecodeError:
            return False
        return True

    return Typed(is_json, Kind.BOOLEAN)
