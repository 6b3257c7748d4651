// params: {"van": 2020, "tot": 2030}
// Number of cases per year in a range.
MATCH (c:Casus)
WHERE c.jaar >= $van AND c.jaar <= $tot
RETURN c.jaar AS jaar, count(c) AS aantal
ORDER BY jaar
