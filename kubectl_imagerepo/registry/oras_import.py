"""oras's `provider` module, imported with its `jsonschema` dependency deferred to first use.

oras.provider imports jsonschema at its top only to validate the manifests it pushes and pulls;
listing tags never does, and jsonschema (with `referencing` and `attrs`) is most of what importing
oras costs. So, before oras is imported, `sys.modules["jsonschema"]` holds a stand-in module whose
first missing attribute (PEP 562 `__getattr__`) imports the real jsonschema, puts it back in
`sys.modules` and copies its namespace into the stand-in, so that oras's reference and any later
`import jsonschema` see the same functions. The standard `importlib.util.LazyLoader` cannot do this
on Python 3.11: the `import` statement itself reads the module's `__spec__`, which loads it. oras is
neither patched nor copied.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

DEFERRED = "jsonschema"


class DeferredModule(ModuleType):
    """A stand-in that imports the real module named like it on the first attribute it lacks."""

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def defer_import(name: str) -> None:
    """Put a `DeferredModule` for `name` in `sys.modules`, unless it is imported or not installed.

    When it is not installed, the importer's own `import` fails as usual.
    """
    if name in sys.modules or importlib.util.find_spec(name) is None:
        return
    sys.modules[name] = DeferredModule(name)


def oras_provider() -> ModuleType:
    """The `oras.provider` module, jsonschema deferred."""
    defer_import(DEFERRED)
    import oras.provider

    provider: ModuleType = oras.provider
    return provider
