"""UpdateAttribute: set attributes from Expression Language, delete attributes by regular expression."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import ClassVar

from nifi_like.api import (
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    PropertyValue,
    Relationship,
    validators,
)

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100


@lru_cache(maxsize=256)
def _pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


class UpdateAttribute(Processor):
    """Updates the Attributes for a FlowFile by using the Attribute Expression Language and/or deletes
    the attributes based on a regular expression. Each dynamic property sets the attribute of its
    name to its evaluated value; every value is evaluated against the FlowFile as it arrived."""

    tags = ("attributes", "modification", "update", "delete", "Attribute Expression Language", "state")
    nifi_type = "org.apache.nifi.processors.attributes.UpdateAttribute"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "See additional details": "This processor may write or remove zero or more attributes: one per dynamic "
                                  "property, and those matching Delete Attributes Expression",
    }

    DELETE_ATTRIBUTES = PropertyDescriptor(
        "Delete Attributes Expression",
        description="Regular expression for attributes to be deleted from FlowFiles. Existing attributes that match "
                    "will be deleted regardless of whether they are updated by this processor.",
        validator=validators.REGULAR_EXPRESSION, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES,
        display_name="Delete Attributes Expression")
    STORE_STATE = PropertyDescriptor(
        "Store State",
        description="Select whether or not state will be stored. Selecting 'Stateless' will offer the default "
                    "functionality of purely updating the attributes on a FlowFile in a stateless manner. Selecting "
                    "a stateful option will not only store the attributes on the FlowFile but also in the "
                    "Processors state.",
        required=True, default="Do not store state", allowable_values=("Do not store state", "Store state locally"),
        display_name="Store State")
    STATEFUL_VARIABLES_INIT_VALUE = PropertyDescriptor(
        "Stateful Variables Initial Value",
        description="If using state to set/reference variables then this value is used to set the initial value of "
                    "the stateful variable. This will only be used in the @OnScheduled method when state does not "
                    "contain a value for the variable. This is required if running statefully but can be empty if "
                    "needed.",
        display_name="Stateful Variables Initial Value")
    CANONICAL_VALUE_LOOKUP_CACHE_SIZE = PropertyDescriptor(
        "canonical-value-lookup-cache-size",
        description="Specifies how many canonical lookup values should be stored in the cache (accepted for "
                    "compatibility with NiFi flows; Python shares equal strings without it)",
        required=True, default="100", validator=validators.NON_NEGATIVE_INTEGER,
        display_name="Cache Value Lookup Cache Size")

    SUCCESS = Relationship("success", "All successful FlowFiles are routed to this relationship")
    SET_STATE_FAIL = Relationship("set state fail", "A failure to set the state after adding the attributes to the "
                                                    "FlowFile will route the FlowFile here.")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor:
        return PropertyDescriptor(
            name, description="Updates a FlowFile attribute specified by the Dynamic Property's key with the value "
                              "specified by the Dynamic Property's value",
            dynamic=True, expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    @classmethod
    def relationships_for(cls, properties: Mapping[str, str | None]) -> list[Relationship]:
        if cls._stateful(properties):
            return [cls.SUCCESS, cls.SET_STATE_FAIL]
        return [cls.SUCCESS]

    @classmethod
    def _stateful(cls, properties: Mapping[str, str | None]) -> bool:
        store = properties.get(cls.STORE_STATE.name) or cls.STORE_STATE.default
        return store != cls.STORE_STATE.default

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        if self._stateful(properties):
            # Stateful use reads state in expressions (getStateValue), which needs PropertyValue.evaluate
            # to pass state to the Expression Language (issue 3); until then, refuse rather than ignore it.
            return [f"Store State: '{properties.get(self.STORE_STATE.name)}' is not supported yet; "
                    f"use '{self.STORE_STATE.default}'"]
        return []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        delete = context.get_property(self.DELETE_ATTRIBUTES)
        actions = [(name, context.get_property(name)) for name in context.dynamic_properties]
        updated = [self._update(flowfile, session, actions, delete) for flowfile in flowfiles]
        session.transfer(updated, self.SUCCESS)

    @staticmethod
    def _update(flowfile: FlowFile, session: ProcessSession, actions: list[tuple[str, PropertyValue]],
                delete: PropertyValue) -> FlowFile:
        updates: dict[str, str] = {}
        for name, value in actions:
            try:
                updates[name] = value.evaluate(flowfile).value or ""
            except ValueError as exc:
                raise ProcessException(f"Unable to evaluate new value for attribute '{name}' of {flowfile}: "
                                       f"{exc}") from exc
        doomed: list[str] = []
        if delete.is_set:
            regex = delete.evaluate(flowfile).value
            if regex:
                try:
                    pattern = _pattern(regex)
                except re.error as exc:
                    raise ProcessException(f"Unable to delete attributes of {flowfile}: '{regex}' is not a valid "
                                           f"regular expression: {exc}") from exc
                doomed = [key for key in flowfile.attributes if pattern.fullmatch(key)]
                for key in doomed:
                    updates.pop(key, None)
        if updates:
            flowfile = session.put_all_attributes(flowfile, updates)
        if doomed:
            flowfile = session.remove_all_attributes(flowfile, doomed)
        return flowfile
