"""Pattern and checksum detectors for the privacy gate: what deduce misses or gets wrong.

Each detector takes the text (and the loaded :class:`Lists` from ``models/privacy.yaml``) and yields
:class:`Hit` tuples. A hit holds positions only; the matched value is never stored or logged.

Decisions (documented here and in ``docs/PRIVACY.md`` by the lead):

* BSN: a 9-digit number (also ``1234.56.782`` / ``123 456 782``) that passes the 11-proof is a BSN.
  A 9-digit number that fails the proof is *not* a BSN, **unless** a BSN cue ("BSN",
  "burgerservicenummer", "sofinummer") stands just before it: a mistyped BSN is still an attempt to
  identify a person, so it is flagged (lower confidence, rule ``bsn_cue``).
* IBAN: country code + check digits + account, with or without spaces, validated with mod-97 (ISO
  13616) against the country's IBAN length. An invalid IBAN is flagged only after an IBAN cue.
* Dates are personal data only as a date of birth (cue "geboren", "geb.", "geboortedatum", or a date
  in brackets right after a name). Event dates ("op 3 maart 2023 diende ...") pass.
* A full postcode (``1234 AB``) is flagged with or without a house number; four digits alone are not.
* An exact age counts only next to a name (LEEFTIJD_MET_NAAM): "Noor (34)", "de 34-jarige Noor",
  "Noor, 34 jaar,". Durations ("al 3 jaar") and ranges ("30-35 jaar", "eind twintig") pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# --- small helpers -------------------------------------------------------------------------------

_HS = r"[^\S\n]"  # horizontal whitespace (incl. non-breaking space)


@dataclass(frozen=True)
class Hit:
    type: str
    start: int
    end: int
    confidence: float
    rule: str


def _cue_before(text: str, start: int, cue: re.Pattern[str], window: int = 40) -> bool:
    """True when ``cue`` occurs in the ``window`` characters before ``start`` on the same line."""
    left = text[max(0, start - window):start]
    left = left.rsplit("\n", 1)[-1]
    return bool(cue.search(left))


def _cue_re(words: list[str]) -> re.Pattern[str]:
    alts = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"(?i)(?<![\w])(?:{alts})(?![\w])")


# --- checksums -----------------------------------------------------------------------------------

def bsn_valid(digits: str) -> bool:
    """The 11-proof (elfproef) for a 9-digit BSN: sum(d_i * (9-i)) - d_9 is divisible by 11."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MA": 28, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27,
    "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24,
    "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24,
    "XK": 20,
}


def iban_valid(compact: str) -> bool:
    """ISO 13616 mod-97 check on an IBAN without spaces (any case); length must fit the country."""
    s = compact.upper()
    if len(s) < 15 or len(s) > 34 or not s[:2].isalpha() or not s[2:4].isdigit() or not s.isalnum():
        return False
    if s[:2] in IBAN_LENGTHS and len(s) != IBAN_LENGTHS[s[:2]]:
        return False
    rearranged = s[4:] + s[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


# --- detectors -----------------------------------------------------------------------------------

_BSN_RE = re.compile(r"(?<![\w.,/-])(\d{4}\.\d{2}\.\d{3}|\d{3}[ .]\d{3}[ .]\d{3}|\d{9})(?![\w/]|[.,]\d|-\d)")


def find_bsn(text: str, bsn_cue: re.Pattern[str], other_id_cue: re.Pattern[str]) -> Iterator[Hit]:
    for m in _BSN_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        cued = _cue_before(text, m.start(), bsn_cue, 35)
        if _cue_before(text, m.start(), other_id_cue, 30) and not cued:
            continue  # "dossiernummer 123456782": the dossier detector owns it
        if bsn_valid(digits):
            yield Hit("BSN", m.start(1), m.end(1), 0.95 if cued else 0.85, "bsn_11proef")
        elif cued and len(digits) == 9:
            yield Hit("BSN", m.start(1), m.end(1), 0.7, "bsn_cue")


# Compact ("NL91ABNA0417164300", any case) or grouped by four ("NL91 ABNA 0417 1643 00").
_IBAN_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:([A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)|([A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}))"
    r"(?![A-Za-z0-9])"
)


