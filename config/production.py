"""Production: every secret must be supplied through CASEWORK_* variables or files they name."""

ENV = "production"
DEBUG = False
SESSION_COOKIE_SECURE = True
