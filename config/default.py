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

# Two-factor sign-in (casework/accounts/second_factor.py, docs/accounts.md). "required": every
# account sets up an authenticator app at its first sign-in; "optional": accounts that have a
# second factor are asked for it, the others sign in with the password alone (development,
# the demo and the tests). A half-signed-in browser has this long to give its second factor;
# creating an API token from the pages asks for it again when the last was longer ago.
SECOND_FACTOR = "required"
SECOND_FACTOR_PENDING_MINUTES = 10
SECOND_FACTOR_RECENT_MINUTES = 10
# Security keys (WebAuthn): the relying party id (a host name) and the origins allowed. Empty
# means the host and origin of SERVICE_URL in production, of the request elsewhere.
WEBAUTHN_RP_ID = ""
WEBAUTHN_ORIGINS = ()

# CSRF (Flask-WTF): tokens live as long as the session.
WTF_CSRF_TIME_LIMIT = None

# Information Sharing Protocols: a directory of TOML files. Empty means config/isp/.
ISP_DIR = ""

# Downloads meant for publication show counts from 1 to SUPPRESS_BELOW - 1 as "<5".
SUPPRESS_BELOW = 5

SERVICE_NAME = "Casework"
# How to ask for another format or report an accessibility problem, shown on the accessibility
# statement (/accessibility), e.g. "Email accessibility@example.gov.uk or call 01234 567890".
# Empty: the statement sends people to their panel's coordinator.
ACCESSIBILITY_CONTACT = ""
LOG_LEVEL = "INFO"

# Meetings: how many are kept in the diary per panel, and when minutes are due (working days
# after the meeting; DOMAIN.md says about 3).
MEETINGS_AHEAD = 3
MINUTES_DUE_WORKING_DAYS = 3

# The scheduler (`casework scheduler`). SCHEDULER_IN_PROCESS runs it inside `casework serve`
# instead; None means "in development only". Times of day are UK time.
SCHEDULER_IN_PROCESS = None
SCHEDULER_POLL_SECONDS = 30
# The draft agenda is built the morning after the referral cut-off day (referrals submitted
# at any time on the cut-off day are on time) ...
SCHEDULER_DRAFT_TIME = "07:00"
# ... and reminders (agenda circulation, minutes due, overdue actions) go out in the morning.
SCHEDULER_REMINDER_TIME = "08:00"
# A claimed run that has not finished after this long is taken to have died with its process.
SCHEDULER_RUN_LEASE_MINUTES = 30
# A failed run is tried again on a later tick, this long after it failed.
SCHEDULER_RETRY_MINUTES = 5

# E-mail (the outbox is sent over SMTP by the scheduler). An empty SMTP_HOST keeps messages in
# the outbox unsent (development without a mail server). SERVICE_URL starts every link.
SMTP_HOST = ""
SMTP_PORT = 587
SMTP_USERNAME = ""
SMTP_PASSWORD = ""
SMTP_STARTTLS = True
SMTP_TIMEOUT_SECONDS = 30
MAIL_FROM = "casework@localhost"
SERVICE_URL = "http://127.0.0.1:5000"
MAIL_SEND_EVERY_SECONDS = 60
MAIL_BATCH_SIZE = 100
MAIL_MAX_ATTEMPTS = 8
# Retries wait 1, 2, 4 … minutes, never more than the cap.
MAIL_RETRY_BASE_SECONDS = 60
MAIL_RETRY_MAX_SECONDS = 6 * 3600
# A message being sent is not picked up by another sender for this long.
MAIL_SEND_LEASE_SECONDS = 600

# Offender panels: the offence categories a nominal's offences are recorded under (and the
# targeting matrix weighs). Add local priorities here; removing one hides nothing recorded.
OFFENCE_CATEGORIES = (
    "burglary",
    "robbery",
    "vehicle_crime",
    "theft_from_person",
    "shoplifting",
    "violence",
    "criminal_damage",
    "drugs",
    "public_order",
    "other",
)

# The targeting matrix (casework/offenders/targeting.py) scores everyone with events in the
# last `window_months`: each offence scores its category's weight plus its outcome's weight;
# intelligence reports, warrants and positive drug tests score their own weight. Every
# event's points are multiplied by the first recency band it falls in (e.g. the last three
# months count double); older events count once. Whole numbers only, so scores are exact on
# every database. A category missing here scores 0 (local priorities: raise a weight).
TARGETING_MATRIX = {
    "window_months": 12,
    "categories": {
        "burglary": 6,
        "robbery": 6,
        "vehicle_crime": 4,
        "theft_from_person": 4,
        "shoplifting": 2,
        "violence": 5,
        "criminal_damage": 2,
        "drugs": 3,
        "public_order": 1,
        "other": 1,
    },
    "outcomes": {
        "arrest": 1,
        "charge": 2,
        "caution": 2,
        "conviction": 3,
        "no_further_action": 0,
    },
    "intelligence": 1,
    "warrant": 3,
    "positive_drug_test": 2,
    "recency": [{"months": 3, "multiplier": 2}],
}
# How many top-scoring candidates a draft offender-panel agenda proposes, and how long a
# candidate the panel rejected stays off later draft agendas (the ranked list still shows them).
TARGETING_AGENDA_CANDIDATES = 10
TARGETING_REJECTED_QUIET_DAYS = 90
# PPO classifications (R&R / C&C) are reviewed this many weeks after the last one.
CLASSIFICATION_REVIEW_WEEKS = 4

