"""CSV settings shared by CSVReader and CSVRecordSetWriter, with NiFi's property names."""

from __future__ import annotations

from nifi_like.api import PropertyDescriptor, validators

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
    "Character Set", description="The Character Encoding that is used to encode/decode the CSV file",
    default="UTF-8", required=True, validator=validators.CHARACTER_SET)
