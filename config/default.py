"""Defaults shared by every environment. No secrets live here: keys come from instance/ or env."""

ENV = "development"
DEBUG = False
TESTING = False

# Database: an SQLAlchemy URL. Empty means SQLite at instance/casework.db.
DATABASE_URL = ""
SQLITE_BUSY_TIMEOUT_MS = 5000

# Secrets. Empty means "generate once into instance/" in development, refuse in production.
SECRET_KEY = ""
# Field-encryption key ring: a JSON file path (KEYRING_FILE) or the JSON itself (KEYRING).
# Development generates instance/keyring.json once; production must be given one.
KEYRING_FILE = ""
KEYRING = ""
# Blind indexes (lookups on encrypted values) keep this many bits: few enough that each lookup
# returns a handful of candidates, which are decrypted and compared exactly.
BLIND_INDEX_BITS = 32
# Keys the audit log's HMAC chain; kept outside the database so a database editor cannot re-chain.
AUDIT_KEY = ""
# The audit chain gets a signed checkpoint at least every this many entries.
AUDIT_CHECKPOINT_EVERY = 1000

# Sessions (server-side records; the cookie only carries a random session identifier).
SESSION_IDLE_MINUTES = 30
SESSION_ABSOLUTE_HOURS = 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "casework_session"

# Passwords and sign-in throttling.
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19456
ARGON2_PARALLELISM = 1
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW_MINUTES = 15
LOCKOUT_MINUTES = 15

# CSRF (Flask-WTF): tokens live as long as the session.
WTF_CSRF_TIME_LIMIT = None

# Information Sharing Protocols: a directory of TOML files. Empty means config/isp/.
ISP_DIR = ""

# Downloads meant for publication show counts from 1 to SUPPRESS_BELOW - 1 as "<5".
SUPPRESS_BELOW = 5

SERVICE_NAME = "Casework"
LOG_LEVEL = "INFO"
