"""Imports every function module so that each registers its functions."""

from . import (  # noqa: F401
    functions_date,
    functions_date_arith,
    functions_encode,
    functions_javamath,
    functions_json,
    functions_logic,
    functions_math,
    functions_search,
    functions_string,
    functions_subjectless,
    multi,
)
