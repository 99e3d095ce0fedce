"""The one way KPI SQL is written: one statement per ``.sql`` file, read once.

A file takes in a shared piece of SQL by naming it in a comment of its own,
``/*name*/``: another file of its directory (``/*common*/``: the month series and
exchange rates), a file of the directory it builds on (the drill-down's statements take
in the engine's ``customer_states``), or a source another app offers (surveys' answers
and invitations, surveys/kpi_sources.py). Parameters are named (``%(first)s``) and
passed when the statement runs. Whole-line ``--`` comments are for the reader of the
file and are not sent to the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from metrics.kpis.engine import in_window
from surveys import kpi_sources

PIECE = re.compile(r"/\*(\w+)\*/")


class SqlFiles:
    """The statements of one directory of ``.sql`` files. ``sources``: pieces that are
    not files (they win over a file of the same name); ``base``: where a name that is
    not a file here is looked up."""

    def __init__(self, directory: Path, *, sources: Mapping[str, str] | None = None,
                 base: SqlFiles | None = None):
        self.directory, self.sources, self.base = directory, dict(sources or {}), base
        self._loaded: dict[str, str] = {}

    def load(self, name: str) -> str:
        """The statement of this directory's ``name.sql``, with the pieces it names
        taken in."""
        if name not in self._loaded:
            text = "\n".join(line for line in (self.directory / f"{name}.sql").read_text().splitlines()
                             if not line.lstrip().startswith("--"))
            self._loaded[name] = PIECE.sub(lambda match: self._piece(match.group(1)), text).strip()
        return self._loaded[name]

    def _piece(self, name: str) -> str:
        if name in self.sources:
            return self.sources[name]
        if self.base is None or (self.directory / f"{name}.sql").exists():
            return self.load(name)
        return self.base._piece(name)

    def with_sources(self, **sources: str) -> SqlFiles:
        """The same files with some pieces replaced (the benchmark's DuckDB has no
        survey tables)."""
        return SqlFiles(self.directory, sources={**self.sources, **sources}, base=self.base)


ENGINE_SQL = SqlFiles(Path(__file__).parent / "sql", sources={
    **in_window.PIECES,
    "survey_answers": kpi_sources.SCORED_ANSWERS,
    "invitations": kpi_sources.INVITATIONS,
})
