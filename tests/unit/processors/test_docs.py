"""Processor docs are generated from the declarations alone, one page per processor."""

from __future__ import annotations

import argparse
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nifi_like.api import ExpressionLanguageScope, Processor, PropertyDescriptor, Relationship
from nifi_like.docs import processor_page, run, write_docs
from nifi_like.engine.registry import ProcessorRegistry
from processors.ingest.fetch_file import FetchFile
from processors.ingest.invoke_http import InvokeHTTP


class Tricky(Processor):
    """Handles <b>markup</b> & pipes | in text."""

    tags = ("a|b", "<tag>")
    writes_attributes = {"out.attr": "Set to <something>"}
    SECRET = PropertyDescriptor("Secret", description="a | b", sensitive=True, required=True)
    MODE = PropertyDescriptor("Mode", default="x", allowable_values=("x", "y"),
                              expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    DONE = Relationship("done", "Where <done> goes")


def test_markdown_pages_for_every_installed_processor_and_an_index(tmp_path: Path) -> None:
    written = write_docs(tmp_path, "md")
    installed = ProcessorRegistry().types()
    assert {p.name for p in written} == {"index.md"} | {f"{cls.__name__}.md" for cls in installed}
    index = (tmp_path / "index.md").read_text()
    for cls in installed:
        assert f"[{cls.__name__}]({cls.__name__}.md)" in index
        page = (tmp_path / f"{cls.__name__}.md").read_text()
        for descriptor in cls.property_descriptors():
            assert descriptor.name in page, f"{descriptor.name} missing from the page of {cls.__name__}"
        for relationship in cls.static_relationships():
            assert f"| {relationship.name} |" in page


def test_a_page_shows_defaults_allowed_values_el_scope_required_and_attributes() -> None:
    page = processor_page(FetchFile, "md")
    assert "`org.apache.nifi.processors.standard.FetchFile`" in page
    row = next(line for line in page.splitlines() if line.startswith("| Completion Strategy |"))
    cells = [cell.strip() for cell in row.strip("|").split(" | ")]
    assert cells[1] == "None"
    assert "Move File: Moves the file" in cells[2] and "Delete File" in cells[2]
    assert cells[3] == "Not Supported" and cells[4] == "yes"
    file_row = next(line for line in page.splitlines() if line.startswith("| File to Fetch |"))
    assert "FlowFile attributes" in file_row
    assert "## Writes attributes" in page and "fetch.failure.reason" in page
    assert "INPUT_REQUIRED" in page


def test_dynamic_properties_are_documented_when_supported() -> None:
    assert "## Dynamic properties" in processor_page(InvokeHTTP)
    assert "## Dynamic properties" not in processor_page(FetchFile)


def test_markdown_escapes_pipes_and_marks_sensitive_properties() -> None:
    page = processor_page(Tricky, "md")
    row = next(line for line in page.splitlines() if line.startswith("| Secret [sensitive] |"))
    assert "a \\| b" in row
    assert len(row.replace("\\|", "").split("|")) == 8  # six cells, no column broken by a pipe


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_pages_escape_the_declarations(tmp_path: Path) -> None:
    [index, page] = write_docs(tmp_path, "html", processors=[Tricky])
    parser = _Collect()
    parser.feed(page.read_text())
    assert "b" not in parser.tags  # <b> in the docstring is text, not markup
    text = "".join(parser.text)
    assert "Handles <b>markup</b> & pipes | in text." in text
    assert "Where <done> goes" in text and "Set to <something>" in text
    assert 'href="Tricky.html"' in index.read_text()


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'pdf' is not one of: md, html"):
        write_docs(tmp_path, "pdf")


def test_the_command_writes_the_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argparse.Namespace(out=str(tmp_path / "docs"), format="html")) == 0
    assert (tmp_path / "docs" / "index.html").exists()
    assert "processor page(s)" in capsys.readouterr().out
