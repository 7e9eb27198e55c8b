"""The test suite: like development, but the database comes from the test fixtures."""

ENV = "testing"
TESTING = True
SESSION_COOKIE_SECURE = False
LOG_LEVEL = "WARNING"
# Argon2id stays the algorithm, at a cost that keeps thousands of test accounts quick.
# Never copy these figures to production (config/default.py holds the real ones).
ARGON2_TIME_COST = 1
ARGON2_MEMORY_KIB = 1024
# Accounts with a second factor are asked for it; the others sign in with a password alone.
SECOND_FACTOR = "optional"
