"""Synthetic case records for the scale benchmarks (bench_ingest.py, bench_search.py). Benchmark-only.

    from synth import generate, topic_vectors
    corpus = generate(10_000, seed=1)   # corpus.records: CaseRecord-valid dicts; corpus.themes: theme per record
    vecs = topic_vectors(corpus, dim=384, seed=1)  # unit vectors with theme/subtheme cluster structure

Texts are Dutch-ish casusbeschrijvingen of 90-350 words, assembled from sentence templates and word lists
from the domain (DOMAIN.md): laws, organisations, leefgebieden and invented town names. No personal data:
people appear only by role, no names, no digits that could look like a BSN, IBAN, phone number or date,
no addresses. Registered fields follow DOMAIN.md §7 (financiën ~50%, VWS ~55%, 2+ leefgebieden ~60%,
~0.75 leerpunten per case, LET <= 1%), by era (AC2023 vocabularies for 2019-2022, JR2023 for 2023, JR2024
after). About 15% of the records are sparse (id + tekst, sometimes jaar), as in casusgraaf/sample.
Deterministic: the same (n, seed) gives the same records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

TOWNS = ["Amberkerk", "Brembeek", "Brugmeer", "Eikendam", "Hazelvoort", "Heimonde", "Klaverhaven", "Lindewaard",
         "Marelstad", "Rietmonde", "Sterrenveen", "Torenwaard", "Vlasmonde", "Wilgenrode", "Zilverbeek"]
PERSONS = ["een alleenstaande moeder", "een man van middelbare leeftijd", "een jongere van net achttien",
           "een oudere vrouw", "een gezin met drie kinderen", "een vader met twee tieners", "een jonge vrouw",
           "een echtpaar op leeftijd", "een man van begin dertig", "een moeder met een baby",
           "een jongeman die net uit de jeugdhulp komt", "een vrouw van rond de vijftig", "een weduwnaar",
           "een stel met een kind met een beperking", "een mantelzorger", "een statushouder"]
HELPERS = ["het wijkteam", "de schuldhulpverlener", "de maatschappelijk werker", "de casusregisseur",
           "de woonbegeleider", "de bewindvoerder", "de consulent van de gemeente", "de jeugdhulpverlener",
           "de sociaal raadsman", "de huisarts", "de wijkverpleegkundige"]
TIME = ["al maanden", "sinds het voorjaar", "al ruim een jaar", "sinds kort", "al enkele weken",
        "sinds de scheiding", "sinds de verhuizing", "na een lange opname"]

# Themes: the cluster structure of the corpus (and of the synthetic vectors).
THEMES = [
    {"key": "id-bewijs", "wetten": ["Wet BRP", "Participatiewet"], "orgs": ["RvIG", "gemeente", "bank"],
     "lg": ["financiën", "wonen"], "bt": ["BZK", "SZW"], "doel": ["dakloos"], "ac": "4",
     "jr": "Wet- en regelgeving",
     "sit": ["{P} staat niet meer ingeschreven in de BRP en heeft geen geldig identiteitsbewijs.",
             "Zonder briefadres kan {P} geen uitkering aanvragen bij de gemeente {T}.",
             "Het paspoort van {P} is verlopen en de identiteitskaart is zoekgeraakt."],
     "prob": ["Zonder ID-bewijs kan er geen bankrekening worden geopend en dus geen bijstand worden uitbetaald.",
              "Burgerzaken vraagt documenten uit het land van herkomst die alleen met een geldig ID te krijgen zijn.",
              "Iedere instantie wijst naar de stap die eerst gezet moet worden, zodat niemand begint."],
     "opl": ["Via het ministerie van BZK werd duidelijk dat een identiteitsonderzoek mogelijk is.",
             "Met een briefadres bij {H} kon de inschrijving in de BRP worden hersteld."]},
    {"key": "schulden", "wetten": ["Participatiewet", "Wet gemeentelijke schuldhulpverlening", "Awb"],
     "orgs": ["CJIB", "Belastingdienst", "deurwaarder", "gemeente"], "lg": ["financiën", "psychische gezondheid"],
     "bt": ["SZW", "FIN", "JenV"], "doel": [], "ac": "2B", "jr": "Wet- en regelgeving",
     "sit": ["{P} heeft {D} oplopende schulden bij meerdere schuldeisers.",
             "Het CJIB int een schadevergoedingsmaatregel terwijl {P} onder het bestaansminimum leeft.",
             "De Belastingdienst verrekent een oude schuld met de toeslagen van {P}."],
     "prob": ["Door verrekening blijft er minder over dan de beslagvrije voet.",
              "De schuldhulpverlening kan pas starten als alle schulden in beeld zijn, en dat lukt niet.",
              "Invordering gaat door terwijl {H} probeert een minnelijk traject op te zetten."],
     "opl": ["Met een beroep op artikel 4:94a Awb werd invordering tijdelijk stopgezet.",
             "Het Loket bracht de schuldeisers samen en er kwam een betalingsregeling die past bij het inkomen."]},
    {"key": "toeslagen", "wetten": ["Awir", "Wet op de huurtoeslag", "Participatiewet"],
     "orgs": ["Dienst Toeslagen", "Belastingdienst", "gemeente"], "lg": ["financiën", "wonen"],
     "bt": ["FIN", "SZW"], "doel": [], "ac": "2A", "jr": "Kennis en kunde",
     "sit": ["{P} moet een groot bedrag aan kinderopvangtoeslag terugbetalen.",
             "De huurtoeslag van {P} is stopgezet na een wijziging in de huishoudsamenstelling.",
             "Dienst Toeslagen vordert een voorschot terug dat {P} te goeder trouw heeft uitgegeven."],
     "prob": ["De terugvordering raakt het huishouden midden in een crisis.",
              "De regels laten bij de toeslag geen ruimte voor de bijzondere omstandigheden van dit gezin.",
              "De medewerker van de Belastingtelefoon kon niet uitleggen waarom de toeslag stopte."],
     "opl": ["Het Stella-team keek opnieuw naar het dossier en de terugvordering werd herzien.",
             "Via het Direct Service Team kwam er een persoonlijke behandelaar."]},
    {"key": "jeugd-18", "wetten": ["Jeugdwet", "Wmo 2015", "Participatiewet"],
     "orgs": ["gemeente", "jeugdhulpaanbieder", "gecertificeerde instelling"],
     "lg": ["wonen", "psychische gezondheid", "financiën"], "bt": ["VWS", "SZW"], "doel": ["jongere rond 18"],
     "ac": "3", "jr": "Samenwerking",
     "sit": ["{P} wordt binnenkort meerderjarig en de jeugdhulp stopt dan.",
             "Het verblijf in de gezinshuisvoorziening eindigt bij achttien jaar.",
             "{P} heeft een licht verstandelijke beperking en woont in een voorziening voor jeugdhulp."],
     "prob": ["De overgang van Jeugdwet naar Wmo 2015 is niet geregeld en niemand neemt de regie.",
              "Voor de jongerennorm van de bijstand is het inkomen te laag om zelfstandig te wonen.",
              "Jeugdhulp en Wmo wijzen naar elkaar voor de kosten van begeleiding."],
     "opl": ["De gemeente zette een verlengde jeugdhulp in tot de Wmo-indicatie rond was.",
             "Met een beroep op individualisering volgens artikel 18 lid 1 werd de norm aangepast."]},
    {"key": "wlz-zorg", "wetten": ["Wlz", "Wmo 2015", "Zvw"], "orgs": ["CIZ", "zorgkantoor", "zorgaanbieder"],
     "lg": ["psychische gezondheid", "wonen"], "bt": ["VWS"], "doel": [], "ac": "3", "jr": "Samenwerking",
     "sit": ["{P} heeft intensieve zorg nodig maar een Wlz-indicatie is afgewezen door het CIZ.",
             "Het zorgkantoor vindt geen plek die past bij de zorgvraag van {P}.",
             "{P} woont thuis met huishoudelijke hulp, maar dat is niet meer genoeg."],
     "prob": ["Wlz, Wmo en Zvw sluiten niet op elkaar aan en de zorg valt tussen wal en schip.",
              "De zorgaanbieder heeft een wachtlijst en een crisisbed is er niet.",
              "Niemand wil de kosten dragen zolang de indicatie niet rond is."],
     "opl": ["De overbruggingsprocedure zorgde voor voorfinanciering tot de juiste partij betaalde.",
             "Het Loket bracht CIZ, zorgkantoor en gemeente aan tafel en er kwam een passende plek."]},
    {"key": "verblijf", "wetten": ["Vreemdelingenwet", "Zvw", "Participatiewet"],
     "orgs": ["IND", "COA", "gemeente", "CAK"], "lg": ["verblijf", "financiën"], "bt": ["JenV", "A&M", "VWS"],
     "doel": ["ongedocumenteerd"], "ac": "2B", "jr": "Wet- en regelgeving",
     "sit": ["{P} wacht {D} op een besluit van de IND over de verblijfsvergunning.",
             "De verblijfsvergunning van {P} is niet op tijd verlengd.",
             "{P} heeft een kind met de Nederlandse nationaliteit maar zelf geen verblijfsrecht."],
     "prob": ["Zonder verblijfsvergunning is er geen recht op bijstand en geen zorgverzekering.",
              "De Chavez-regeling is niet bekend bij de gemeente en de aanvraag blijft liggen.",
              "Zorg wordt wel verleend, maar de declaratie via het CAK loopt vast."],
     "opl": ["Het Loket vroeg de IND om voorrang en de vergunning werd verlengd.",
             "Via het ministerie werd duidelijk welke regeling van het CAK van toepassing was."]},
    {"key": "remigratie", "wetten": ["Zvw", "Wlz", "Wet BRP"], "orgs": ["SVB", "zorgverzekeraar", "CAK"],
     "lg": ["psychische gezondheid", "verblijf", "financiën"], "bt": ["VWS", "BZK", "BuZa"],
     "doel": ["remigrant", "onverzekerd"], "ac": "2A", "jr": "Wet- en regelgeving",
     "sit": ["{P} keert na jaren buiten Europa terug naar Nederland.",
             "{P} staat nog ingeschreven in de RNI en is daardoor niet verzekerd.",
             "Na terugkeer heeft {P} direct zorg nodig maar geen zorgverzekering."],
     "prob": ["Voor de Wlz geldt een wachttijd voor remigranten, terwijl de zorg nu nodig is.",
              "De zorgverzekeraar kan pas inschrijven na inschrijving in de BRP.",
              "De AIO van de SVB start pas na een volledige aanvraag."],
     "opl": ["Met een versnelde inschrijving in de BRP kon de zorgverzekering ingaan.",
             "Het CAK nam de kosten van de eerste zorg over via de regeling voor onverzekerden."]},
    {"key": "studie", "wetten": ["WSF 2000", "Wet inburgering"], "orgs": ["DUO", "school", "gemeente"],
     "lg": ["onderwijs", "financiën"], "bt": ["OCW", "SZW"], "doel": [], "ac": "5", "jr": "Kennis en kunde",
     "sit": ["{P} heeft een studieschuld bij DUO die niet afgelost kan worden.",
             "De prestatiebeurs van {P} wordt omgezet in een lening na het stoppen met de studie.",
             "{P} moet een lening voor de inburgering terugbetalen aan DUO."],
     "prob": ["De draagkrachtregeling houdt geen rekening met de schulden die er al zijn.",
              "DUO ziet geen ruimte voor maatwerk omdat de wet geen hardheidsclausule kent.",
              "De studie werd afgebroken door ziekte, maar dat is niet op tijd gemeld."],
     "opl": ["DUO paste de hardheidsclausule toe en de schuld werd deels kwijtgescholden.",
             "Met aflosvrije maanden kwam er ruimte om eerst de andere schulden te regelen."]},
    {"key": "werk-uwv", "wetten": ["Ziektewet", "Wajong", "WW", "Participatiewet"],
     "orgs": ["UWV", "werkgever", "gemeente"], "lg": ["werk en activiteiten", "financiën"], "bt": ["SZW"],
     "doel": [], "ac": "2A", "jr": "Communicatie",
     "sit": ["{P} is ziek uit dienst gegaan en het UWV heeft de Ziektewet-uitkering beëindigd.",
             "De Wajong-uitkering van {P} is herbeoordeeld en verlaagd.",
             "{P} wil graag werken maar verliest dan een deel van de uitkering."],
     "prob": ["Tussen het einde van de WW en de start van de bijstand zit een gat van weken.",
              "Het UWV en de gemeente geven verschillende uitleg over de samenloop van de regelingen.",
              "De brieven van het UWV zijn voor {P} niet te begrijpen."],
     "opl": ["De Maatwerkplaats UWV zocht uit welke uitkering voorging en er kwam een voorschot.",
             "Het Loket legde de vraag voor aan het ministerie van SZW en de uitleg werd rechtgezet."]},
    {"key": "wonen", "wetten": ["Btiv 2015", "Wmo 2015", "Participatiewet"],
     "orgs": ["woningcorporatie", "gemeente", "zorgaanbieder"], "lg": ["wonen", "sociale relaties"],
     "bt": ["BZK", "VRO", "VWS"], "doel": ["dakloos"], "ac": "3", "jr": "Samenwerking",
     "sit": ["{P} dreigt de woning te verliezen door een huurachterstand.",
             "Na de scheiding heeft {P} geen eigen woning en slaapt bij familie.",
             "De woningcorporatie heeft een ontruiming aangekondigd."],
     "prob": ["Zonder urgentie is er in {T} jaren wachttijd voor een sociale huurwoning.",
              "De maatschappelijke opvang zit vol en beschermd wonen heeft een wachtlijst.",
              "De woningcorporatie wil pas verhuren als de schulden geregeld zijn."],
     "opl": ["De woningcorporatie gebruikte de vrije toewijzingsruimte en er kwam een woning.",
             "Met een verhuisindicatie met urgente status kon het gezin verhuizen."]},
    {"key": "detentie", "wetten": ["Participatiewet", "Wet BRP", "Zvw"],
     "orgs": ["DJI", "reclassering", "gemeente"], "lg": ["wonen", "financiën", "sociale relaties"],
     "bt": ["JenV", "SZW"], "doel": ["ex-gedetineerde"], "ac": "3", "jr": "Samenwerking",
     "sit": ["{P} komt binnenkort vrij uit de penitentiaire inrichting.",
             "Na detentie heeft {P} geen woning, geen inkomen en geen zorgverzekering.",
             "De reclassering begeleidt {P} maar kan geen huisvesting regelen."],
     "prob": ["De bijstand kan pas worden aangevraagd na vrijlating, zodat de eerste weken zonder inkomen zijn.",
              "De gemeente van herkomst en de gemeente van vestiging wijzen naar elkaar.",
              "Zonder inschrijving in de BRP start geen enkele voorziening."],
     "opl": ["De gemeente {T} nam de regie en de uitkering werd al voor vrijlating aangevraagd.",
             "Via het Loket kwamen DJI en de gemeente tot een warme overdracht."]},
    {"key": "ggz-zorgmijder", "wetten": ["Wvggz", "Wmo 2015", "Zvw"], "orgs": ["GGZ", "gemeente", "politie"],
     "lg": ["psychische gezondheid", "sociale relaties", "zingeving"], "bt": ["VWS", "JenV"],
     "doel": ["zorgmijder"], "ac": "1", "jr": "Kennis en kunde",
     "sit": ["{P} wil geen hulp en houdt de deur dicht voor {H}.",
             "Buren maken zich zorgen over de verwaarlozing van de woning van {P}.",
             "{P} heeft psychische klachten maar zegt niets nodig te hebben."],
     "prob": ["Hulp kan niet worden afgedwongen zolang er geen acuut gevaar is.",
              "De GGZ ziet geen grond voor een zorgmachtiging en de gemeente heeft geen ingang.",
              "Het denk- en doenvermogen van {P} wordt overschat door de instanties."],
     "opl": ["Een vaste contactpersoon bouwde vertrouwen op en {P} accepteerde uiteindelijk hulp.",
             "Het Loket hielp bij het afwegen van de mogelijkheden binnen de Wvggz."]},
]
GENERIC_SIT = ["{H} is {D} betrokken en loopt vast.", "Er zijn veel instanties betrokken en het overzicht ontbreekt.",
               "{P} woont in {T} en heeft weinig netwerk.", "De situatie is {D} zorgelijk.",
               "{H} meldde de casus bij het Loket omdat de eigen route niets opleverde."]
GENERIC_PROB = ["Niemand voelt zich eigenaar van het probleem.",
                "De regels zijn op zichzelf duidelijk, maar de samenloop pakt slecht uit.",
                "{P} heeft te maken met {O} en {O2}, die elk een deel van de oplossing hebben.",
                "De {W} biedt in deze situatie weinig ruimte.",
                "Brieven spreken elkaar tegen en de termijnen lopen door."]
GENERIC_OPL = ["Het Loket bracht de betrokken partijen bij elkaar en maakte afspraken over de regie.",
               "Na overleg met {O} kwam er een oplossing binnen de bestaande regels.",
               "Het Loket dacht mee met {H} en wees op de mogelijkheden van de {W}.",
               "De casus werd besproken in het signalenoverleg."]
GENERIC_BET = ["Professionals kennen de mogelijkheden van de {W} vaak niet.",
               "Een vaste contactpersoon bij {O} had veel tijd gescheeld.",
               "Dit signaal is gedeeld met het ministerie, omdat het vaker voorkomt.",
               "Vroeg samenwerken voorkomt dat het probleem heen en weer wordt geschoven.",
               "Het is belangrijk om de samenloop van regelingen eerder te herkennen."]
HEADERS = ["Wat speelt er?", "Wat is het probleem?", "Hoe is deze casus opgelost?",
           "Wat betekent dit voor toekomstige vergelijkbare vraagstukken?"]
LEERPUNT_TEKST = ["Zorg voor een vast aanspreekpunt bij {O} voor professionals die vastlopen.",
                  "Maak de mogelijkheden van de {W} beter bekend bij gemeenten.",
                  "Onderzoek of de samenloop van {W} en andere regelingen kan worden verbeterd.",
                  "Leg de afspraken over regie vast, zodat de inwoner niet wordt doorgeschoven.",
                  "Bied uitleg in begrijpelijke taal over de gevolgen van een terugvordering."]

LG_AC = ["financiën", "wonen", "psychische gezondheid", "verblijf", "werk en activiteiten", "sociale relaties",
         "zingeving", "onderwijs"]
LG_JR = ["financiën", "veiligheid", "lichamelijke gezondheid", "onderwijs", "verblijf", "werk", "wonen",
         "psychologische gezondheid", "zorg"]
_LG_TO_JR = {"psychische gezondheid": "psychologische gezondheid", "werk en activiteiten": "werk",
             "sociale relaties": "zorg", "zingeving": "veiligheid"}
JR_CATS = {"jr2023": ["Kennis en kunde", "Samenwerking", "Houding en gedrag", "Communicatie",
                      "Wet- en regelgeving", "ICT", "Overige"],
           "jr2024": ["Kennis en kunde", "Samenwerking", "Communicatie", "Wet- en regelgeving", "Overige"]}
AC_CODES = ["1", "2A", "2B", "3", "4", "5", "6"]
INTERV_EV = ["triage", "ministerie", "UO", "dzm", "register", "anders"]
INTERV_JR = ["expertfunctie", "netwerkfunctie", "informele gezagsfunctie"]
UITKOMST = [("knelpunt opgelost", 32), ("kan verder", 26), ("binnen regels", 16), ("monitoringsfase", 7),
            ("doorverwezen", 6), ("maatwerk strikt", 4), ("onbekend", 6), ("vanzelf opgelost", 2), ("via LET", 1)]
KON_VERDER = [("ja", 65), ("deels", 15), ("nee", 9), ("onbekend", 8), ("n.v.t.", 3)]
INDIENER = [("gemeente", 55), ("overige partijen", 30), ("zorginstelling", 7),
            ("landelijke publieke dienstverlener", 8)]
OVERIGE_ORG = ["bewindvoerder", "sociaal raadslieden", "Juiste Loket", "Maatwerkplaats UWV", "wijkteam"]
LPD = ["UWV", "SVB", "DUO", "IND", "CIZ", "CAK"]
ALL_WETTEN = ["Participatiewet", "Wmo 2015", "Jeugdwet", "Wlz", "Zvw", "Vreemdelingenwet", "Awb"]
YEARS = list(range(2019, 2026))


@dataclass
class Corpus:
    records: list[dict]
    themes: np.ndarray  # theme index per record (the cluster structure)
    subthemes: np.ndarray  # a finer cluster inside the theme


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _fill(rng: random.Random, s: str, theme: dict, town: str) -> str:
    orgs = theme["orgs"]
    o, o2 = rng.sample(orgs, 2) if len(orgs) > 1 else (orgs[0], "gemeente")
    o, o2 = (("de " + x) if x[0].islower() else x for x in (o, o2))
    out = s.replace("{P}", rng.choice(PERSONS)).replace("{H}", rng.choice(HELPERS)).replace("{T}", town)
    out = out.replace("{D}", rng.choice(TIME)).replace("{O2}", o2).replace("{O}", o)
    out = out.replace("{W}", rng.choice(theme["wetten"]))
    return out[0].upper() + out[1:]


def _text(rng: random.Random, theme: dict, second: dict | None, town: str, target: int) -> str:
    pools = [theme["sit"] + GENERIC_SIT, theme["prob"] + GENERIC_PROB, theme["opl"] + GENERIC_OPL, GENERIC_BET]
    if second is not None:  # a case touching two themes borrows sentences from the second
        pools[0] = pools[0] + second["sit"]
        pools[1] = pools[1] + second["prob"]
    sections: list[list[str]] = [[] for _ in pools]
    words = 0
    rounds = 0
    while words < target and rounds < 40:
        for i, pool in enumerate(pools):
            if words >= target and all(sections):
                break
            if rounds and i == 3 and rng.random() < 0.6:
                continue
            s = _fill(rng, rng.choice(pool), theme, town)
            for _ in range(3):  # avoid repeating a sentence within a text
                if s not in sections[i]:
                    break
                s = _fill(rng, rng.choice(pool), theme, town)
            sections[i].append(s)
            words += len(s.split())
        rounds += 1
    if rng.random() < 0.7:
        parts = [f"{h}\n{' '.join(sec)}" for h, sec in zip(HEADERS, sections, strict=True) if sec]
        text = "\n\n".join(parts)
    else:
        text = " ".join(s for sec in sections for s in sec)
    tokens = text.split(" ")
    if len(text.split()) > 350:  # hard cap (keeps whole words; may cut a sentence, as real notes do)
        text = " ".join(tokens[:340]).rstrip(",") + "."
    return text


def _leefgebieden(rng: random.Random, theme: dict, jaar: int) -> list[str]:
    k = _pick(rng, [("1", 45), ("2", 30), ("3", 25)])
    chosen = list(theme["lg"][: int(k)])
    if "financiën" not in chosen and rng.random() < 0.1:
        chosen.append("financiën")
    if int(k) == 3 and len(chosen) < 3:
        chosen.append(rng.choice(LG_AC))
    chosen = list(dict.fromkeys(chosen))
    if jaar >= 2023:
        chosen = list(dict.fromkeys(_LG_TO_JR.get(x, x) for x in chosen))
        if rng.random() < 0.3:
            chosen.append("zorg")
    return list(dict.fromkeys(chosen))


def _record(rng: random.Random, i: int, ti: int, theme: dict, second: dict | None) -> dict:
    jaar = rng.choice(YEARS)
    town = rng.choice(TOWNS)
    target = int(min(340, max(90, rng.lognormvariate(5.05, 0.35))))  # median ~155 words
    rec: dict = {"id": f"S{jaar}-{i:06d}", "tekst": _text(rng, theme, second, town, target)}
    if rng.random() < 0.15:  # sparse record
        if rng.random() < 0.6:
            rec["jaar"] = jaar
        return rec
    start = date(jaar, 1, 2) + timedelta(days=rng.randrange(0, 300))
    weeks = _pick(rng, [("2", 20), ("4", 17), ("6", 16), ("12", 17), ("18", 12), ("30", 12), ("52", 6)])
    end = start + timedelta(weeks=int(weeks) + rng.randrange(-1, 2))
    indiener_type = _pick(rng, INDIENER)
    org = {"gemeente": f"Gemeente {town}", "overige partijen": rng.choice(OVERIGE_ORG),
           "zorginstelling": "zorgaanbieder", "landelijke publieke dienstverlener": rng.choice(LPD)}[indiener_type]
    bt = list(theme["bt"][: rng.randint(1, len(theme["bt"]))])
    bt = [b for b in bt if not (b in ("A&M", "VRO") and jaar < 2025)] or ["VWS"]
    if "VWS" not in bt and rng.random() < 0.35:
        bt.append("VWS")
    wetten = list(theme["wetten"][: rng.randint(1, min(3, len(theme["wetten"])))])
    if second is not None:
        wetten.append(second["wetten"][0])
    if jaar <= 2022:
        knelpunten = [{"taxonomie": "ac2023", "categorie": theme["ac"] if rng.random() < 0.7 else rng.choice(AC_CODES)}]
        interventies = rng.sample(INTERV_EV, rng.randint(1, 3))
    else:
        tax = "jr2023" if jaar == 2023 else "jr2024"
        cats = [theme["jr"] if rng.random() < 0.7 else rng.choice(JR_CATS[tax])]
        if tax == "jr2024" and rng.random() < 0.3:
            cats.append(rng.choice(JR_CATS[tax]))
        knelpunten = [{"taxonomie": tax, "categorie": c} for c in dict.fromkeys(cats)]
        interventies = ["expertfunctie"] + rng.sample(INTERV_JR[1:], rng.randint(0, 2))
    n_lp = _pick(rng, [("0", 45), ("1", 35), ("2", 20)])
    leerpunten = [{"tekst": _fill(rng, rng.choice(LEERPUNT_TEKST), theme, town),
                   "belegd_bij": rng.choice(bt + ["gemeente"]),
                   "status": rng.choice(["in verkenning", "doorgegeven aan de ambassadeur", "onbekend"])}
                  for _ in range(int(n_lp))]
    rec.update({
        "titel": f"{theme['key'].replace('-', ' ').capitalize()} in {town}",
        "jaar": jaar, "status": "afgerond",
        "datum_aanmelding": start.isoformat(), "datum_afronding": end.isoformat(),
        "indiener": {"type": indiener_type, "organisatie": org,
                     "aangesloten": (rng.random() < 0.85) if indiener_type == "gemeente" else None},
        "beleidsterreinen": list(dict.fromkeys(bt)),
        "leefgebieden": _leefgebieden(rng, theme, jaar),
        "wetten": list(dict.fromkeys(wetten)),
        "organisaties": rng.sample(theme["orgs"], rng.randint(1, len(theme["orgs"]))),
        "interventies": interventies,
        "knelpunten": knelpunten,
        "let_ingezet": rng.random() < 0.01,
        "op_ingezet": rng.random() < 0.03,
        "kon_verder": _pick(rng, KON_VERDER),
        "uitkomst": _pick(rng, UITKOMST),
        "doelgroep": list(theme["doel"]),
        "leerpunten": leerpunten,
    })
    return rec


def generate(n: int, seed: int = 0, id_offset: int = 0) -> Corpus:
    """``n`` synthetic case records (CaseRecord-valid dicts), deterministic for ``(n, seed)``.

    Ids are ``S<jaar>-<number>`` with numbers from ``id_offset``; give a second batch another offset."""
    rng = random.Random(seed)
    records, themes, subs = [], np.zeros(n, np.int32), np.zeros(n, np.int32)
    for i in range(n):
        ti = rng.randrange(len(THEMES))
        second = THEMES[rng.randrange(len(THEMES))] if rng.random() < 0.3 else None
        records.append(_record(rng, id_offset + i, ti, THEMES[ti], second))
        themes[i], subs[i] = ti, rng.randrange(8)
    return Corpus(records, themes, subs)


def topic_vectors(corpus: Corpus, dim: int = 384, seed: int = 0) -> np.ndarray:
    """Unit vectors with cluster structure: theme centroid + subtheme offset + per-case noise.

    Tuned so same-theme cosines are ~0.7-0.8 and cross-theme ~0.5, like e5 vectors of related Dutch texts
    (e5 cosines are compressed into a high band)."""
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(dim).astype(np.float32)
    cent = rng.standard_normal((len(THEMES), dim)).astype(np.float32)
    sub = rng.standard_normal((len(THEMES), 8, dim)).astype(np.float32)
    n = len(corpus.records)
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, 20_000):
        sl = slice(start, min(n, start + 20_000))
        noise = rng.standard_normal((sl.stop - sl.start, dim)).astype(np.float32)
        out[sl] = 1.3 * common + cent[corpus.themes[sl]] + 0.6 * sub[corpus.themes[sl], corpus.subthemes[sl]] + 0.8 * noise
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def stand_in_vector(text: str, dim: int = 384) -> np.ndarray:
    """Deterministic random unit vector for a text (seeded by its hash). Benchmark baseline only."""
    import hashlib

    seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


class StandInEmbedder:
    """BENCHMARK-ONLY stand-in for the e5 embedder: deterministic random unit vectors, no model.

    Used to isolate the model's cost in bench_ingest.py ("without embedding") and to build large corpora
    fast in bench_search.py. Never used by the product."""

    model_id = "bench-stand-in-random"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.max_tokens = 512

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.vstack([stand_in_vector(t, self.dim) for t in texts])

    def embed_query(self, text: str, kind: str = "passage") -> np.ndarray:
        return stand_in_vector(text, self.dim)

    def embed_sentences(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)


if __name__ == "__main__":  # quick self-check: validity, lengths, privacy gate on a sample
    import statistics
    import sys

    from casusgraaf.models.records import CaseRecord

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    c = generate(n, seed=1)
    recs = [CaseRecord.model_validate(r) for r in c.records]
    lens = [len(r.tekst.split()) for r in recs]
    print(f"{n} records valid; words min {min(lens)} median {statistics.median(lens)} max {max(lens)}")
    full = [r for r in c.records if "leefgebieden" in r]
    print("financiën", sum("financiën" in r["leefgebieden"] for r in full) / len(full),
          "VWS", sum("VWS" in r["beleidsterreinen"] for r in full) / len(full),
          "2+ lg", sum(len(r["leefgebieden"]) >= 2 for r in full) / len(full),
          "leerpunten/case", sum(len(r["leerpunten"]) for r in full) / len(full))
    from casusgraaf.privacy import get_gate

    gate = get_gate()
    actions: dict[str, int] = {}
    for r in recs[:200]:
        res, _ = gate.check_record(r)
        actions[res.action] = actions.get(res.action, 0) + 1
        if res.action != "pass":
            print(res.action, [(f.type, f.field, r.tekst[f.start:f.end] if f.field == "tekst" else "") for f in res.findings][:3])
    print("privacy gate on 200:", actions)
    print(c.records[3]["tekst"])
