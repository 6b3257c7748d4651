"""The privacy gate: find personal data in case records before anything is stored.

``check_record`` scans every string a record stores (``record_slots``: texts, titles, list values,
knelpunt and leerpunt fields, ids), not a hand-kept list of fields.

``deduce`` finds person names, street addresses, places, phone numbers and e-mail addresses; our own
rules (``privacy_rules``) add what it misses or gets wrong: BSN with the 11-proof, IBAN with mod-97,
postcodes, dates of birth, exact ages next to a name, licence plates, dossier/client numbers, KvK
numbers. Names are classified here: a full name (PERSOON) is a hard identifier, a single first name
(VOORNAAM, the way anonymised stories are written) is allowed by default.

Findings never hold the matched value; logs and error messages carry types and positions only.
Deduce is loaded lazily, once per process (``get_deduce``); ``warm()`` builds its cache at setup.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import re
import secrets
import threading
import types
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel

from casusgraaf.models.records import CaseRecord
from casusgraaf.privacy import rules

log = logging.getLogger(__name__)

POLICY_FILE = Path(__file__).resolve().parent.parent / "models" / "privacy.yaml"
TYPES = ("BSN", "IBAN", "TELEFOON", "EMAIL", "POSTCODE", "ADRES", "GEBOORTEDATUM", "LEEFTIJD_MET_NAAM",
         "KENTEKEN", "DOSSIERNUMMER", "KVK", "PERSOON", "VOORNAAM", "PLAATS")
ACTIONS = ("allow", "redact", "quarantine")
Action = Literal["pass", "redact", "quarantine"]
_RANK = {"allow": 0, "pass": 0, "redact": 1, "quarantine": 2}
# Overlap resolution: the more specific identifier wins.
_PRIORITY = {"IBAN": 100, "EMAIL": 95, "BSN": 90, "KVK": 86, "DOSSIERNUMMER": 85, "TELEFOON": 80,
             "KENTEKEN": 75, "GEBOORTEDATUM": 70, "POSTCODE": 65, "ADRES": 60, "PERSOON": 50,
             "LEEFTIJD_MET_NAAM": 45, "VOORNAAM": 20, "PLAATS": 10}


# --- public data types ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its type and position, never its value."""

    type: str
    start: int
    end: int
    confidence: float
    rule: str
    field: str = "tekst"

    def __repr__(self) -> str:
        return (f"Finding(type={self.type!r}, field={self.field!r}, start={self.start}, end={self.end}, "
                f"confidence={self.confidence:.2f}, rule={self.rule!r})")

    __str__ = __repr__

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "field": self.field, "start": self.start, "end": self.end,
                "confidence": round(self.confidence, 2), "rule": self.rule}

    def describe(self) -> str:
        where = "" if self.field == "tekst" else f" in {self.field}"
        return f"{self.type}{where} op positie {self.start}–{self.end}"


@dataclass
class GateResult:
    """The verdict on one text or record.

    ``text`` is always safe to show: the original when ``action == "pass"``, otherwise the text with
    every non-allowed finding replaced by its placeholder. ``findings`` holds all findings, including
    allowed ones (VOORNAAM, PLAATS); ``blocking`` only those that caused the action.
    """

    action: Action
    text: str
    findings: list[Finding] = field(default_factory=list)
    actions: dict[str, str] = field(default_factory=dict, repr=False)
    unredactable: tuple[str, ...] = field(default=(), repr=False)  # key fields (``id``) with a blocking finding

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if self.actions.get(f.type, "quarantine") != "allow"]

    @property
    def types(self) -> list[str]:
        return sorted({f.type for f in self.blocking})

    def summary(self) -> str:
        """Dutch, positions only: "BSN op positie 34–43; PERSOON op positie 10–22"."""
        items = self.blocking
        if not items:
            return "geen persoonsgegevens gevonden"
        text = "; ".join(f.describe() for f in items)
        if self.unredactable:
            text += (f"; een id ({', '.join(self.unredactable)}) kan niet worden gemaskeerd, ook niet met "
                     "--redact: geef de casus een id zonder persoonsgegevens")
        return text

    def __repr__(self) -> str:
        return f"GateResult(action={self.action!r}, findings={self.findings!r})"

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "summary": self.summary(),
                "findings": [f.to_dict() for f in self.findings]}


