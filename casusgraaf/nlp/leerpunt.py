"""Leerpunt sentences: "Leerpunt: ...", "Wat betekent dit voor toekomstige ...", "Het is belangrijk dat ...",
"... zou moeten ...", linked to an owner organisation when the sentence names one."""

from __future__ import annotations

import re

PREFIX = re.compile(r"^\s*(?:leerpunt(?:en)?|les|lessen|signaal|aanbeveling|aandachtspunt)\s*\d*\s*[:\-–]\s*", re.I)
CUES = [re.compile(p, re.I) for p in (
    r"\bwat betekent dit voor toekomstige\b",
    r"\bhet is (?:van )?(?:belangrijk|belang|wenselijk|nodig|raadzaam|zaak) (?:dat|om)\b",
    r"\bzou(?:den)?\b[^.]{0,80}\b(?:moeten|kunnen)\b",
    r"\b(?:moet|moeten)\b[^.]{0,60}\b(?:voortaan|in de toekomst|beter|eerder|sneller)\b",
    r"\b(?:voortaan|in de toekomst|bij toekomstige)\b",
    r"\bverdient (?:het )?aanbeveling\b",
    r"\b(?:leer|leert|leerde|leren) (?:hiervan|hieruit|we)\b",
    r"\bde les (?:is|was)\b",
    r"\b(?:aanbeveling|advies) (?:is|aan)\b",
)]
# preferred owner kinds when a sentence names several organisations
OWNER_ORDER = {"ministerie": 0, "lpd": 1, "pmm": 2, "gemeente": 3, "loket": 4, "organisatie": 5, "type": 6}


def is_leerpunt(sentence: str) -> tuple[bool, float]:
    if PREFIX.match(sentence):
        return True, 0.95
    hits = sum(1 for c in CUES if c.search(sentence))
    if hits:
        return True, min(0.9, 0.6 + 0.15 * hits)
    return False, 0.0


def strip_prefix(sentence: str) -> str:
    return PREFIX.sub("", sentence).strip()
