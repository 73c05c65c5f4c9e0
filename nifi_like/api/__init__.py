"""The public API for processor authors."""

from nifi_like.api import validators
from nifi_like.api.controller_service import ConfigurationContext, ControllerService
from nifi_like.api.files import FileRoots, PathNotAllowed
from nifi_like.api.flowfile import Claim, FlowFile
from nifi_like.api.processor import (
    ComponentLog,
    InputRequirement,
    ProcessContext,
    ProcessException,
    Processor,
    ProcessSession,
    PropertyValue,
    ProvenanceReporter,
    StateManager,
    StateMap,
)
from nifi_like.api.properties import AllowableValue, ExpressionLanguageScope, PropertyDescriptor
from nifi_like.api.relationship import Relationship
from nifi_like.api.units import format_data_size, parse_data_size, parse_time_period

__all__ = [
    "AllowableValue", "Claim", "ComponentLog", "ConfigurationContext", "ControllerService", "ExpressionLanguageScope", "FileRoots", "FlowFile",
    "InputRequirement", "PathNotAllowed", "ProcessContext", "ProcessException", "ProcessSession", "Processor", "PropertyDescriptor",
    "PropertyValue", "ProvenanceReporter", "Relationship", "StateManager", "StateMap",
    "format_data_size", "parse_data_size", "parse_time_period", "validators",
]
