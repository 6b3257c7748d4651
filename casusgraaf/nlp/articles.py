"""Article references: "artikel 18 lid 1 Participatiewet", "art. 4:94a Awb", "artikel 35 van de Participatiewet",
"art. 3.1.2 Wlz", and the law-first form "de Participatiewet (artikel 35)"."""

from __future__ import annotations

import re

from casusgraaf.models.gazetteer import GazEntry, normalise_artikel

_NR = r"\d+(?:[.:]\d+)*[a-z]?"
_REST = (r"(?:,?\s+(?:lid|leden)\s+\d+[a-z]?(?:\s+(?:en|t/m)\s+\d+)?"
         r"|,?\s+(?:eerste|tweede|derde|vierde|vijfde|zesde|zevende)\s+lid"
         r"|,?\s+(?:aanhef\s+en\s+)?onder\s+[a-z](?:\d+)?\b|,?\s+sub\s+[a-z0-9]+\b)*")
BEFORE = re.compile(rf"\b(?:artikel(?:en)?|art\.?)\s*(?P<art>{_NR}(?:{_REST}))\s*,?\s*(?:van\s+(?:de|het)\s+)?$", re.I)
AFTER = re.compile(rf"^\s*(?:\(\s*|,\s*)(?:artikel|art\.?)\s*(?P<art>{_NR}(?:{_REST}))\s*\)?", re.I)


def article_for(text: str, start: int, end: int, entry: GazEntry) -> str | None:
    """The article cited with the law mention text[start:end], normalised (Awb 3.4 -> 3:4), or None."""
    window = text[max(0, start - 80):start]
    m = BEFORE.search(window)
    if m:
        return normalise_artikel(m.group("art"), entry)
    m = AFTER.match(text[end:end + 60])
    if m:
        return normalise_artikel(m.group("art"), entry)
    return None
