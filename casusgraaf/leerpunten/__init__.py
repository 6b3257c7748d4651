"""Leerpunten that are followed up (DOMAIN.md §4): identity, owners, dated history, te laat / stil, the
agenda of the ambassadeursoverleg and recurrence suggestions. Plain functions over the GraphStore; use
cases (validation, privacy gate, change log) live in ``casusgraaf.services.leerpunten``."""

from casusgraaf.leerpunten import agenda, lifecycle, recurrence

__all__ = ["agenda", "lifecycle", "recurrence"]
