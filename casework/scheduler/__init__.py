"""Timed jobs: one scheduler process, jobs stored in the database, every run recorded once."""
