"""A value quoted back to a person, bounded: an import's errors, notes and warnings
name the offending cell, and a rejected 10 MB cell must not become 10 MB of errors on
every page that lists the import (issue 16). The first ``EXCERPT_CHARS`` characters,
then how long the whole value was; rejected.csv keeps every cell whole, to fix."""

from __future__ import annotations

EXCERPT_CHARS = 100


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def excerpt_sql(expression: str, limit: int = EXCERPT_CHARS) -> str:
    """``excerpt`` in SQL, for values read out of the work tables."""
    return (f"CASE WHEN length({expression}) > {limit} THEN left({expression}, {limit}) || '… (' || "
            f"to_char(length({expression}), 'FM999,999,999,990') || ' characters)' ELSE {expression} END")
