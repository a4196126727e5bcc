"""The names of the `-o` formats, once: what the commands accept and what completion offers."""

from __future__ import annotations

#: The formats that take no argument, in the order completion offers them.
PLAIN_FORMATS = ("json", "yaml", "name", "wide")
#: The formats whose argument follows `=` (`jsonpath={.metadata.name}`).
TEMPLATE_FORMATS = ("jsonpath", "jsonpath-as-json", "custom-columns")
#: What `-o` accepts besides the default table, sorted as kubectl's error message lists them.
OUTPUT_FORMATS = tuple(sorted(PLAIN_FORMATS + TEMPLATE_FORMATS))
#: What `events -o` accepts besides its table (kubectl's go-template formats are not offered).
EVENT_FORMATS = tuple(kind for kind in OUTPUT_FORMATS if kind not in ("wide", "custom-columns"))
