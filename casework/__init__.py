"""casework: multi-agency case conferences for Community Safety Partnerships."""

from casework.app import create_app

__all__ = ["create_app"]
