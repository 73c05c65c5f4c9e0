"""PropertyDescriptor: the one declaration of a processor property."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from nifi_like.api import validators
from nifi_like.api.validators import Validator


class ExpressionLanguageScope(Enum):
    """Where Expression Language may be used in a property, as NiFi declares it."""

    NONE = "NONE"
    ENVIRONMENT = "ENVIRONMENT"  # NiFi's VARIABLE_REGISTRY: no FlowFile attributes
    FLOWFILE_ATTRIBUTES = "FLOWFILE_ATTRIBUTES"


@dataclass(frozen=True)
class AllowableValue:
    value: str
    display_name: str = ""
    description: str = ""


@dataclass(frozen=True)
class PropertyDescriptor:
    name: str
    description: str = ""
    required: bool = False
    default: str | None = None
    allowable_values: tuple[str | AllowableValue, ...] = ()
    validator: Validator | None = None
    sensitive: bool = False
    expression_language: ExpressionLanguageScope = ExpressionLanguageScope.NONE
    dynamic: bool = False
    display_name: str = ""
    #: the controller service class (or base class) whose id this property holds
    controller_service: Any = None
    #: names NiFi used for this property before (e.g. 'record-reader' for 'Record Reader'): a flow
    #: that still uses one is renamed on load, as NiFi's migrateProperties does
    aliases: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(v.value if isinstance(v, AllowableValue) else v for v in self.allowable_values)

    @property
    def supports_el(self) -> bool:
        return self.expression_language is not ExpressionLanguageScope.NONE

    def check(self, value: str | None) -> str | None:
        """Return why ``value`` is invalid for this property, or None.

        Values holding Expression Language (when supported) or parameter references are
        checked for syntax only: their final value is known at run time, as in NiFi.
        """
        if value is None or value == "":
            return "is required" if self.required and self.default is None else None
        if self.controller_service is not None:
            return None  # an id: checked against the flow's services (flow.validation)
        if "#{" in value or (self.supports_el and "${" in value):
            return _check_expression(value)
        if self.allowed and value not in self.allowed:
            return f"'{value}' is not one of the allowed values: {', '.join(self.allowed)}"
        reason = (self.validator or validators.ANY)(value)
        return f"'{value}' {reason}" if reason else None


def _check_expression(value: str) -> str | None:
    try:
        from nifi_like import expression
    except ImportError:  # expression language not installed in this build
        return None
    try:
        expression.validate(value)
    except ValueError as exc:
        return f"has an invalid expression: {exc}"
    return None
