// params: {"van": null, "tot": null}
// patterns (emerging terms): the text of each case in a year range; only counted into terms, never shown.
MATCH (c:Casus)
WHERE ($van IS NULL OR c.jaar >= $van) AND ($tot IS NULL OR c.jaar <= $tot) AND c.tekst IS NOT NULL
RETURN c.id AS id, c.tekst AS tekst
