"""The curated content (YAML data files), packaged so the CLI finds it from any folder."""