def find_iban(text: str, iban_cue: re.Pattern[str]) -> Iterator[Hit]:
    for m in _IBAN_RE.finditer(text):
        raw = m.group(1) or m.group(2)
        if m.group(2) and not (raw.isupper() or raw.islower() or raw[:2].isupper()):
            continue
        # offsets of each alphanumeric character, so a shorter valid prefix can be cut out
        ends = [m.start() + i + 1 for i, c in enumerate(raw) if c != " "]
        compact = raw.replace(" ", "").upper()
        country = compact[:2]
        want = IBAN_LENGTHS.get(country)
        lengths = [want] if want else list(range(len(compact), 14, -1))
        hit = None
        for n in lengths:
            if n <= len(compact) and iban_valid(compact[:n]):
                hit = Hit("IBAN", m.start(), ends[n - 1], 0.97, "iban_mod97")
                break
        if hit is None and want and len(compact) >= want and _cue_before(text, m.start(), iban_cue, 30):
            hit = Hit("IBAN", m.start(), ends[want - 1], 0.7, "iban_cue")
        if hit is not None:
            yield hit


_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}(?![\w])")


def find_email(text: str) -> Iterator[Hit]:
    for m in _EMAIL_RE.finditer(text):
        yield Hit("EMAIL", m.start(), m.end(), 0.98, "email")


_PHONE_START = re.compile(r"(?<![\w+])(?:\+|00)(\d{2,3})|(?<![\w])\(?0(?=\d)")
_SERVICE = ("0800", "0900", "0906", "0909")


def after_iban_prefix(text: str, start: int) -> bool:
    """True when ``start`` follows "NL91 ABNA ": digits there belong to an (invalid) IBAN."""
    return bool(re.search(r"(?i)[A-Z]{2}\d{2} ?[A-Z]{4} ?$", text[max(0, start - 12):start]))


def find_phone(text: str) -> Iterator[Hit]:
    """Dutch numbers (06-, 0xx-, +31, 0031, ``(0)``) and foreign numbers written with ``+``/``00``."""
    pos = 0
    n = len(text)
    while True:
        m = _PHONE_START.search(text, pos)
        if not m:
            return
        pos = m.end()
        start = m.start()
        if after_iban_prefix(text, start):
            continue  # the account part of an IBAN, not a phone number
        digits = ""
        foreign = False
        if m.group(1) is not None:  # +CC or 00CC
            cc_all = text[m.start():m.end()].lstrip("+")
            cc_all = cc_all[2:] if cc_all.startswith("00") else cc_all
            if cc_all.startswith("31"):
                digits = "0"
                i = m.start() + (3 if text[m.start()] == "+" else 4)
            else:
                foreign = True
                digits = cc_all[:2]
                i = m.start() + (1 if text[m.start()] == "+" else 2) + 2
        else:
            i = m.end()
            digits = "0"
            # (0)20 ... or 020-... : i points after the 0
        want = 10
        last_digit_end = None
        sep_run = 0
        while i < n:
            c = text[i]
            if c.isdigit():
                digits += c
                sep_run = 0
                i += 1
                last_digit_end = i
                if not foreign and len(digits) == want:
                    break
                if foreign and len(digits) >= 13:
                    break
                continue
            if c in " -()./\u00a0" and sep_run < 3:
                # skip "(0)" after a country code
                if text.startswith("(0)", i) and digits == "0":
                    i += 3
                    sep_run += 1
                    continue
                sep_run += 1
                i += 1
                continue
            break
        if last_digit_end is None:
            continue
        nxt = text[last_digit_end:last_digit_end + 2]
        followed_by_digit = bool(re.match(r"[ \-.]?\d", nxt))
        if not foreign:
            if len(digits) != want or followed_by_digit:
                continue
            if digits.startswith(_SERVICE) or digits.startswith("00"):
                continue
            yield Hit("TELEFOON", start, last_digit_end, 0.9, "telefoon_nl")
            pos = last_digit_end
        else:
            if 10 <= len(digits) <= 13 and not followed_by_digit:
                yield Hit("TELEFOON", start, last_digit_end, 0.8, "telefoon_int")
                pos = last_digit_end


_POSTCODE_RE = re.compile(r"(?<![\w€.,-])([1-9]\d{3})(?:[ \u00a0]?([A-Z]{2})|([a-z]{2}))(?![\w-])")
_POSTCODE_BAD = {"SA", "SD", "SS"}