# --- configuration -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Lists:
    actions: dict[str, str]
    placeholders: dict[str, str]
    advies: dict[str, str]
    bsn_cue: re.Pattern[str]
    iban_cue: re.Pattern[str]
    postcode_cue: re.Pattern[str]
    dossier_cue: re.Pattern[str]
    dossier_re: re.Pattern[str]
    titles: frozenset[str]
    common_surnames: frozenset[str]
    not_names: frozenset[str]
    allow_phrases: tuple[str, ...]
    street_re: re.Pattern[str]
    number_street_re: re.Pattern[str]
    not_street: frozenset[str]


@lru_cache(maxsize=1)
def load_policy() -> _Lists:
    data = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    actions = {k: str(v) for k, v in data["actions"].items()}
    for t, a in actions.items():
        if t not in TYPES or a not in ACTIONS:
            raise ValueError(f"{POLICY_FILE.name}: onbekend type of actie '{t}: {a}'")
    cues = data["cues"]
    return _Lists(
        actions=actions,
        placeholders=dict(data["placeholders"]),
        advies=dict(data["advies"]),
        bsn_cue=rules._cue_re(cues["bsn"]),
        iban_cue=rules._cue_re(cues["iban"]),
        postcode_cue=rules._cue_re(cues["postcode"]),
        dossier_cue=rules._cue_re(cues["dossier"] + ["kvk", "kamer van koophandel"]),
        dossier_re=rules.id_cue_regex(cues["dossier"]),
        titles=frozenset(t.lower() for t in data["titles"]),
        common_surnames=frozenset(data["common_surnames"]),
        not_names=frozenset(data["not_names"]),
        allow_phrases=tuple(data["allow_phrases"]),
        street_re=rules.street_regex(data["street_suffixes"], data["street_words"]),
        number_street_re=rules.number_street_regex(data["street_suffixes"]),
        not_street=frozenset(w.lower() for w in data["not_street"]),
    )


def advies(finding_type: str) -> str:
    """What the user should change for a finding type (Dutch)."""
    return load_policy().advies.get(finding_type, "verwijder dit gegeven")


# --- deduce: loaded once per process -------------------------------------------------------------

_deduce_lock = threading.Lock()
_deduce: Any = None
_names: tuple[frozenset[str], frozenset[str]] | None = None
_DEDUCE_DISABLED = {"person_annotation_converter", "remove_street_tags", "clean_street_tags",
                    "post_processing", "overlap_resolver", "merge_adjacent_annotations", "redactor",
                    "dates", "ages", "identifiers", "urls", "institutions", "eponymous_disease",
                    "patient_name"}


def _import_deduce() -> Any:
    # deduce calls logging.basicConfig(stream=sys.stdout, level=DEBUG) on import: with a handler on the
    # root logger that call does nothing, so our stdout (``--json``) and log level stay ours.
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)
    try:
        import deduce
    except ImportError as exc:  # pragma: no cover - deduce is a hard dependency
        raise RuntimeError("de privacypoort heeft 'deduce' nodig: pip install deduce==3.0.6") from exc
    finally:
        root.removeHandler(guard)
    return deduce


def get_deduce() -> Any:
    """The process-wide Deduce instance (first call: ~6 s, or ~90 s when its cache is not built yet)."""
    global _deduce
    if _deduce is None:
        with _deduce_lock:
            if _deduce is None:
                deduce = _import_deduce()
                log.info("deduce laden (eenmalig per proces)")
                # Its lookup cache unpickles into ~4.5 M objects. With the collector on, the load took 12.8-18 s
                # here and 4.5-6.4 s with it off; afterwards one full collection over them took 7.7 s (a pause
                # in whatever request triggers it), so they move to the permanent generation (gc.freeze).
                gc.collect()
                gc.disable()
                try:
                    _deduce = deduce.Deduce()
                finally:
                    gc.enable()
                gc.freeze()
    return _deduce


def _name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """deduce's first-name and surname lists, for classifying the names it tags."""
    global _names
    if _names is None:
        deduce = _import_deduce()
        base = Path(deduce.__file__).parent / "data" / "lookup" / "src" / "names"

        def read(sub: str) -> frozenset[str]:
            items = set((base / sub / "items.txt").read_text(encoding="utf-8").split("\n"))
            exc = base / sub / "exceptions.txt"
            if exc.exists():
                items -= set(exc.read_text(encoding="utf-8").split("\n"))
            items.discard("")
            return frozenset(items)

        _names = (read("lst_first_name"), read("lst_surname"))
    return _names


