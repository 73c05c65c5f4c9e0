"""Controller services: shared, configured resources (connection pools, caches, record readers)
that processors reference by id from a property, enabled and disabled as a unit."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api.processor import PropertyValue, _declared
from nifi_like.api.properties import PropertyDescriptor


class ConfigurationContext(abc.ABC):
    """What a controller service sees of its configuration when it is enabled."""

    identifier: str
    name: str

    @abc.abstractmethod
    def get_property(self, descriptor: PropertyDescriptor | str) -> PropertyValue: ...

    @property
    @abc.abstractmethod
    def properties(self) -> Mapping[str, str | None]: ...


class ControllerService:
    """Base class of every controller service. Declare PropertyDescriptors on the class, as for
    processors; a processor property declares ``controller_service=<this class or a base>``."""

    tags: ClassVar[tuple[str, ...]] = ()
    nifi_type: ClassVar[str | None] = None

    @classmethod
    def type_name(cls) -> str:
        return cls.nifi_type or f"{cls.__module__}.{cls.__name__}"

    @classmethod
    def property_descriptors(cls) -> list[PropertyDescriptor]:
        return list(_declared(cls, PropertyDescriptor))

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        return None

    @classmethod
    def description(cls) -> str:
        return (cls.__doc__ or "").strip()

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        return []

    def on_enabled(self, context: ConfigurationContext) -> None:
        """Called when the service is enabled: open pools, read configuration."""

    def on_disabled(self) -> None:
        """Called when the service is disabled: release what on_enabled acquired."""
