"""Small-cell suppression for every published figure (DOMAIN.md §8.6).

A count ``0 < n < drempel`` is shown as ``"<drempel"`` (primary suppression). Totals stay safe by
**secondary suppression**: each group of figures that add up (or may add up) to a published total is
checked; where exactly one figure of a group is hidden, the smallest other non-zero figure of that group
is hidden as well (shown as ``"x"``), repeated until no group has exactly one hidden figure. So no hidden
figure can be back-calculated from a total and the other figures. Zero is published as 0: an empty cell
identifies nobody. ``drempel = 0`` turns suppression off.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
Shown = int | float | str | None
SECONDARY = "x"


def primary_label(drempel: int) -> str:
    return f"<{drempel}"


def is_small(value: float | None, drempel: int) -> bool:
    return drempel > 0 and value is not None and 0 < value < drempel


def protect(values: Mapping[K, float | None], groups: Iterable[Sequence[K]], drempel: int) -> dict[K, Shown]:
    """The published form of ``values``: small figures as ``"<drempel"``, secondary ones as ``"x"``.

    ``groups``: sequences of keys that belong together, each normally holding its total as one member.
    """
    if drempel <= 0:
        return dict(values)
    primary = {k for k, v in values.items() if is_small(v, drempel)}
    hidden = set(primary)
    group_list = [[k for k in g if k in values] for g in groups]
    changed = True
    while changed:
        changed = False
        for group in group_list:
            if sum(1 for k in group if k in hidden) != 1:
                continue
            candidates = [k for k in group if k not in hidden and (values[k] or 0) > 0]
            if candidates:
                hidden.add(min(candidates, key=lambda k: (values[k], str(k))))
                changed = True
    label = primary_label(drempel)
    return {k: (label if k in primary else SECONDARY if k in hidden else v) for k, v in values.items()}


def shown(value: float | None, drempel: int) -> Shown:
    """One figure on its own (no group): small -> ``"<drempel"``."""
    return primary_label(drempel) if is_small(value, drempel) else value


def hidden(value: Shown) -> bool:
    return isinstance(value, str)
