"""The web pages' blueprint, which every page module registers on.

Apart from the package's ``__init__`` (which imports every page module) so that a page module
importing the blueprint does not import its own package back (no cycle).
"""

from flask import Blueprint

blueprint = Blueprint("web", __name__)
