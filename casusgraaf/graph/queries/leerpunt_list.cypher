// params: {"ids": null}
// Every leerpunt (or those in $ids) with owners, cases, the registered laws of those cases, its follow-up entries and
// recurrence links; casusgraaf/leerpunten/ derives status, te laat and stil from this in Python.
MATCH (l:Leerpunt)
WHERE l.tekst IS NOT NULL AND ($ids IS NULL OR l.id IN $ids)
OPTIONAL MATCH (l)-[:BELEGD_BIJ]->(o:Organisatie)
WITH l, collect(DISTINCT CASE WHEN o IS NULL THEN NULL ELSE {naam: o.naam, soort: o.soort} END) AS eigenaren
OPTIONAL MATCH (l)-[:TERUGGELEGD_VIA]->(tv:Organisatie)
WITH l, eigenaren, collect(DISTINCT tv.naam) AS teruggelegd_via
OPTIONAL MATCH (l)-[:DOORGEGEVEN_AAN]->(da:Organisatie)
WITH l, eigenaren, teruggelegd_via, collect(DISTINCT da.naam) AS doorgegeven_aan
OPTIONAL MATCH (c:Casus)-[:LEVERDE_LEERPUNT]->(l)
OPTIONAL MATCH (c)-[rw:RAAKT_WET]->(w:Wet) WHERE rw.bron = 'registratie'
WITH l, eigenaren, teruggelegd_via, doorgegeven_aan, collect(DISTINCT w.naam) AS wetten,
     collect(DISTINCT CASE WHEN c IS NULL THEN NULL ELSE {id: c.id, titel: c.titel, jaar: c.jaar,
                                                            datum_afronding: c.datum_afronding,
                                                            regievoerder: c.regievoerder} END) AS casussen
OPTIONAL MATCH (l)-[:HEEFT_OPVOLGING]->(e:Opvolging)
WITH l, eigenaren, teruggelegd_via, doorgegeven_aan, wetten, casussen,
     collect(CASE WHEN e IS NULL THEN NULL ELSE {id: e.id, datum: e.datum, code: e.code, tekst: e.tekst,
                  bron: e.bron, wie: e.wie, herkomst: e.herkomst, vastgelegd_op: e.vastgelegd_op,
                  volgnr: e.volgnr} END) AS opvolging
OPTIONAL MATCH (l)-[r1:TERUGKEREND_VAN]->(eerder:Leerpunt)
WITH l, eigenaren, teruggelegd_via, doorgegeven_aan, wetten, casussen, opvolging,
     collect(DISTINCT CASE WHEN eerder IS NULL THEN NULL ELSE {id: eerder.id, tekst: eerder.tekst,
                  bron: r1.bron, datum: r1.datum} END) AS terugkerend_van
OPTIONAL MATCH (later:Leerpunt)-[r2:TERUGKEREND_VAN]->(l)
RETURN l AS leerpunt, eigenaren, teruggelegd_via, doorgegeven_aan, wetten, casussen, opvolging,
       terugkerend_van,
       collect(DISTINCT CASE WHEN later IS NULL THEN NULL ELSE {id: later.id, tekst: later.tekst,
               bron: r2.bron, datum: r2.datum} END) AS later
ORDER BY l.datum, l.id
