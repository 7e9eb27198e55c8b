"""A developer's laptop: SQLite in instance/, keys generated once, cookies over plain HTTP."""

ENV = "development"
DEBUG = True
SESSION_COOKIE_SECURE = False
