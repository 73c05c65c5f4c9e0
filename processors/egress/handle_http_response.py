"""HandleHttpResponse: answer the HTTP request a FlowFile from HandleHttpRequest came from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    ExpressionLanguageScope,
    FlowFile,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors.services.http_context_map_api import HttpContextMap

CONTEXT_IDENTIFIER = "http.context.identifier"
BATCH = 100


class HandleHttpResponse(Processor):
    """Sends an HTTP Response to the Requestor that generated a FlowFile. This Processor is designed to be used
    in conjunction with the HandleHttpRequest in order to create a web service. The FlowFile's content is the
    response body; every dynamic property is a response header (its value may use Expression Language). A
    FlowFile without an http.context.identifier, with a status code that is not an integer from 100 to 599, or
    whose request is no longer waiting (it expired and was answered 503) is routed to 'failure'."""

    tags = ("http", "https", "response", "egress", "web service")
    nifi_type = "org.apache.nifi.processors.standard.HandleHttpResponse"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    reads_attributes: ClassVar[Mapping[str, str]] = {
        CONTEXT_IDENTIFIER: "The value of this attribute is used to lookup the HTTP Response so that the proper "
                            "message can be sent back to the requestor. If this attribute is missing, the FlowFile "
                            "will be routed to 'failure.'",
        "http.request.url": "Value of the URI requested by the client. Used for provenance event.",
    }

    STATUS_CODE = PropertyDescriptor(
        "HTTP Status Code", description="The HTTP Status Code to use when responding to the HTTP Request. See Section "
                                        "10 of RFC 2616 for more information.", required=True,
        expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
    HTTP_CONTEXT_MAP = PropertyDescriptor(
        "HTTP Context Map", description="The HTTP Context Map Controller Service to use for caching the HTTP Request "
                                        "Information", required=True, controller_service=HttpContextMap)
    ATTRIBUTES_AS_HEADERS_REGEX = PropertyDescriptor(
        "Attributes to add to the HTTP Response (Regex)",
        description="Specifies the Regular Expression that determines the names of FlowFile attributes that should "
                    "be added to the HTTP response", validator=validators.REGULAR_EXPRESSION)

    SUCCESS = Relationship("success", "FlowFiles will be routed to this Relationship after the response has been "
                                      "successfully sent to the requestor")
    FAILURE = Relationship("failure", "FlowFiles will be routed to this Relationship if the Processor is unable to "
                                      "respond to the requestor. This may happen, for instance, if the connection "
                                      "times out or if NiFi is restarted before responding to the HTTP Request.")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        return PropertyDescriptor(name, description="An HTTP header to add to the response", dynamic=True,
                                  expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        context_map: HttpContextMap = context.get_property(self.HTTP_CONTEXT_MAP).as_controller_service()
        pattern = context.get_property(self.ATTRIBUTES_AS_HEADERS_REGEX).value
        attribute_headers = re.compile(pattern) if pattern else None
        for flowfile in flowfiles:
            problem = self._respond(context, session, context_map, attribute_headers, flowfile)
            if problem:
                context.logger.error(f"Failed to respond to HTTP request for {flowfile} because {problem}")
                session.transfer(session.penalize(flowfile), self.FAILURE)
            else:
                session.provenance.send(flowfile, flowfile.attributes.get("http.request.url", ""))
                session.transfer(flowfile, self.SUCCESS)

    def _respond(self, context: ProcessContext, session: ProcessSession, context_map: HttpContextMap,
                 attribute_headers: re.Pattern[str] | None, flowfile: FlowFile) -> str | None:
        """Answer the request; why it could not be answered, or None."""
        identifier = flowfile.attributes.get(CONTEXT_IDENTIFIER)
        if not identifier:
            return f"FlowFile did not have an '{CONTEXT_IDENTIFIER}' attribute"
        raw_status = context.get_property(self.STATUS_CODE).evaluate(flowfile).value or ""
        try:
            status = int(raw_status.strip())
        except ValueError:
            status = -1
        if not 100 <= status <= 599:
            return (f"status code was '{raw_status}', which is not valid. Status codes must be integers between "
                    "100 and 599")
        headers = {name: context.get_property(name).evaluate(flowfile).value or ""
                   for name in context.dynamic_properties}
        if attribute_headers is not None:
            headers.update({k: v for k, v in flowfile.attributes.items() if attribute_headers.fullmatch(k)})
        bad = [name for name, value in headers.items() if not _header_safe(name) or not _header_safe(value)]
        if bad:
            return f"header(s) {', '.join(repr(n) for n in bad)} hold characters an HTTP header may not have"
        exchange = context_map.complete(identifier)
        if exchange is None:
            return (f"FlowFile had an '{CONTEXT_IDENTIFIER}' attribute of {identifier} but could not find an HTTP "
                    "Response Object for this identifier (the request expired, or was already answered)")
        if not exchange.respond(status, headers, session.read_bytes(flowfile)):
            return "the client's connection is gone (its server stopped)"
        return None


def _header_safe(text: str) -> bool:
    return not any(ch in text for ch in "\r\n\0")
