"""A registry listing's tags, with when the listing was made and which listing it was."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


class ListedTags(list[str]):
    """The tags, in the registry's order, plus the listing they came from.

    `listed_at` becomes the object's `scanTime` (the listing's time, shared or not); `listing` names the
    listing, the same for every object it served. Objects that share a listing share this one value:
    nobody changes it.
    """

    def __init__(self, tags: Iterable[str], *, listed_at: datetime, listing: str) -> None:
        super().__init__(tags)
        self.listed_at = listed_at
        self.listing = listing
