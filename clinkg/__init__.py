"""clinkg: a curated clinical knowledge graph with a query service."""

__version__ = "0.1.0"
