"""The e-mail outbox: messages with no personal data, sent over SMTP with retries."""
