"""Packaged data and code of clinkg; see ARCHITECTURE notes in README."""
