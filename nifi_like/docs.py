"""Processor documentation generated from the processors' own declarations.

One page per registered processor (Markdown or HTML) plus an index, built only from what the class
declares: its docstring, tags, input requirement, PropertyDescriptors, Relationships and the
attributes it reads and writes. Nothing is written twice, so the docs cannot drift from the code.

    nifi-like docs --out docs/processors --format html
"""

from __future__ import annotations

import argparse
import html
from collections.abc import Iterable, Sequence
from pathlib import Path

from nifi_like.api import AllowableValue, ExpressionLanguageScope, Processor, PropertyDescriptor
from nifi_like.engine.registry import ProcessorRegistry

__all__ = ["add_arguments", "processor_page", "run", "write_docs"]

FORMATS = ("md", "html")
_EL_SCOPES = {
    ExpressionLanguageScope.NONE: "Not Supported",
    ExpressionLanguageScope.ENVIRONMENT: "Environment variables and parameters (no FlowFile attributes)",
    ExpressionLanguageScope.FLOWFILE_ATTRIBUTES: "FlowFile attributes",
}
_PROPERTY_COLUMNS = ("Name", "Default", "Allowed values", "Expression Language", "Required", "Description")


def write_docs(out_dir: str | Path, fmt: str = "md", processors: Iterable[type[Processor]] | None = None
               ) -> list[Path]:
    """Write a page per processor (the installed ones by default) and an index; return the paths."""
    if fmt not in FORMATS:
        raise ValueError(f"format '{fmt}' is not one of: {', '.join(FORMATS)}")
    classes = sorted(processors if processors is not None else ProcessorRegistry().types(),
                     key=lambda cls: cls.__name__)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for cls in classes:
        path = out / f"{cls.__name__}.{fmt}"
        path.write_text(processor_page(cls, fmt), encoding="utf-8")
        written.append(path)
    index = out / f"index.{fmt}"
    index.write_text(_index(classes, fmt), encoding="utf-8")
    return [index, *written]


def processor_page(cls: type[Processor], fmt: str = "md") -> str:
    """The documentation page of one processor class."""
    sections = _sections(cls)
    return _markdown(cls, sections) if fmt == "md" else _html(cls, sections)


# -- the content, format-free ------------------------------------------------------------------
Table = tuple[tuple[str, ...], list[tuple[str, ...]]]


def _sections(cls: type[Processor]) -> list[tuple[str, str | Table]]:
    sections: list[tuple[str, str | Table]] = [("Description", cls.description() or "(no description)")]
    if cls.tags:
        sections.append(("Tags", ", ".join(cls.tags)))
    sections.append(("Input requirement", cls.input_requirement.value))
    sections.append(("Properties", (_PROPERTY_COLUMNS, [_property_row(d) for d in cls.property_descriptors()])))
    if cls.supports_dynamic_properties:
        example = cls.dynamic_property_descriptor("<name>")
        sections.append(("Dynamic properties", example.description if example and example.description
                         else "Supported: a property added by the user, named as the user wishes."))
    relationships: list[tuple[str, ...]] = [(r.name, r.description) for r in cls.static_relationships()]
    sections.append(("Relationships", (("Name", "Description"), relationships)))
    if cls.reads_attributes:
        reads: list[tuple[str, ...]] = sorted(cls.reads_attributes.items())
        sections.append(("Reads attributes", (("Name", "Description"), reads)))
    if cls.writes_attributes:
        writes: list[tuple[str, ...]] = list(cls.writes_attributes.items())
        sections.append(("Writes attributes", (("Name", "Description"), writes)))
    return sections


def _property_row(descriptor: PropertyDescriptor) -> tuple[str, ...]:
    name = descriptor.name
    if descriptor.display_name and descriptor.display_name != name:
        name = f"{descriptor.display_name} ({name})"
    if descriptor.sensitive:
        name += " [sensitive]"
    return (name, descriptor.default if descriptor.default is not None else "",
            "; ".join(_allowed(value) for value in descriptor.allowable_values),
            _EL_SCOPES[descriptor.expression_language], "yes" if descriptor.required else "no",
            descriptor.description)


def _allowed(value: str | AllowableValue) -> str:
    if isinstance(value, str):
        return value
    text = value.value if not value.display_name or value.display_name == value.value \
        else f"{value.display_name} ({value.value})"
    return f"{text}: {value.description}" if value.description else text


def _summary(cls: type[Processor]) -> str:
    first = cls.description().split(". ")[0].strip()
    return first if first.endswith(".") or not first else first + "."


# -- Markdown ------------------------------------------------------------------------------
def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ") or " "


def _markdown(cls: type[Processor], sections: list[tuple[str, str | Table]]) -> str:
    lines = [f"# {cls.__name__}", "", f"`{cls.type_name()}`", ""]
    for title, body in sections:
        lines += [f"## {title}", ""]
        if isinstance(body, str):
            lines += [body, ""]
            continue
        header, rows = body
        if not rows:
            lines += ["None.", ""]
            continue
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


# -- HTML ----------------------------------------------------------------------------------
def _html(cls: type[Processor], sections: list[tuple[str, str | Table]]) -> str:
    esc = html.escape
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{esc(cls.__name__)}</title>"
             "</head><body>", f"<h1>{esc(cls.__name__)}</h1>", f"<p><code>{esc(cls.type_name())}</code></p>"]
    for title, body in sections:
        parts.append(f"<h2>{esc(title)}</h2>")
        if isinstance(body, str):
            parts.append(f"<p>{esc(body)}</p>")
            continue
        header, rows = body
        if not rows:
            parts.append("<p>None.</p>")
            continue
        parts.append("<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr></thead><tbody>")
        parts += ["<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows]
        parts.append("</tbody></table>")
    parts.append("<p><a href=\"index.html\">All processors</a></p></body></html>")
    return "\n".join(parts) + "\n"


def _index(classes: Sequence[type[Processor]], fmt: str) -> str:
    if fmt == "md":
        lines = ["# Processors", ""]
        lines += [f"- [{cls.__name__}]({cls.__name__}.md): {_summary(cls)}" for cls in classes]
        return "\n".join(lines) + "\n"
    items = "".join(f"<li><a href=\"{html.escape(cls.__name__)}.html\">{html.escape(cls.__name__)}</a>: "
                    f"{html.escape(_summary(cls))}</li>" for cls in classes)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Processors</title></head>"
            f"<body><h1>Processors</h1><ul>{items}</ul></body></html>\n")


# -- command line (``nifi-like docs``) -------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="docs/processors", help="directory to write the pages to")
    parser.add_argument("--format", choices=FORMATS, default="md", help="Markdown or HTML")


def run(args: argparse.Namespace) -> int:
    written = write_docs(args.out, args.format)
    print(f"wrote {len(written) - 1} processor page(s) and an index to {args.out}")
    return 0
