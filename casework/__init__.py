"""casework: multi-agency case conferences for Community Safety Partnerships."""

from casework.app import create_app
from casework.version import __version__

__all__ = ["__version__", "create_app"]