def find_postcode(text: str, postcode_cue: re.Pattern[str]) -> Iterator[Hit]:
    for m in _POSTCODE_RE.finditer(text):
        letters = m.group(2) or (m.group(3) or "").upper()
        if letters in _POSTCODE_BAD:
            continue
        year_like = 1900 <= int(m.group(1)) <= 2099
        after = text[m.end():m.end() + 40]
        before_cued = _cue_before(text, m.start(), postcode_cue, 30)
        town_after = bool(re.match(r"[ \u00a0]{1,2}[A-Z][a-zà-ÿ]+", after)) or bool(re.match(r",? ?\d", after))
        if m.group(3) and not (before_cued or town_after):
            continue  # "1234ab" in lower case: only with a cue or a town after it
        if year_like and not (before_cued or town_after):
            continue  # "in 2019 EU-regels"
        if letters in {"EU", "VS", "NL", "AC", "JR", "CB", "EV", "OP", "LET"} and not before_cued:
            continue
        yield Hit("POSTCODE", m.start(), m.end(), 0.9, "postcode")


def street_regex(suffixes: list[str], street_words: list[str]) -> re.Pattern[str]:
    suf = "|".join(sorted(map(re.escape, suffixes), key=len, reverse=True))
    words = "|".join(sorted(map(re.escape, street_words), key=len, reverse=True))
    tv = r"(?:van|de|der|den|het|ter|ten|te|op|in|aan|'t)"
    lead = rf"(?:(?:[A-Z][\w'’.-]*|\d{{1,2}}e){_HS}(?:{tv}{_HS})*){{0,3}}"
    core1 = rf"[A-Z][\w'’-]*?(?:{suf})"
    core2 = rf"(?:{words})(?:{_HS}(?:van|de|der|den|het|ter|ten|te|op|in|aan|'t))*(?:{_HS}[A-Z][\w'’-]+)+"
    number = (rf"(?:nr\.?{_HS}?|nummer{_HS})?(\d{{1,4}})"
              rf"(?:{_HS}?-?{_HS}?(?:[a-zA-Z](?![\w])|hs\b|bis\b|I{{1,3}}\b|bv\b|zw\b)|-\d{{1,3}}(?![\d]))?")
    return re.compile(rf"(?<![\w])({lead}(?:{core2}|{core1})),?{_HS}{number}(?![\d,.%]\d|\d|{_HS}?%)")


def number_street_regex(suffixes: list[str]) -> re.Pattern[str]:
    """"nummer 12 in de Kerkstraat": the house number before the street."""
    suf = "|".join(sorted(map(re.escape, suffixes), key=len, reverse=True))
    return re.compile(rf"(?<![\w])((?:huis)?(?:nummer|nr\.?){_HS}\d{{1,4}}[a-zA-Z]?{_HS}(?:in|aan|van|op){_HS}(?:de|het){_HS}"
                      rf"[A-Z][\w'’-]*?(?:{suf}))(?![\w])")


def find_number_street(text: str, rx: re.Pattern[str]) -> Iterator[Hit]:
    for m in rx.finditer(text):
        yield Hit("ADRES", m.start(1), m.end(1), 0.8, "huisnummer_straat")


_NOT_HOUSE_AFTER = re.compile(r"(?i)^\s*(?:jaar|jarige?|weken|week|maanden|maand|dagen|dag|keer|uur|euro|%|procent|"
                              r"kinderen|personen|mensen|gemeenten|casussen|cases|stuks|minuten|km|kilometer)\b")


def find_street(text: str, street_re: re.Pattern[str], not_street: frozenset[str] | set[str]) -> Iterator[Hit]:
    for m in street_re.finditer(text):
        name = m.group(1)
        number = int(m.group(2))
        first = name.split()[0]
        if first.lower() in not_street or name.split()[-1].lower() in not_street:
            continue
        if 1900 <= number <= 2099 and m.end() - m.start(2) == 4:
            continue  # a year after a word ending in "-dam", "-hof": "Gerechtshof 2023"
        if _NOT_HOUSE_AFTER.match(text[m.end():]):
            continue
        start = m.start(1)
        yield Hit("ADRES", start, m.end(), 0.88, "straat_huisnummer")


