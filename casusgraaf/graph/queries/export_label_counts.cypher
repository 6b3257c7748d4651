// params: {}
// Nodes per label set (casusgraaf export, migrate, backup: the counts both sides must agree on).
MATCH (n)
RETURN labels(n) AS labels, count(*) AS n
