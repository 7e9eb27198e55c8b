"""The test suite: like development, but the database comes from the test fixtures."""

ENV = "testing"
TESTING = True
SESSION_COOKIE_SECURE = False
LOG_LEVEL = "WARNING"
