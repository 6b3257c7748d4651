// params: {"rows": [{"case_id": "2024-001", "id": "LP-2024-001-0a1b2c3d", "tekst": "...", "datum": "2024-02-19", "status": null, "status_code": null, "categorie": null, "orde": null, "soort": "leerpunt", "bron": "registratie", "directie": null, "belegd_groep": "ministerie", "regisseur": "SZW", "al_bekend": null, "beleidstraject": null, "geverifieerd": null, "stelselvraagstuk": null, "start": null, "end": null, "eigenaren": [{"naam": "SZW", "soort": "ministerie"}], "teruggelegd_via": [], "doorgegeven_aan": [], "terugkerend_van": [], "opvolging": [{"id": "LP-2024-001-0a1b2c3d~0123456789", "datum": "2024-03-01", "code": "IN_VERKENNING", "tekst": "...", "bron": "ambassadeursoverleg", "wie": "SZW", "volgnr": 0}]}]}
// Upsert by the leerpunt's stable id (ingest/leerpunt_rows.py): properties and registered links are
// replaced, registered follow-up entries merged by their id. Entries added through casusgraaf (herkomst
// "casusgraaf") and confirmed recurrence links (bron "handmatig") are never touched here.
UNWIND $rows AS row
MATCH (c:Casus {id: row.case_id})
MERGE (l:Leerpunt {id: row.id})
SET l.tekst = row.tekst, l.datum = row.datum, l.status = row.status, l.status_code = row.status_code,
    l.categorie = row.categorie, l.orde = row.orde, l.soort = row.soort, l.bron = row.bron, l.jaar = c.jaar,
    l.directie = row.directie, l.belegd_groep = row.belegd_groep, l.regisseur = row.regisseur,
    l.al_bekend = row.al_bekend, l.beleidstraject = row.beleidstraject, l.geverifieerd = row.geverifieerd,
    l.stelselvraagstuk = row.stelselvraagstuk, l.start = row.start, l.end = row.end
MERGE (c)-[e:LEVERDE_LEERPUNT]->(l)
SET e.bron = row.bron
WITH c, l, row
OPTIONAL MATCH (l)-[old:BELEGD_BIJ|TERUGGELEGD_VIA|DOORGEGEVEN_AAN]->(:Organisatie)
DELETE old
WITH DISTINCT c, l, row
OPTIONAL MATCH (l)-[reg:TERUGKEREND_VAN {bron: 'registratie'}]->(:Leerpunt)
DELETE reg
WITH DISTINCT c, l, row
FOREACH (o IN row.eigenaren |
  MERGE (org:Organisatie {naam: o.naam}) ON CREATE SET org.soort = o.soort
  MERGE (l)-[b:BELEGD_BIJ]->(org) SET b.bron = row.bron)
FOREACH (o IN row.teruggelegd_via |
  MERGE (org:Organisatie {naam: o.naam}) ON CREATE SET org.soort = o.soort
  MERGE (l)-[t:TERUGGELEGD_VIA]->(org) SET t.bron = row.bron)
FOREACH (o IN row.doorgegeven_aan |
  MERGE (org:Organisatie {naam: o.naam}) ON CREATE SET org.soort = o.soort
  MERGE (l)-[d:DOORGEGEVEN_AAN]->(org) SET d.bron = row.bron)
FOREACH (eid IN row.terugkerend_van |
  MERGE (eerder:Leerpunt {id: eid})
  MERGE (l)-[r:TERUGKEREND_VAN]->(eerder) ON CREATE SET r.bron = 'registratie', r.datum = l.datum)
FOREACH (e IN row.opvolging |
  MERGE (o:Opvolging {id: e.id})
  ON CREATE SET o.vastgelegd_op = c.ingevoerd_op, o.herkomst = 'registratie'
  SET o.datum = e.datum, o.code = e.code, o.tekst = e.tekst, o.bron = e.bron, o.wie = e.wie, o.volgnr = e.volgnr
  MERGE (l)-[:HEEFT_OPVOLGING]->(o))
