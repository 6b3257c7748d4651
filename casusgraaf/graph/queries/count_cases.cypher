// params: {}
// Number of cases, optionally per year (used by status pages and tests).
MATCH (c:Casus)
RETURN count(c) AS aantal
