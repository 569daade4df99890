"""The one exception the filter language raises: where the expression went wrong."""

from __future__ import annotations


class FilterError(ValueError):
    """A filter expression that cannot be parsed or compiled.

    ``position`` is a 0-based character offset into the expression (``len(text)``
    when something is missing at the end); ``column`` is the same, 1-based, for
    people. ``expected`` lists what would have been accepted there, if known.
    """

    def __init__(self, message: str, position: int, expected: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.expected = tuple(expected)

    @property
    def column(self) -> int:
        return self.position + 1

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"FilterError({self.message!r}, position={self.position})"