def warm() -> None:
    """Load deduce once (builds its ~77 MB lookup cache on first use, ~90 s). Called by ``setup``."""
    get_deduce()
    _name_lists()
    load_policy()


# --- name classification -------------------------------------------------------------------------

_TOKEN = re.compile(r"(?:[A-Z]\.){1,4}(?![a-z])|[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'’]+(?:-[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'’]+)*\.?")
_INITIALS = re.compile(r"^(?:[A-Z]\.){1,4}$|^[A-Z]{1,2}$")
_INTERFIX = frozenset({"van", "de", "der", "den", "te", "ten", "ter", "el", "al", "het", "'t", "da", "di", "du", "la",
                       "le", "von", "v.", "v.d.", "vd", "bin", "ben", "ibn", "abu", "op", "in", "dos", "del", "'s"})


def _sentence_start(text: str, pos: int) -> bool:
    left = text[:pos].rstrip(" \t\"'“‘(")
    return not left or left[-1] in ".!?:\n;"


class _NameClassifier:
    def __init__(self, lists: _Lists) -> None:
        self.lists = lists
        self.first, self.sur = _name_lists()

    def classify(self, text: str, start: int, end: int, conf: float, rule: str) -> list[rules.Hit]:
        lists = self.lists
        toks = [(m.start() + start, m.end() + start, m.group()) for m in _TOKEN.finditer(text[start:end])]
        # a title just left of the span belongs to it ("mevrouw" + deduce's "De Vries")
        left = text[max(0, start - 12):start]
        tm = re.search(r"(?i)(?:^|[^\w])((?:de heer|mevrouw|mevr\.|mw\.|meneer|mijnheer|dhr\.|dhr|mr\.|dr\.))\s+$", left)
        title = bool(tm)
        i = 0
        while i < len(toks):
            w = toks[i][2]
            lw = w.lower()
            if lw in lists.titles or lw.rstrip(".") in lists.titles:
                title = True
                i += 1
                continue
            if lw == "de" and i + 1 < len(toks) and toks[i + 1][2].lower() == "heer":
                title = True
                i += 2
                continue
            bare = w.rstrip(".")
            if bare in lists.not_names:
                i += 1
                continue
            # a capitalised sentence start that is no known name ("Volgens", "Daarna")
            if (i + 1 < len(toks) and _sentence_start(text, toks[i][0]) and bare not in self.first
                    and bare not in self.sur and not _INITIALS.match(w) and lw not in _INTERFIX):
                i += 1
                continue
            break
        kept: list[tuple[int, int, str, str]] = []  # (start, end, word, kind)
        for s, e, w in toks[i:]:
            lw = w.lower()
            bare = w.rstrip(".")
            if _INITIALS.match(w) and (w.endswith(".") or len(w) <= 2) and not _kept_has_name(kept):
                kept.append((s, e, w, "INIT"))
            elif lw in _INTERFIX or lw.rstrip(".") in _INTERFIX:
                kept.append((s, e, w, "IFX"))
            elif bare[:1].isupper() and bare not in lists.not_names:
                kept.append((s, e - (1 if w.endswith(".") and not _INITIALS.match(w) else 0), bare, "NAME"))
            else:
                break
        while kept and kept[-1][3] != "NAME":
            kept.pop()
        while kept and kept[0][3] == "IFX" and not title and len(kept) > 1 and kept[1][3] == "IFX":
            kept.pop(0)
        if not kept:
            return []
        names = [k for k in kept if k[3] == "NAME"]
        has_init = any(k[3] == "INIT" for k in kept)
        has_ifx = any(k[3] == "IFX" for k in kept)
        s0, e0 = kept[0][0], kept[-1][1]
        if not names:
            return []

        def known(w: str) -> bool:
            return w in self.first or w in self.sur or w in lists.common_surnames

        def first_only(w: str) -> bool:
            return w in self.first and w not in self.sur and w not in lists.common_surnames

        if has_init:
            return [rules.Hit("PERSOON", s0, e0, conf, rule + "+initialen")]
        if title:
            if len(names) == 1 and not has_ifx:
                w = names[0][2]
                if w in self.first and w not in lists.common_surnames:
                    return [rules.Hit("VOORNAAM", s0, e0, conf * 0.9, rule + "+titel_voornaam")]
            return [rules.Hit("PERSOON", s0, e0, conf, rule + "+titel")]
        if has_ifx:
            if kept[0][3] == "NAME" or kept[0][2][:1].isupper() or kept[-1][2] in self.sur \
                    or kept[-1][2] in lists.common_surnames:
                return [rules.Hit("PERSOON", s0, e0, conf, rule + "+tussenvoegsel")]
            return []
        if len(names) >= 2:
            w0, wl = names[0][2], names[-1][2]
            if known(w0) and not first_only(wl) or (w0 in self.first and wl in self.sur):
                return [rules.Hit("PERSOON", s0, e0, conf, rule + "+voornaam_achternaam")]
            return [rules.Hit("VOORNAAM", n[0], n[1], conf * 0.9, rule + "+voornaam")
                    for n in names if n[2] in self.first]
        w = names[0][2]
        if w in self.first:
            return [rules.Hit("VOORNAAM", names[0][0], names[0][1], conf * 0.9, rule + "+voornaam")]
        return []  # a lone surname is not flagged (see docs: ambiguous with common words)


