"""Negation: "geen schulden", "niet bij UWV bekend", "zonder bewindvoerder".

Applied to organisations and to leefgebied *problem* words. Laws and benefits are not negated: a refused
or missing benefit ("geen recht op bijstand") is usually the knelpunt itself; domain words likewise
("geen woning" is a wonen problem).
"""

from __future__ import annotations

from spacy.tokens import Doc

CUES = {"geen", "niet", "nooit", "zonder", "noch", "nergens"}
# tokens that may sit between the cue and the entity
FILLER = {"bij", "door", "met", "van", "aan", "op", "de", "het", "een", "in", "via", "naar", "voor", "tot", "meer",
          "langer", "echt", "eens", "sprake", "enige", "enkele", "ook", "nog", "al", "zijn", "haar", "hun", "z'n"}
POST = {"betrokken", "bekend", "ingeschakeld", "benaderd", "aangesloten", "bereikt", "aanwezig", "gevonden"}
BOUNDARY = {",", ";", ":", "maar", "want", "omdat", "terwijl", "dat", "die", "wel", "doch", "(", ")"}


def is_negated(doc: Doc, start: int, end: int, max_free: int = 1) -> bool:
    sent_start = doc[start].sent.start
    free = 0
    i = start - 1
    while i >= sent_start and start - i <= 5:
        low = doc[i].lower_
        if low in CUES:
            return low in ("geen", "zonder") or free == 0 or free <= max_free - 1
        if low in BOUNDARY:
            break
        if low not in FILLER:
            free += 1
            if free > max_free:
                break
        i -= 1
    # "<org> is/was niet betrokken", "<org> kende hem niet" is not covered on purpose
    sent_end = doc[start].sent.end
    j = end
    window = [t.lower_ for t in doc[j:min(sent_end, j + 4)]]
    for k, low in enumerate(window[:-1]):
        if low in BOUNDARY:
            break
        after = window[k + 2] if k + 2 < len(window) else ""
        if low == "niet" and window[k + 1] in POST and after not in ("met", "van", "om"):
            return True
        if low == "nog" and k + 2 < len(window) and window[k + 1] == "niet" and window[k + 2] in POST:
            return True
    return False
