"""What HandleHttpRequest and HandleHttpResponse share (NiFi's HttpContextMap): the HTTP requests that
wait for their response, by the id in the FlowFile attribute ``http.context.identifier``."""

from __future__ import annotations

import abc
from collections.abc import Mapping

from nifi_like.api import ControllerService


class HttpExchange(abc.ABC):
    """A request whose client waits for an answer."""

    @abc.abstractmethod
    def respond(self, status: int, headers: Mapping[str, str], body: bytes) -> bool:
        """Send the response; False when the exchange was already answered or its server is gone."""


class HttpContextMap(ControllerService, abc.ABC):
    @abc.abstractmethod
    def register(self, identifier: str, exchange: HttpExchange) -> bool:
        """Hold ``exchange`` until ``complete``; False when the map is full (the request should be refused)."""

    @abc.abstractmethod
    def complete(self, identifier: str) -> HttpExchange | None:
        """Take the exchange of ``identifier`` out of the map; None when it is not (or no longer) there."""

    @abc.abstractmethod
    def discard(self, identifier: str) -> None:
        """Forget an exchange without answering it (its request was answered another way)."""
