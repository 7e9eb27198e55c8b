"""Retention and erasure: periods per record type, legal holds, the DPO's review list and
erasure that keeps the statistics (docs/retention.md)."""
