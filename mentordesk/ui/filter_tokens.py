"""Type-to-filter for the big lists (Mentees, Program): a row stays when its search key (its
words, lower-cased, built once per row) contains every word typed, in any order."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSortFilterProxyModel


class TokenFilterProxy(QSortFilterProxyModel):
    """A proxy whose subclasses' ``filterAcceptsRow`` asks ``matches(key)`` of a row's key.

    Row tests are a substring test per typed word: with 10,000 rows they run 10,000 times
    per keystroke, so the one-word case is a single ``in``.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tokens: tuple[str, ...] = ()
        self._single = ""
        # The filter reads keys that only change through reset/insert/remove: re-filtering on
        # every dataChanged (a clock column ticks for all rows each minute) would cost a pass
        # over every row for nothing.
        self.setDynamicSortFilter(False)

    def set_filter_text(self, text: str) -> None:
        tokens = tuple(text.casefold().split())
        if tokens == self._tokens:
            return
        self.beginFilterChange()
        self._tokens = tokens
        self._single = tokens[0] if len(tokens) == 1 else ""
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filter_text(self) -> str:
        return " ".join(self._tokens)

    def matches(self, key: str) -> bool:
        """Whether ``key`` (already case-folded) contains every typed word."""
        if self._single:
            return self._single in key
        if not self._tokens:
            return True
        return all(token in key for token in self._tokens)
