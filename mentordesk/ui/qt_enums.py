"""Setting enum properties by name, for the code that runs before the first paint.

PySide6 builds the whole ``Qt`` namespace (about a hundred Python enum classes) the first
time any member of it is touched, even one returned from C++: ~40 ms on the reference
machine, a fifth of a bare window's start-up. The window shell therefore sets its few enum
properties through the meta-object by key name (as Qt's own .ui loader does), and the cost
is paid after the first paint, by the first view that needs ``Qt``.
"""

from __future__ import annotations

import PySide6.QtCore
from PySide6.QtCore import QObject


def set_enum_property(target: QObject, name: str, keys: str) -> None:
    """Set ``target``'s enum or flag property ``name`` to ``keys`` ("AlignCenter",
    "AlignLeft|AlignTop"): Qt converts the key names itself."""
    meta = target.metaObject()
    prop = meta.property(meta.indexOfProperty(name))
    if not prop.isValid() or not prop.isEnumType() or not prop.write(target, keys):
        raise ValueError(f"cannot set {type(target).__name__}.{name} to {keys!r}")


def qt_namespace_loaded() -> bool:
    """Whether PySide6 has built its ``Qt`` namespace in this process yet."""
    return "Qt" in vars(PySide6.QtCore)
