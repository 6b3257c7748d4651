"""The spaCy pipeline: blank ``nl`` + hyphen-splitting tokenizer + sentencizer + lemmatizer + gazetteer matcher.

Matching runs three PhraseMatchers over the gazetteers: ORTH for abbreviations (case-sensitive: "WW", "OP",
"LET" never fire on "ww", "op", "let"), LOWER for names and aliases, LEMMA for inflected forms and compounds
whose head is known. Ambiguous abbreviations (``ambigu: true`` in the data) get context checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from casusgraaf.models.gazetteer import (
    GazEntry,
    LeefgebiedSignaal,
    all_organisaties,
    all_wetten,
    leefgebied_signalen,
)
from casusgraaf.nlp import lemmatizer as _lemmatizer  # noqa: F401  (registers the component)
from casusgraaf.nlp.lemmatizer import is_known, lemma_of

# method priority when two matches cover the same tokens
_PRIORITY = {"orth": 4, "gemeente": 4, "lower": 3, "lemma": 2, "compound": 1, "gemeente-type": 1}
_CONFIDENCE = {"orth": 0.92, "lower": 0.95, "lemma": 0.88, "compound": 0.75, "gemeente": 0.95, "gemeente-type": 0.8}

# verbs that make a sentence-initial "Toeslagen" the organisation rather than the benefits
_ORG_VERBS = {"heeft", "had", "besloot", "besluit", "stuurde", "stuurt", "vordert", "vorderde", "wil", "wilde", "kan",
              "kon", "moet", "moest", "gaf", "geeft", "zegt", "zei", "stelde", "stelt", "weigerde", "weigert", "erkende",
              "erkent", "is", "was", "oordeelde", "nam", "neemt", "liet", "laat", "reageerde", "verstrekte", "zette",
              "paste", "past", "keurde", "wees", "wijst", "bood", "biedt", "ging", "gaat", "legde", "nodigde"}
_LINK = ("s", "-", "e", "en")


@dataclass
class RawMatch:
    start: int  # token indices
    end: int
    kind: str  # "gaz" | "leefgebied"
    method: str  # orth | lower | lemma | compound | gemeente | gemeente-type
    entry: GazEntry | None = None
    signaal: LeefgebiedSignaal | None = None

    @property
    def confidence(self) -> float:
        return _CONFIDENCE.get(self.method, 0.8)


def _make_tokenizer_split_hyphens(nlp: Language) -> None:
    """Split "Wlz-indicatie" into Wlz - indicatie so "Wlz" matches with exact offsets."""
    infixes = list(nlp.Defaults.infixes or ()) + [r"(?<=[A-Za-zÀ-ÿ0-9])-(?=[A-Za-zÀ-ÿ])", r"(?<=[A-Za-z])/(?=[A-Za-z])"]
    tokenizer: Any = nlp.tokenizer  # spaCy types it as a callable; it is a Tokenizer
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    for special in ("A&M", "J&V", "DT&V", "B&W"):
        tokenizer.add_special_case(special, [{"ORTH": special}])
        tokenizer.add_special_case(special + ",", [{"ORTH": special}, {"ORTH": ","}])
    # "bij de IND." must end in the abbreviation plus a full stop, not in a Dutch abbreviation "ind."
    abbrs = {a for e in [*all_wetten(), *all_organisaties()] for a in e.afkortingen if " " not in a}
    for a in abbrs | {"A&M", "J&V", "DT&V", "B&W"}:
        if not a.endswith("."):
            tokenizer.add_special_case(a + ".", [{"ORTH": a}, {"ORTH": "."}])


class GazetteerMatcher:
    """Finds wetten, regelingen, organisaties and leefgebied signals; resolves overlaps; stores RawMatch list."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.lg_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.lg_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.entries: dict[str, GazEntry] = {}
        self.signals: dict[str, LeefgebiedSignaal] = {}
        self.prefixes: dict[str, list[tuple[str, GazEntry]]] = {}
        self.lg_heads: dict[str, LeefgebiedSignaal] = {}
        self.org_heads: dict[str, GazEntry] = {}
        self._build()

    def _docs(self, texts: list[str]) -> list[Doc]:
        return [_lemmatizer.lemmatize_doc(self.nlp.make_doc(t)) for t in texts]

    def _build(self) -> None:
        entries = [*all_wetten(), *all_organisaties()]
        for i, e in enumerate(entries):
            key = f"G{i}"
            self.entries[key] = e
            if e.afkortingen:
                self.orth.add(key, self._docs(list(dict.fromkeys(e.afkortingen))))
            names = list(dict.fromkeys([e.canonical, *e.aliassen])) if e.soort != "gemeente" else list(e.aliassen)
            names = [n for n in names if n not in e.afkortingen]
            if e.soort == "gemeente":
                self.orth.add(key, self._docs(names))
                continue
            if names:
                self.lower.add(key, self._docs(names))
                self.lemma.add(key, self._docs(names))
            if e.type in ("wet", "regeling") or e.soort == "type":
                for n in names:
                    low = n.lower()
                    if " " in low or "-" in low or len(low) < 6 or (e.soort == "type" and len(low) < 8):
                        continue
                    self.prefixes.setdefault(low[:6], []).append((low, e))
                    if e.soort == "type":
                        self.org_heads[lemma_of(low)] = e
        for i, s in enumerate(leefgebied_signalen()):
            key = f"L{i}"
            self.signals[key] = s
            if s.term.isupper():
                self.orth.add(key, self._docs([s.term]))
            elif s.term == "zorg":  # the verb "zorgen" must not count
                self.lg_lower.add(key, self._docs([s.term]))
            else:
                self.lg_lemma.add(key, self._docs([s.term]))
                if " " not in s.term and len(s.term) >= 5:
                    self.lg_heads[lemma_of(s.term)] = s

    # ---------------------------------------------------------------- ambiguity rules
    @staticmethod
    def _all_caps_context(doc: Doc, start: int, end: int) -> bool:
        neighbours = [t for t in (doc[start - 1] if start > 0 else None, doc[end] if end < len(doc) else None)
                      if t is not None and t.is_alpha and len(t) > 1]
        return any(t.text.isupper() and t.text not in _KNOWN_ABBR for t in neighbours)

    def _accept_orth(self, doc: Doc, start: int, end: int, e: GazEntry) -> bool:
        text = doc[start:end].text
        nxt = doc[end] if end < len(doc) else None
        prev = doc[start - 1] if start > 0 else None
        if e.canonical == "Dienst Toeslagen" and text == "Toeslagen":
            if prev is not None and prev.text in ("Belastingdienst", "/"):
                return True
            if doc[start].is_sent_start or prev is None or prev.text in ("\"", "(", "'", ":"):
                return nxt is not None and nxt.lower_ in _ORG_VERBS
            return True
        if text == "Loket" and (doc[start].is_sent_start or prev is None or prev.lower_ not in ("het", "via", "dit")):
            return False
        if not e.ambigu:
            return True
        if text == "LET" and nxt is not None and nxt.lower_ in ("op", ":", "wel", "er"):
            return False
        if text == "OP" and prev is not None and prev.lower_ == "let":
            return False
        return not self._all_caps_context(doc, start, end)

    # ---------------------------------------------------------------- matching
    def __call__(self, doc: Doc) -> list[RawMatch]:
        cands: list[RawMatch] = []
        for method, matcher in (("orth", self.orth), ("lower", self.lower), ("lemma", self.lemma)):
            for key_id, s, e in matcher(doc):
                key = self.nlp.vocab.strings[key_id]
                if key.startswith("L"):
                    cands.append(RawMatch(s, e, "leefgebied", "orth", signaal=self.signals[key]))
                    continue
                entry = self.entries[key]
                if method == "orth":
                    if not self._accept_orth(doc, s, e, entry):
                        continue
                    if entry.soort == "gemeente":
                        method_ = "gemeente"
                        cands.append(RawMatch(s, e, "gaz", method_, entry=entry))
                        continue
                elif entry.canonical == "Dienst Toeslagen" and doc[s:e].text.lower() == "toeslagen":
                    continue
                cands.append(RawMatch(s, e, "gaz", method, entry=entry))
        cands.extend(self._gemeente_rule(doc))
        cands.extend(self._compound_rule(doc, cands))
        gaz = _resolve_overlaps([c for c in cands if c.kind == "gaz"])
        lg = self._leefgebied(doc, [c for c in cands if c.kind == "leefgebied"], gaz)
        return gaz + lg

    def _gemeente_rule(self, doc: Doc) -> list[RawMatch]:
        """ "gemeente Eikendam": an unknown capitalised name after "gemeente" is still a gemeente (type)."""
        out = []
        type_entry = next(e for e in self.entries.values() if e.canonical == "gemeente" and e.soort == "type")
        for tok in doc:
            if tok.lower_ != "gemeente" or tok.i + 1 >= len(doc):
                continue
            j = tok.i + 1
            while j < len(doc) and j - tok.i <= 3 and doc[j].is_alpha and doc[j].text[:1].isupper() \
                    and not doc[j].is_sent_start and doc[j].text not in _KNOWN_ABBR:
                j += 1
            if j > tok.i + 1:
                out.append(RawMatch(tok.i, j, "gaz", "gemeente-type", entry=type_entry))
        return out

    def _compound_rule(self, doc: Doc, cands: list[RawMatch]) -> list[RawMatch]:
        """ "bijstandsgerechtigde", "huurtoeslagschuld": a known law/benefit as the modifier of a compound."""
        covered = {i for c in cands for i in range(c.start, c.end)}
        out = []
        for tok in doc:
            low = tok.lower_
            if tok.i in covered or len(low) < 9 or not tok.is_alpha:
                continue
            lem = tok.lemma_
            head = next((self.org_heads[lem[i:]] for i in range(3, len(lem) - 7) if lem[i:] in self.org_heads), None)
            if head is not None:  # "jeugdzorgaanbieder" -> zorgaanbieder
                out.append(RawMatch(tok.i, tok.i + 1, "gaz", "compound", entry=head))
                continue
            for alias, entry in self.prefixes.get(low[:6], ()):
                if not low.startswith(alias) or len(low) - len(alias) < 3:
                    continue
                rest = low[len(alias):]
                for link in ("", *_LINK):
                    r = rest[len(link):] if rest.startswith(link) else None
                    if r and len(r) >= 3 and (is_known(r) or is_known(lemma_of(r))):
                        out.append(RawMatch(tok.i, tok.i + 1, "gaz", "compound", entry=entry))
                        break
                else:
                    continue
                break
        return out

    def _leefgebied(self, doc: Doc, orth_hits: list[RawMatch], gaz: list[RawMatch]) -> list[RawMatch]:
        hits = list(orth_hits)
        for matcher in (self.lg_lemma, self.lg_lower):
            for key_id, s, e in matcher(doc):
                hits.append(RawMatch(s, e, "leefgebied", "lemma", signaal=self.signals[self.nlp.vocab.strings[key_id]]))
        covered = {i for h in hits for i in range(h.start, h.end)}
        for tok in doc:  # compound heads: "huurachterstanden" -> achterstand
            if tok.i in covered or not tok.is_alpha or len(tok) < 8:
                continue
            lem = tok.lemma_
            for i in range(1, len(lem) - 4):
                sig = self.lg_heads.get(lem[i:])
                if sig is not None and len(lem[:i]) >= 3:
                    hits.append(RawMatch(tok.i, tok.i + 1, "leefgebied", "compound", signaal=sig))
                    break
        # no leefgebied inside a law's or organisation's name ("Wet langdurige zorg", "maatschappelijk werk")
        blocked = {i for g in gaz if g.entry is not None and g.entry.type != "regeling" for i in range(g.start, g.end)}
        hits = [h for h in hits if not any(i in blocked for i in range(h.start, h.end))]
        return _resolve_overlaps(hits)


def _resolve_overlaps(cands: list[RawMatch]) -> list[RawMatch]:
    """Longest span wins; then method priority; then first seen. One match per token."""
    cands = sorted(cands, key=lambda c: (-(c.end - c.start), -_PRIORITY.get(c.method, 0), c.start))
    taken: set[int] = set()
    out = []
    for c in cands:
        toks = set(range(c.start, c.end))
        if toks & taken:
            continue
        taken |= toks
        out.append(c)
    return sorted(out, key=lambda c: c.start)


_KNOWN_ABBR: set[str] = set()


@Language.factory("casusgraaf_gazetteer")
def _create_gazetteer(nlp: Language, name: str):
    matcher = GazetteerMatcher(nlp)

    def component(doc: Doc) -> Doc:
        doc.user_data["casusgraaf_matches"] = matcher(doc)
        return doc

    return component


@lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The shared pipeline (built once per process)."""
    _KNOWN_ABBR.update(a for e in [*all_wetten(), *all_organisaties()] for a in e.afkortingen)
    nlp = spacy.blank("nl")
    _make_tokenizer_split_hyphens(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("casusgraaf_lemmatizer")
    nlp.add_pipe("casusgraaf_gazetteer")
    return nlp


WORD_RE = re.compile(r"\w+")
