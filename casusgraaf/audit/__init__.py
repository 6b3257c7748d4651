"""The audit trail: who searched, viewed, queried, exported, changed or erased what, and when.

One append-only, hash-chained JSONL file in the data dir (``audit/audit.jsonl``, mode 0600) with a head
pointer beside it, so a deleted, edited, reordered or cut-off line is found by ``casusgraaf audit verify``.
Records never hold case text: ``record`` refuses a ``what`` that the privacy gate flags or that holds a
long string; free text (a search query, a Cypher query) goes in as :meth:`AuditLog.text_hash`.
See docs/SECURITY.md (audit section).
"""

from casusgraaf.audit.keys import install_key, keyed_hash
from casusgraaf.audit.log import (
           ACTIONS,
           GENESIS,
           MAX_IDS,
           MAX_STRING,
           AuditLog,
           AuditRefused,
           Broken,
           parse_since,
)

__all__ = ["ACTIONS", "GENESIS", "MAX_IDS", "MAX_STRING", "AuditLog", "AuditRefused", "Broken", "install_key",
           "keyed_hash", "parse_since"]
