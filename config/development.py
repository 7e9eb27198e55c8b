"""A developer's laptop: SQLite in instance/, keys generated once, cookies over plain HTTP."""

ENV = "development"
DEBUG = True
SESSION_COOKIE_SECURE = False
# Accounts with a second factor are asked for it; the others sign in with a password alone.
SECOND_FACTOR = "optional"
