// params: {}
// Relationships per type (casusgraaf export, migrate, backup).
MATCH ()-[r]->()
RETURN type(r) AS type, count(*) AS n
