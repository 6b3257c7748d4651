// params: {}
// The text-free projection (graph/projection.py) records the full graph's counts when it was made.
MATCH (n) RETURN count(n) AS n
