"""Ranking: the differential, triage, tests, HPO scoring and search, as pure functions over the graph
index. It imports nothing from the HTTP layer (service/api)."""
