"""CSV settings shared by CSVReader and CSVRecordSetWriter, with NiFi's property names."""

from __future__ import annotations

import csv
from typing import Any

from nifi_like.api import AllowableValue, ConfigurationContext, PropertyDescriptor, validators

_ESCAPES = {"\\t": "\t", "\\n": "\n", "\\r": "\r", "\\\\": "\\"}


def unescape(text: str) -> str:
    """A separator as typed in a property ('\\t' for a tab) as the character it stands for."""
    for escaped, plain in _ESCAPES.items():
        text = text.replace(escaped, plain)
    return text


def single_character(value: str) -> str | None:
    return None if len(unescape(value)) == 1 else "must be a single character"


VALUE_SEPARATOR = PropertyDescriptor(
    "Value Separator", description="The character that is used to separate values/fields in a CSV Record. "
                                   "Use \\t for a tab.",
    default=",", required=True, validator=single_character)
QUOTE_CHARACTER = PropertyDescriptor(
    "Quote Character", description="The character that is used to quote values so that escape characters do not "
                                   "have to be used.",
    default='"', required=True, validator=single_character)
ESCAPE_CHARACTER = PropertyDescriptor(
    "Escape Character", description="The character that is used to escape characters that would otherwise have a "
                                    "specific meaning to the CSV Parser. Empty for none.",
    default="\\", validator=single_character)
NULL_STRING = PropertyDescriptor(
    "Null String", description="Specifies a String that, if present as a value in the CSV, should be considered "
                               "a null field instead of using the literal value.")
CHARACTER_SET = PropertyDescriptor(
    "Character Set", aliases=('csvutils-character-set',), description="The Character Encoding that is used to encode/decode the CSV file",
    default="UTF-8", required=True, validator=validators.CHARACTER_SET)

CUSTOM = AllowableValue("custom", "Custom Format", "The format of the CSV is configured by the other properties")
CSV_FORMAT = PropertyDescriptor(
    "CSV Format", description="Specifies which \"format\" the CSV data is in, or specifies if custom formatting "
                              "should be used.",
    allowable_values=(CUSTOM,
                      AllowableValue("rfc-4180", "RFC 4180", "CSV data follows the RFC 4180 Specification"),
                      AllowableValue("excel", "Microsoft Excel", "CSV data follows the format used by Microsoft Excel"),
                      AllowableValue("tdf", "Tab-Delimited", "CSV data is Tab-Delimited instead of Comma Delimited"),
                      AllowableValue("mysql", "MySQL Format", "CSV data follows the format used by MySQL")),
    default=CUSTOM.value, required=True)

# The fixed formats of Apache Commons CSV, which NiFi's CSV services use; the custom properties are
# ignored for them, as in NiFi.
PRESETS: dict[str, dict[str, Any]] = {
    "rfc-4180": {"delimiter": ",", "quotechar": '"', "escapechar": None, "lineterminator": "\r\n",
                 "quoting": csv.QUOTE_MINIMAL},
    "excel": {"delimiter": ",", "quotechar": '"', "escapechar": None, "lineterminator": "\r\n",
              "quoting": csv.QUOTE_MINIMAL},
    "tdf": {"delimiter": "\t", "quotechar": '"', "escapechar": None, "lineterminator": "\r\n",
            "quoting": csv.QUOTE_MINIMAL},
    "mysql": {"delimiter": "\t", "quotechar": '"', "escapechar": "\\", "lineterminator": "\n",
              "quoting": csv.QUOTE_NONE},
}


def preset(context: ConfigurationContext) -> dict[str, Any]:
    """The dialect settings of the chosen CSV Format ({} for the custom one)."""
    return dict(PRESETS.get(context.get_property(CSV_FORMAT).value or CUSTOM.value, {}))
