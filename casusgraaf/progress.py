"""Progress bars for long work (rich), silent when disabled (``--json``, tests, no terminal)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeRemainingColumn
from rich.progress import Progress as _RichProgress

T = TypeVar("T")


class Progress:
    def __init__(self, enabled: bool = True) -> None:
        self._p = (_RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), transient=False) if enabled else None)

    def __enter__(self) -> Progress:
        if self._p:
            self._p.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._p:
            self._p.__exit__(*exc)

    def add(self, description: str, total: int) -> TaskID | None:
        return self._p.add_task(description, total=total) if self._p else None

    def advance(self, task: TaskID | None, n: int = 1) -> None:
        if self._p and task is not None:
            self._p.advance(task, n)

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        seq = list(items)
        task = self.add(description, total if total is not None else len(seq))
        for item in seq:
            yield item
            self.advance(task)
