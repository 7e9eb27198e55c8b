"""A MARAC case's safety plan, kept by its IDVA and the panel's coordinator."""
