"""Terms of a case text, for the emerging-themes figure (``opkomend``): the set of lemmas of its content words.

A term is a word of at least :data:`MIN_LETTERS` letters **written in lower case** in the text, lemmatised
(``toeslagen`` -> ``toeslag``), that is not a Dutch stop word. Only lower-case words count, so names of
people, places and organisations (capitalised) never become terms; a term must moreover be in at least the
suppression threshold of cases before it is tested, so a rare word that survived anonymisation is never
published. Heading lines of the case template ("Wat speelt er?") are left out: a change of template between
years would otherwise look like an emerging theme. The text itself is read only to count; it is never
returned.
"""

from __future__ import annotations

import re

from spacy.lang.nl.stop_words import STOP_WORDS

from casusgraaf.nlp.lemmatizer import lemma_of

MIN_LETTERS = 5
TOKEN = re.compile(r"[\w\[\]-]+")
HEADING = re.compile(r"^[^\n]{0,80}\?[ \t]*$", re.MULTILINE)
# Words every case description uses, whatever it is about.
GENERIC = frozenset({"loket", "casus", "casussen", "maatwerkloket", "inwoner", "indiener"})


def case_terms(text: str) -> set[str]:
    tokens = set(TOKEN.findall(HEADING.sub(" ", text)))
    # lower-case letters only (a hyphen inside is fine): no names, numbers or [PLACEHOLDERS]
    words = {w for w in tokens if len(w) >= MIN_LETTERS and w.islower() and w.replace("-", "").isalpha()
             and w[0] != "-" and w[-1] != "-"} - STOP_WORDS
    lemmas = {lemma_of(w) for w in words}
    return {x for x in lemmas if len(x) >= MIN_LETTERS and x not in STOP_WORDS and x not in GENERIC}