def _kept_has_name(kept: list[tuple[int, int, str, str]]) -> bool:
    return any(k[3] == "NAME" for k in kept)


_NAME_TAG_PARTS = ("voornaam", "achternaam", "naam", "initiaal", "prefix", "interfix")
_TITLE_NAME_RE = re.compile(
    r"(?<![\w])(?:[Mm]evrouw|[Mm]evr\.|[Mm]w\.|[Mm]eneer|[Mm]ijnheer|[Dd]e heer|[Dd]hr\.?|[Mm]r\.|[Dd]r\.|[Dd]rs\.)"
    r"[^\S\n]+((?:(?:[A-Z]\.){1,4}[^\S\n]?)?(?:(?:[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]en|[Tt]e|[Ee]l|[Aa]l|'t|[Hh]et)[^\S\n]+)*"
    r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+)?(?:[^\S\n]+[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+)?)"
)
_INITIAL_NAME_RE = re.compile(
    r"(?<![\w.])((?:[A-Z]\.[^\S\n]?){1,4}(?:(?:[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]en|[Tt]e|[Ee]l|[Aa]l|'t|[Hh]et)[^\S\n]+)*"
    r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+)?)"
)


# --- the strings a record stores ------------------------------------------------------------------

_ID_SEPARATORS = str.maketrans({"-": " ", "_": " ", ".": " "})
_CACHE_MAX_CHARS = 200   # short values (organisaties, wetten, belegd_bij, ...) repeat across records
_CACHE_SIZE = 8192
_CACHE_KEY = secrets.token_bytes(16)  # per process: a cache key cannot be matched against guessed values


@dataclass(frozen=True)
class _Slot:
    """One string a record stores: its path (``leerpunten[0].belegd_bij``) and where to write it back."""

    path: str
    value: str
    owner: Any        # the BaseModel or list holding the value
    key: str | int    # attribute name or list index
    is_id: bool = False  # a key field (an id): constrained by a pattern, so it cannot take a placeholder


