"""The running version, kept equal to pyproject.toml's (tests/test_deploy_files.py):
`casework --version`, the metrics' build label and CHANGELOG.md all speak of this one number.
A module of its own, so anything may import it without importing the application."""

__version__ = "0.2.0.dev0"
