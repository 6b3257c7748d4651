"""Dutch lemmatizer component: simplemma, plus the longest known suffix for unknown compounds.

"kinderopvangtoeslagen" is unknown to simplemma; its longest known suffix "toeslagen" lemmatises to
"toeslag", so the lemma becomes "kinderopvangtoeslag" and ``PhraseMatcher(attr="LEMMA")`` matches it.
Lemmas are lowercase.
"""

from __future__ import annotations

from functools import lru_cache

import simplemma
from spacy.language import Language
from spacy.tokens import Doc

MIN_SUFFIX = 4
MIN_COMPOUND = 8


@lru_cache(maxsize=200_000)
def lemma_of(word: str) -> str:
    low = word.lower()
    if not low.isalpha():
        return low
    if simplemma.is_known(low, lang="nl") or len(low) < MIN_COMPOUND:
        return simplemma.lemmatize(low, lang="nl").lower()
    for i in range(1, len(low) - MIN_SUFFIX + 1):  # longest suffix first
        suffix = low[i:]
        if simplemma.is_known(suffix, lang="nl"):
            return low[:i] + simplemma.lemmatize(suffix, lang="nl").lower()
    return simplemma.lemmatize(low, lang="nl").lower()


def is_known(word: str) -> bool:
    return simplemma.is_known(word.lower(), lang="nl")


@Language.component("casusgraaf_lemmatizer")
def lemmatize_doc(doc: Doc) -> Doc:
    for token in doc:
        token.lemma_ = lemma_of(token.text)
    return doc
