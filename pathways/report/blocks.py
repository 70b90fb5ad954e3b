"""What a report section is made of: figures, tables, notes, rows of figures, sections.

Tables are :class:`pathways.publish.tables.Table` (the one place small cells are
suppressed); this module adds the figures and the section around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..publish.tables import Col, Table

@dataclass
class Figure:
    """A picture of a section: a :class:`pathways.Diagram` or a :class:`pathways.Chart`.

    ``media``: shown on screen and printed (``"all"``), or only on one of them (a
    wide map on screen, its parts in print); ``page``: the A4 page it prints on.
    Every figure goes to the figures folder.
    """

    name: str
    title: str
    picture: object
    caption: str = ""
    media: str = "all"
    page: str = "portrait"


@dataclass
class Live:
    """An interactive map (:func:`pathways.interactive_map`) that stands in on screen for the static figure
    ``replaces`` (the figure's name), once its script runs; the figure stays for print, export and browsers
    without scripts."""

    name: str
    picture: object
    replaces: str


@dataclass
class Row:
    """Figures shown side by side."""

    items: list


@dataclass
class Note:
    """A paragraph of plain text."""

    text: str


@dataclass
class Section:
    """One section: its heading, its finding in two or three sentences, and what it shows.

    ``highlight`` is ``(score, sentence)``: the sentence competes for the report's
    main findings, the highest scores (shares of patients or waits affected) win.
    """

    key: str
    title: str
    finding: list[str]
    blocks: list = field(default_factory=list)
    highlight: tuple[float, str] | None = None

    def figures(self) -> list[Figure]:
        return self._blocks(Figure)

    def tables(self) -> list[Table]:
        return self._blocks(Table)

    def _blocks(self, kind) -> list:
        """The blocks of ``kind``, also those inside a Row, in order."""
        items = [x for b in self.blocks for x in (b.items if isinstance(b, Row) else [b])]
        return [x for x in items if isinstance(x, kind)]


__all__ = ["Col", "Table", "Figure", "Live", "Row", "Note", "Section"]
