"""Text PostgreSQL cannot store, answered as bad input rather than a 500 (issue 16, finding 3).

A PostgreSQL text value may hold any character but NUL (U+0000), and a lone surrogate
(U+D800..U+DFFF) cannot even be encoded as UTF-8 on its way there. Either one, passed on
by any view to a lookup or a write, surfaces deep inside a query as psycopg's DataError
(or a UnicodeEncodeError): a 500 from whichever view happened to use the text. Rather
than a check in every view, one middleware answers them all, on pages and API alike,
signed in or not:

* At the door, before any view reads the request: a path holding such a character
  names nothing that can exist (no stored key, token or slug can contain it), so it
  is a 404 (a survey or invitation token with a NUL is a token that does not exist);
  the same character in the query string or in a form or JSON body is a 400 that names
  the parameter. Multipart bodies are not read here (they carry the uploads): their
  fields go through serializers and forms, whose text fields refuse both characters.
* Behind every view, the safety net: the database's invalid-text errors that still get
  through (text a view or a service builds itself, a JSON column) become a 400 too, and
  are logged, so the hole can be closed where the text came in.

Other DataErrors (a numeric overflow, a date out of range) are not answered here: they
are bugs of the code that let them through, and must stay visible as 500s.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

from django.db import DataError
from django.http import HttpRequest, HttpResponse

from kpihub.api import bad_request, not_found

logger = logging.getLogger(__name__)

MESSAGE = "Text may not contain NUL characters or unpaired surrogates (they cannot be stored)."
# One of the characters, anywhere in a str.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# In a JSON text, such a character can only be written as an escape (raw control characters
# are invalid JSON): a cheap test that skips parsing the body twice for almost every request.
ESCAPED_IN_JSON = re.compile(rb"\x00|\\u(?:0000|[dD][89abcdefABCDEF])")
# SQLSTATEs of text PostgreSQL cannot represent: character_not_in_repertoire,
# untranslatable_character (a \u0000 inside jsonb).
INVALID_TEXT_STATES = frozenset({"22021", "22P05"})


def is_unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def unstorable_in_json(value, where: str = "") -> str | None:
    """Where in a parsed JSON document the first unstorable string (key or value) is."""
    if isinstance(value, str):
        return where or "body" if is_unstorable(value) else None
    if isinstance(value, dict):
        items: Iterator = iter(value.items())
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        name = f"{where}.{key}" if where else str(key)
        if isinstance(key, str) and is_unstorable(key):
            return name
        found = unstorable_in_json(item, name)
        if found:
            return found
    return None


def is_invalid_text_error(exc: BaseException) -> bool:
    """psycopg refusing text: a NUL (checked before sending), a lone surrogate (not
    encodable), or PostgreSQL's own invalid-character states."""
    if isinstance(exc, UnicodeEncodeError):
        return exc.reason == "surrogates not allowed"
    if not isinstance(exc, DataError):
        return False
    cause = exc.__cause__
    return "NUL (0x00)" in str(cause) or getattr(cause, "sqlstate", None) in INVALID_TEXT_STATES


class UnstorableTextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_unstorable(request.path_info):
            return not_found(request)
        where = self.unstorable_parameter(request)
        if where is not None:
            return bad_request(request, {where: [MESSAGE]})
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_invalid_text_error(exception):
            return None
        logger.warning("Unstorable text reached the database on %s %s (%s): answered 400; "
                       "refuse it where it comes in", request.method, request.path, exception)
        return bad_request(request, {"detail": MESSAGE})

    @staticmethod
    def unstorable_parameter(request: HttpRequest) -> str | None:
        for name, values in request.GET.lists():
            if is_unstorable(name) or any(is_unstorable(value) for value in values):
                return name if not is_unstorable(name) else "query"
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":
            for name, values in request.POST.lists():
                if is_unstorable(name) or any(is_unstorable(value) for value in values):
                    return name if not is_unstorable(name) else "body"
        elif content_type == "application/json" or content_type.endswith("+json"):
            if ESCAPED_IN_JSON.search(request.body):
                try:
                    return unstorable_in_json(json.loads(request.body))
                except ValueError:
                    return None  # not JSON: the view's parser answers 400 itself
        return None
