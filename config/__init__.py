"""Settings for casework: one module per environment, overridden by CASEWORK_* variables."""