_DATE_PAT = (r"(?:\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}|"
             r"\d{1,2}(?:e|ste|de)?" + _HS + r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|"
             r"oktober|november|december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)\.?(?:" + _HS
             + r"(?:19|20)\d{2}|" + _HS + r"'\d{2})?)")
_BIRTH_RE = re.compile(
    r"(?i)(?<![\w])(?:geboren|geb\.?|geboortedatum|geb\.?datum|geboortedag|geboortedatum:)"
    r"(?:" + _HS + r"|:|\()*(?:op|in|d\.d\.|is|was)?(?:" + _HS + r"|:)*(?:de" + _HS + r")?(" + _DATE_PAT + r")(?![\w]|[-/.]\d)"
)
_DATE_IN_BRACKETS = re.compile(r"\(" + _HS + r"?(?:\*" + _HS + r"?)?(" + _DATE_PAT + r")" + _HS + r"?\)")


_BIRTH_AFTER_RE = re.compile(
    r"(?i)(?<![\w/.-])(" + _DATE_PAT + r")(?![\w]|[-/.]\d)" + _HS + r"(?:(?:is|werd|was)" + _HS + r")?geboren\b"
)


def find_birthdate(text: str) -> Iterator[Hit]:
    for m in _BIRTH_RE.finditer(text):
        yield Hit("GEBOORTEDATUM", m.start(1), m.end(1), 0.95, "geboortedatum_cue")
    for m in _BIRTH_AFTER_RE.finditer(text):
        yield Hit("GEBOORTEDATUM", m.start(1), m.end(1), 0.9, "geboortedatum_cue_na")


def find_dates_in_brackets(text: str) -> Iterator[tuple[int, int, int]]:
    """(bracket start, date start, date end) for dates written in brackets, e.g. "Noor (03-03-1987)"."""
    for m in _DATE_IN_BRACKETS.finditer(text):
        yield m.start(), m.start(1), m.end(1)


_L = "[BDFGHJKLMNPRSTVXZ]"
_PLATE_RE = re.compile(
    r"(?<![\w-])("
    rf"{_L}{{2}}-\d{{2}}-\d{{2}}|\d{{2}}-\d{{2}}-{_L}{{2}}|\d{{2}}-{_L}{{2}}-\d{{2}}|{_L}{{2}}-\d{{2}}-{_L}{{2}}|"
    rf"{_L}{{2}}-{_L}{{2}}-\d{{2}}|\d{{2}}-{_L}{{2}}-{_L}{{2}}|\d{{2}}-{_L}{{3}}-\d|\d-{_L}{{3}}-\d{{2}}|"
    rf"{_L}{{2}}-\d{{3}}-{_L}|{_L}-\d{{3}}-{_L}{{2}}|{_L}{{3}}-\d{{2}}-{_L}|{_L}-\d{{2}}-{_L}{{3}}|"
    rf"\d-{_L}{{2}}-\d{{3}}|\d{{3}}-{_L}{{2}}-\d"
    r")(?![\w-])"
)
_PLATE_CUED_RE = re.compile(r"(?i)\b(?:kenteken(?:nummer)?|nummerbord)\b[:\s]*(?:is|van|met)?\s*([A-Z0-9]{1,3}[- ]?[A-Z0-9]{2,3}[- ]?[A-Z0-9]{1,3})(?![\w-])")


def find_plate(text: str) -> Iterator[Hit]:
    for m in _PLATE_RE.finditer(text):
        yield Hit("KENTEKEN", m.start(1), m.end(1), 0.9, "kenteken_sidecode")
    for m in _PLATE_CUED_RE.finditer(text):
        val = m.group(1)
        if re.search(r"\d", val) and re.search(r"[A-Za-z]", val) and len(re.sub(r"[- ]", "", val)) == 6:
            yield Hit("KENTEKEN", m.start(1), m.end(1), 0.85, "kenteken_cue")