# ASB risk assessment panels (casework/asb). The victim risk assessment matrix: a TOML file of
# questions, answer weights and the medium/high thresholds (empty means config/asb_risk.toml);
# the service refuses to start on a bad one. A victim is a repeat victim when they reported at
# least `incidents` incidents (across all their ASB cases) in the `days` days up to the case's
# latest incident or referral date.
ASB_RISK_MATRIX = ""
ASB_REPEAT_VICTIM = {"incidents": 3, "days": 183}

# Retention periods per record type (casework/retention, docs/retention.md): a TOML file (empty
# means config/retention.toml); the service refuses to start on a bad one. The review list is
# made each day at RETENTION_REVIEW_TIME (UK time); nothing is erased without the DPO.
RETENTION_FILE = ""
RETENTION_REVIEW_TIME = "06:30"

# Subject access (casework/subject_access): a response is due one calendar month after the
# request arrives, and when that day is a weekend or bank holiday, on the next working day
# (ICO). The controller's nation says whose bank holidays: england-and-wales (Wales shares
# England's), scotland or northern-ireland.
SUBJECT_ACCESS_NATION = "england-and-wales"

# Community Trigger (ASB case review, casework/asb/triggers.py): the local threshold is at
# least ASB_TRIGGER_THRESHOLD complaints about the behaviour in the ASB_TRIGGER_WINDOW_DAYS
# days up to the application; the decision is due ASB_TRIGGER_DECISION_DAYS working days
# after the application was received (weekends and the panel's nation's bank holidays skipped).
ASB_TRIGGER_THRESHOLD = 3
ASB_TRIGGER_WINDOW_DAYS = 183
ASB_TRIGGER_DECISION_DAYS = 10

# National reference lines on the performance charts and headline figures (casework/stats/
# reference.py): SafeLives' MARAC national dataset, 12 months to September 2024. Each line
# carries its value (rates as fractions), a label, where it comes from and the date it was
# true, and the chart says so; change all four together when SafeLives publishes new figures.
# An empty dict draws no lines; the service refuses to start on a malformed entry.
STATS_REFERENCE_LINES = {
    "repeat_rate": {
        "value": 0.31,
        "label": "National repeat rate",
        "source": "SafeLives MARAC national dataset, 12 months to September 2024",
        "as_of": "2024-09-30",
    },
    "non_police_rate": {
        "value": 0.361,
        "label": "National share of referrals from partner agencies",
        "source": "SafeLives MARAC national dataset, 12 months to September 2024",
        "as_of": "2024-09-30",
    },
    "volume_per_10k": {
        "value": 47,
        "label": "National cases per 10,000 adult women",
        "source": "SafeLives MARAC national dataset, 12 months to September 2024",
        "as_of": "2024-09-30",
    },
}

# The production web server (`casework run`, config/gunicorn.conf.py; docs/production.md).
# WEB_WORKERS 0 means two per core plus one; each worker runs WEB_THREADS request threads.
WEB_BIND = "127.0.0.1:8000"
WEB_WORKERS = 0
WEB_THREADS = 4
WEB_TIMEOUT_SECONDS = 60  # a request still running after this is killed with its worker
WEB_GRACEFUL_TIMEOUT_SECONDS = 30  # on a stop or reload, requests under way get this long
WEB_KEEPALIVE_SECONDS = 5
# Reverse proxies (casework/proxies.py): PROXY_HOPS is how many proxies stand in front (0:
# none, forwarded headers are ignored); their X-Forwarded-For and -Proto are believed only
# from an address in TRUSTED_PROXIES (addresses or networks).
PROXY_HOPS = 0
TRUSTED_PROXIES = ["127.0.0.1", "::1"]

# Readiness (/readyz): the oldest unsent e-mail may wait this long before the instance is
# reported not ready (0 turns the check off). Metrics (/metrics) need this bearer token;
# empty means /metrics answers 404.
READY_OUTBOX_MAX_AGE_MINUTES = 60
METRICS_TOKEN = ""
