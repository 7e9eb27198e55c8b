"""Performance figures, computed in SQL to the definitions in DOMAIN.md and CONTRACT.md."""