def id_cue_regex(words: list[str]) -> re.Pattern[str]:
    alts = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    # cue, optional "nr."/"nummer"/":"/"is", then a token with at least three digits
    return re.compile(
        rf"(?i)(?<![\w])(?:{alts})(?:[ \t]*(?:\(?[a-z]{{0,6}}\)?[ \t]*)?(?:nr\.?|nummer|no\.?)?)?[ \t]*[:#]?[ \t]*"
        rf"(?:is|was|:)?[ \t]*"
        rf"((?=[A-Z0-9/\-.]*\d[A-Z0-9/\-.]*\d[A-Z0-9/\-.]*\d)[A-Z0-9](?:[A-Z0-9]|[/\-.](?=[A-Z0-9])|[ ](?=\d{{2,}}))*)",
    )


def find_dossier(text: str, dossier_re: re.Pattern[str]) -> Iterator[Hit]:
    for m in dossier_re.finditer(text):
        val = m.group(1)
        if sum(c.isdigit() for c in val) < 4:
            continue
        if re.fullmatch(r"(?:19|20)\d{2}", val):
            continue  # "zaaknummer 2023" alone is a year
        yield Hit("DOSSIERNUMMER", m.start(1), m.end(1), 0.9, "dossier_cue")


_KVK_RE = re.compile(
    r"(?i)(?<![\w])(?:kvk|kamer van koophandel|handelsregister)[^\d\n]{0,25}?"
    r"(?<![\d])(\d{8}|\d{2}[ .]\d{3}[ .]\d{3}|\d{4}[ .]\d{4})(?![\d]|[.,]\d)"
)


def find_kvk(text: str) -> Iterator[Hit]:
    for m in _KVK_RE.finditer(text):
        yield Hit("KVK", m.start(1), m.end(1), 0.95, "kvk_cue")


_AGE_PATTERNS = [
    # "Noor (34)", "(34 jaar)", "(34 jr.)"
    re.compile(r"\((\d{1,3})(?:" + _HS + r"?(?:jaar|jr\.?))?\)"),
    # "de 34-jarige", "34 jarige"
    re.compile(r"(?<![\d,.\-–])(\d{1,3})[- ]?jarige?\b"),
    # "34 jaar oud"
    re.compile(r"(?<![\d,.\-–])(\d{1,3})" + _HS + r"jaar" + _HS + r"oud\b"),
    # ", 34 jaar," appositive
    re.compile(r",\s(\d{1,3})" + _HS + r"(?:jaar|jr\.?)(?=\s?[,;)])"),
    # "is 34 jaar." / "is 34." / "werd 34 jaar en"
    re.compile(r"(?<![\w])(?:is|werd|was)" + _HS + r"(\d{1,3})(?:" + _HS + r"jaar)?(?=\s?[.,;]|" + _HS + r"(?:en|oud)\b)"),
    # "op de leeftijd van 34"
    re.compile(r"(?<![\w])leeftijd" + _HS + r"van" + _HS + r"(\d{1,3})(?:" + _HS + r"jaar)?\b"),
]
# "Noor van 34": only directly after a name (checked by the caller)
AGE_AFTER_NAME = re.compile(r"^" + _HS + r"van" + _HS + r"(\d{1,3})(?:" + _HS + r"jaar)?(?=\s?[.,;)]|" + _HS
                            + r"(?:die|met|uit|woont|heeft|is|kreeg|werd)\b)")
_RANGE_BEFORE = re.compile(r"(?i)(?:tussen|ongeveer|circa|ca\.|rond|ruim|bijna|zo'n|dik|pakweg|om en nabij|\d[-–]|en|tot)\s*$")


def find_exact_ages(text: str) -> Iterator[tuple[int, int]]:
    """Spans of exact-age expressions (the caller decides whether a name is near)."""
    seen: set[tuple[int, int]] = set()
    for pat in _AGE_PATTERNS:
        for m in pat.finditer(text):
            age = int(m.group(1))
            if age > 110:
                continue
            if _RANGE_BEFORE.search(text[max(0, m.start(1) - 12):m.start(1)]):
                continue
            if re.match(r"\s?[-–]\s?\d|" + _HS + r"(?:en|tot|of)" + _HS + r"\d|,\s?\d", text[m.end(1):m.end(1) + 6]):
                continue  # "30-35 jaar", "4 en 7 jaar"
            span = (m.start(1), m.end())
            if span[1] > span[0] and text[span[1] - 1] in ").,;":
                span = (span[0], span[1] - 1)
            span = (span[0], len(text[: span[1]].rstrip()))
            if span not in seen:
                seen.add(span)
                yield span
