"""Offender management: PPO, Prevent and Deter and IOM nominals, cohorts and outcomes."""
