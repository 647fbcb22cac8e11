"""The W3C SPARQL 1.1 Protocol endpoint: a mountable router, its worker processes, execution and result
formats."""
