"""How the OpenAPI schema (drf-spectacular, ``/api/v1/schema/``) describes what every
endpoint shares: the error answers. A view documents its own successes (and a 409 where
it has one); the answers any endpoint can give follow from the view and are added here
once, so the schema says what a client really receives (issue 16, finding 8).

Kept apart from kpihub/api.py: REST framework imports that module while it loads its
own settings (the pagination class), and drf-spectacular's AutoSchema imports REST
framework's views."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings


class Error(serializers.Serializer):
    """kpihub.api's error body: ``{"detail": "..."}``, or field errors ``{"field": ["..."]}``."""

    detail = serializers.CharField(required=False, help_text=(
        "What went wrong. Bad input names its fields instead: {\"field\": [\"message\", ...]}."))


WHY = {
    "400": "Bad input: a parameter or field that cannot be used, each named with its messages "
           "(text with a NUL character included).",
    "401": "No credentials, or a token or session that is not of this company.",
    "403": "Your role does not allow it, or the company is suspended.",
    "404": "No such thing in this company (or a page past the last).",
    "429": "Too many attempts: wait, then try again.",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_parameters(self):
        """An optional query parameter sent blank is one not sent (``?period=`` is the
        latest month), as an HTML form sends an empty field: allowEmptyValue says so."""
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    def map_parsers(self):
        """Request bodies are JSON (api.md), except where a view declares its own parsers
        (the uploads: multipart). REST framework's default parsers also read forms, which
        stay accepted but undocumented: a form carries every value as text ("0" for false),
        which a JSON Schema cannot describe."""
        if list(self.view.parser_classes) == list(api_settings.DEFAULT_PARSER_CLASSES):
            return ["application/json"]
        return super().map_parsers()

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if code not in bodies:
                bodies[code] = self._get_response_for_code(
                    OpenApiResponse(Error, description=WHY[code]), code, direction=direction)
        return dict(sorted(bodies.items()))

    def error_codes(self) -> list[str]:
        """The errors this operation can answer whatever its own logic: bad input anywhere
        (kpihub.bad_input reads every query string), the role and the company's state
        everywhere, a missing credential where one is needed, a missing object where the
        path names one or a page is asked for, and throttling where the view has it."""
        codes = ["400", "403"]
        view = self.view
        signed_in_only = not all(isinstance(permission, AllowAny) for permission in view.get_permissions())
        if signed_in_only and view.get_authenticators():
            codes.append("401")
        if "{" in self.path or self.paginates():
            codes.append("404")
        if view.get_throttles():
            codes.append("429")
        return codes

    def paginates(self) -> bool:
        return any(parameter.get("name") == "page" for parameter in self._get_parameters())
