"""Copy GOV.UK Frontend's built files from node_modules into the package's static folder.

The files come from the npm package pinned in package.json; the copies are git-ignored, so the
repository holds no third-party front-end code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from casework.settings import PROJECT_ROOT

STATIC = Path(__file__).resolve().parent / "static"
DIST = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
FILES = ("govuk-frontend.min.css", "govuk-frontend.min.js")


def install_assets(dist: Path = DIST, static: Path = STATIC) -> list[Path]:
    if not (dist / FILES[0]).exists():
        raise FileNotFoundError(f"{dist} has no built GOV.UK Frontend: run `npm ci` first")
    written = []
    (static / "govuk").mkdir(parents=True, exist_ok=True)
    for name in FILES:
        written.append(Path(shutil.copy2(dist / name, static / "govuk" / name)))
    for folder in ("fonts", "images"):
        shutil.copytree(dist / "assets" / folder, static / folder, dirs_exist_ok=True)
        written.append(static / folder)
    written.append(Path(shutil.copy2(dist / "assets" / "manifest.json", static / "manifest.json")))
    return written


def assets_installed(static: Path = STATIC) -> bool:
    return all((static / "govuk" / name).exists() for name in FILES)
