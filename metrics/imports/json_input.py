"""Reading an import option sent as a JSON object (a mapping, account categories,
coupon values): from the API as JSON text or an already parsed object."""

from __future__ import annotations

import json


def json_object(raw, problem: Exception) -> dict | None:
    """``raw`` as a dict, None when nothing was sent; ``problem`` is raised when it is
    not a JSON object."""
    if raw in (None, "", {}):
        return None
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise problem from None
    if not isinstance(raw, dict):
        raise problem
    return raw