def _closed_literal(annotation: Any) -> frozenset[Any] | None:
    """The allowed values when ``annotation`` is a Literal (optionally ``| None``), else None."""
    if get_origin(annotation) is Literal:
        return frozenset(get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        allowed: set[Any] = set()
        for arg in get_args(annotation):
            if arg is type(None):
                continue
            sub = _closed_literal(arg)
            if sub is None:
                return None
            allowed |= sub
        return frozenset(allowed)
    return None


def record_slots(record: BaseModel, prefix: str = "") -> Iterator[_Slot]:
    """Every string ``record`` stores, nested models and lists included, in field order.

    Literal-typed fields (``status``, ``kon_verder``, ``orde``, ``soort``, ``indiener.type``) are skipped
    only while their value is one of the Literal's members: such a value is a fixed vocabulary word, never
    free text. Anything else that is a string is yielded, ids included; a string field with a ``pattern``
    constraint (``id``, ``leerpunten[i].id``, ``terugkerend_van``) is marked ``is_id``.
    """
    for name, info in type(record).model_fields.items():
        value = getattr(record, name, None)
        path = f"{prefix}{name}"
        if isinstance(value, str):
            allowed = _closed_literal(info.annotation)
            if allowed is None or value not in allowed:
                is_id = any(getattr(m, "pattern", None) for m in info.metadata)
                yield _Slot(path, value, record, name, is_id)
        elif isinstance(value, BaseModel):
            yield from record_slots(value, path + ".")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield _Slot(f"{path}[{i}]", item, value, i)
                elif isinstance(item, BaseModel):
                    yield from record_slots(item, f"{path}[{i}].")


# --- the gate ------------------------------------------------------------------------------------

def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _resolve(hits: Iterable[rules.Hit]) -> list[rules.Hit]:
    ordered = sorted(hits, key=lambda h: (-_PRIORITY[h.type], -(h.end - h.start), h.start))
    kept: list[rules.Hit] = []
    for h in ordered:
        if h.end <= h.start:
            continue
        if any(_overlaps((h.start, h.end), (k.start, k.end)) for k in kept):
            continue
        kept.append(h)
    return sorted(kept, key=lambda h: h.start)


def _name_key(text: str) -> str:
    words = re.findall(r"[\wÀ-ž'’]+", text.lower())
    return " ".join(words)


class PrivacyGate:
    """Scan texts and case records; decide pass, redact or quarantine by the per-type policy."""

    def __init__(self, policy: Mapping[str, str] | None = None) -> None:
        self.lists = load_policy()
        actions = dict(self.lists.actions)
        for t, a in (policy or {}).items():
            a = "allow" if a == "pass" else a
            if t not in TYPES or a not in ACTIONS:
                raise ValueError(f"onbekend type of actie in privacybeleid: '{t}: {a}'")
            actions[t] = a
        self.actions = actions
        self._names: _NameClassifier | None = None
        # hits of short strings, keyed by a digest (the cache holds positions, never a value)
        self._cache: OrderedDict[bytes, tuple[rules.Hit, ...]] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def redacting(cls) -> PrivacyGate:
        """The gate that redacts hard identifiers instead of quarantining them (``--redact``)."""
        return cls({t: "redact" for t, a in load_policy().actions.items() if a == "quarantine"})

    # -- detection --

    def scan(self, text: str) -> list[Finding]:
        """All findings in ``text`` (allowed types included), sorted by position."""
        return [Finding(h.type, h.start, h.end, h.confidence, h.rule) for h in self._hits(text)]

    def _cached_hits(self, text: str) -> tuple[rules.Hit, ...]:
        if len(text) > _CACHE_MAX_CHARS:
            return tuple(self._hits(text))
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16, key=_CACHE_KEY).digest()
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        hits = tuple(self._hits(text))
        with self._cache_lock:
            self._cache[key] = hits
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return hits

    def _hits(self, text: str) -> list[rules.Hit]:
        if not text or not text.strip():
            return []
        L = self.lists
        hits: list[rules.Hit] = []
        hits += rules.find_iban(text, L.iban_cue)
        hits += rules.find_bsn(text, L.bsn_cue, L.dossier_cue)
        hits += rules.find_email(text)
        hits += rules.find_phone(text)
        hits += rules.find_postcode(text, L.postcode_cue)
        hits += rules.find_street(text, L.street_re, L.not_street)
        hits += rules.find_number_street(text, L.number_street_re)
        hits += rules.find_birthdate(text)
        hits += rules.find_plate(text)
        hits += rules.find_dossier(text, L.dossier_re)
        hits += rules.find_kvk(text)
        strong = _resolve(hits)
        blocked = [(h.start, h.end) for h in strong]

        names, places, extra = self._deduce_hits(text, blocked)
        allow_spans = [(m.start(), m.end()) for p in L.allow_phrases for m in re.finditer(re.escape(p), text)]
        names = [n for n in names if not any(_overlaps((n.start, n.end), a) for a in allow_spans)]
        hits = strong + extra + names
        # a date in brackets right after a name is a date of birth: "Noor Bakker (03-03-1987)"
        for b0, d0, d1 in rules.find_dates_in_brackets(text):
            if any(0 <= b0 - n.end <= 2 for n in names):
                hits.append(rules.Hit("GEBOORTEDATUM", d0, d1, 0.85, "geboortedatum_na_naam"))
        # an exact age near a name in the same sentence
        ages = list(rules.find_exact_ages(text))
        for n in names:
            m = rules.AGE_AFTER_NAME.match(text[n.end:])
            if m:
                ages.append((n.end + m.start(1), n.end + m.end()))
        for a0, a1 in ages:
            for n in names:
                lo, hi = (n.end, a0) if n.end <= a0 else (a1, n.start)
                if 0 <= hi - lo <= 40 and not re.search(r"[.!?;]\s|\n", text[lo:hi]):
                    hits.append(rules.Hit("LEEFTIJD_MET_NAAM", a0, a1, 0.8, "leeftijd_bij_naam"))
                    break
        resolved = _resolve(hits)
        taken = [(h.start, h.end) for h in resolved]
        resolved += [p for p in _resolve(places) if not any(_overlaps((p.start, p.end), t) for t in taken)]
        return sorted(resolved, key=lambda h: h.start)

    def _deduce_hits(self, text: str, blocked: list[tuple[int, int]]
                     ) -> tuple[list[rules.Hit], list[rules.Hit], list[rules.Hit]]:
        d = get_deduce()
        if self._names is None:
            self._names = _NameClassifier(self.lists)
        doc = d.deidentify(text, disabled=_DEDUCE_DISABLED)
        L = self.lists
        name_anns: list[tuple[int, int]] = []
        places: list[rules.Hit] = []
        extra: list[rules.Hit] = []
        for a in doc.annotations:
            s, e, tag = int(a.start_char), int(a.end_char), a.tag
            if any(_overlaps((s, e), b) for b in blocked):
                continue
            if tag.startswith("straat+huisnummer"):
                words = text[s:e].split()
                num = re.match(r"\d+", words[-1]) if words else None
                if (len(words) >= 2 and num and words[0] not in L.not_names and words[0].lower() not in L.not_street
                        and not (len(num.group()) == 4 and 1900 <= int(num.group()) <= 2099)
                        and not rules._NOT_HOUSE_AFTER.match(text[e:])):
                    extra.append(rules.Hit("ADRES", s, e, 0.75, "deduce_adres"))
            elif tag == "telefoonnummer":
                if re.sub(r"\D", "", text[s:e]).startswith(("0800", "0900", "0906", "0909", "31800", "31900")):
                    continue
                if rules.after_iban_prefix(text, s):
                    continue
                extra.append(rules.Hit("TELEFOON", s, e, 0.75, "deduce_telefoon"))
            elif tag == "emailadres":
                extra.append(rules.Hit("EMAIL", s, e, 0.9, "deduce_email"))
            elif tag == "locatie" and not re.search(r"\d", text[s:e]):
                places.append(rules.Hit("PLAATS", s, e, 0.6, "deduce_plaats"))
            elif any(p in tag for p in _NAME_TAG_PARTS) and "pseudo" not in tag:
                name_anns.append((s, e))
        # own patterns: title + name, initials + surname
        for rx in (_TITLE_NAME_RE, _INITIAL_NAME_RE):
            for m in rx.finditer(text):
                name_anns.append((m.start(), m.end()))
        # cluster overlapping name annotations; classify each cluster once
        name_anns.sort()
        clusters: list[list[int]] = []
        for s, e in name_anns:
            if clusters and s < clusters[-1][1]:
                clusters[-1][1] = max(clusters[-1][1], e)
            else:
                clusters.append([s, e])
        strong_spans = blocked + [(h.start, h.end) for h in extra]
        place_spans = {(p.start, p.end) for p in places}
        names: list[rules.Hit] = []
        for s, e in clusters:
            for h in self._names.classify(text, s, e, 0.85, "naam"):
                if any(_overlaps((h.start, h.end), b) for b in strong_spans):
                    continue
                if (h.start, h.end) in place_spans and h.rule.endswith("tussenvoegsel"):
                    continue  # "Den Haag", "Den Helder": a place, not a surname
                names.append(h)
        return _resolve(names), places, extra

    # -- decisions --

    def _blocks(self, finding: Finding) -> bool:
        return self.actions.get(finding.type, "quarantine") != "allow"

    def _decide(self, findings: list[Finding]) -> Action:
        worst = max((_RANK[self.actions.get(f.type, "quarantine")] for f in findings), default=0)
        return ("pass", "redact", "quarantine")[worst]

    def _redact(self, text: str, findings: list[Finding], numbers: dict[str, int]) -> str:
        out: list[str] = []
        pos = 0
        for f in sorted(findings, key=lambda f: f.start):
            if self.actions.get(f.type, "quarantine") == "allow":
                continue
            placeholder = self.lists.placeholders.get(f.type, f"[{f.type}]")
            if "{n}" in placeholder:
                key = _name_key(text[f.start:f.end])
                n = numbers.setdefault(key, len(numbers) + 1)
                placeholder = placeholder.replace("{n}", str(n))
            out.append(text[pos:f.start])
            out.append(placeholder)
            pos = f.end
        out.append(text[pos:])
        return "".join(out)

    def check(self, text: str) -> GateResult:
        """Free text (a search query, extract input): the verdict and a safe text."""
        findings = self.scan(text)
        action = self._decide(findings)
        safe = text if action == "pass" else self._redact(text, findings, {})
        return GateResult(action, safe, findings, dict(self.actions))

    def check_record(self, record: CaseRecord) -> tuple[GateResult, CaseRecord | None]:
        """Scan every string the record stores (see :func:`record_slots`). Returns the verdict and the record
        to store: the record itself (pass), a redacted copy (redact; same name, same ``[PERSOON-n]`` in
        every field), or ``None`` (quarantine).

        An id (``id``, a leerpunt's ``id``; see ``_Slot.is_id``) is scanned with its separators read as spaces
        ("Pieter-de-Vries"). It cannot be redacted (it is a key, and a placeholder does not fit its pattern),
        so any non-allowed finding in it means quarantine, also in redact mode.
        """
        slots = list(record_slots(record))
        hits_of: dict[str, tuple[rules.Hit, ...]] = {}  # identical strings are scanned once
        per_slot: list[list[Finding]] = []
        for slot in slots:
            text = slot.value.translate(_ID_SEPARATORS) if slot.is_id else slot.value
            hits = hits_of.get(text)
            if hits is None:
                hits = hits_of[text] = self._cached_hits(text)
            per_slot.append([Finding(h.type, h.start, h.end, h.confidence, h.rule, slot.path) for h in hits])
        findings = [f for fs in per_slot for f in fs]
        action = self._decide(findings)
        unredactable = tuple(slot.path for slot, fs in zip(slots, per_slot, strict=True)
                             if slot.is_id and any(self._blocks(f) for f in fs))
        if unredactable:
            action = "quarantine"
        actions = dict(self.actions)
        if action == "quarantine":
            safe_text = self._redact(record.tekst, [f for f in findings if f.field == "tekst"], {})
            # an id may be what is personal: the log names types and field paths only
            log.info("record in quarantaine (%s)",
                     ", ".join(sorted({f"{f.type} in {f.field}" for f in findings if self._blocks(f)})))
            return GateResult(action, safe_text, findings, actions, unredactable), None
        if action == "pass":
            return GateResult(action, record.tekst, findings, actions), record
        numbers: dict[str, int] = {}
        copy = record.model_copy(deep=True)
        # the copy has the same slots in the same order; write each redacted value back in place
        for slot, fs in zip(record_slots(copy), per_slot, strict=True):
            if not any(self._blocks(f) for f in fs):
                continue
            new = self._redact(slot.value, fs, numbers)
            if isinstance(slot.owner, list):
                slot.owner[slot.key] = new  # type: ignore[index]
            else:
                setattr(slot.owner, slot.key, new)  # type: ignore[arg-type]
        return GateResult(action, copy.tekst, findings, actions), copy


_gates: dict[bool, PrivacyGate] = {}
_gates_lock = threading.Lock()


def get_gate(redact: bool = False) -> PrivacyGate:
    """The process-wide gate: the policy of ``models/privacy.yaml``, or with ``redact=True`` the redacting one
    (callers pass ``redact or settings.privacy_hard == "redact"``). Deduce loads once."""
    with _gates_lock:
        gate = _gates.get(redact)
        if gate is None:
            gate = _gates[redact] = PrivacyGate.redacting() if redact else PrivacyGate()
    return gate


__all__ = ["Finding", "GateResult", "PrivacyGate", "advies", "get_deduce", "get_gate", "load_policy",
           "record_slots", "warm"]
