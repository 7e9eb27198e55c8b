"""Protocol files are checked at start-up: a mistake stops the service and names the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework import create_app
from casework.settings import PROJECT_ROOT, ConfigError
from casework.sharing.protocols import ProtocolError, load_protocols, parse_protocol

GOOD = """\
name = "Test"
panel_kinds = ["marac"]

[categories]
victim_identity = ["referral:victim.first_name", "referral:victim.last_name"]

[[rules]]
sectors = ["police"]
roles = ["agency_rep"]
condition = "panel_member"
verbs = ["view"]
categories = ["victim_identity"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "test.toml"
    path.write_text(text)
    return path


def test_shipped_protocols_load() -> None:
    protocols = load_protocols(PROJECT_ROOT / "config" / "isp")
    assert set(protocols) == {"asb", "marac", "offender"}
    assert protocols["marac"].panel_kinds == {"marac"}
    assert protocols["offender"].panel_kinds == {"ppo", "prevent_deter", "iom"}


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ('"referral:victim.last_name"', '"referral:victim.surname"', 5, "unknown field"),
        ('sectors = ["police"]', 'sectors = ["polce"]', 8, "unknown sector"),
        ('condition = "panel_member"', 'condition = "sometimes"', 10, "unknown condition"),
        ('categories = ["victim_identity"]', 'categories = ["victim_idenity"]', 12, "category"),
        ('verbs = ["view"]', 'verbs = ["read"]', 11, "unknown verb"),
        ('roles = ["agency_rep"]', 'roles = ["analyst"]', 9, "never see case data"),
        ('roles = ["agency_rep"]', 'roles = ["admin"]', 9, "never see case data"),
        ('roles = ["agency_rep"]', 'roles = ["boss"]', 9, "unknown role"),
        ('verbs = ["view"]', 'verbs = ["view"]\nwhen = "now"', 12, "unknown rule setting"),
        ('name = "Test"', 'name = "Test"\ncolour = "red"', 2, "unknown setting"),
    ],
)
def test_mistakes_name_the_line(tmp_path: Path, old: str, new: str, line: int, words: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(path)
    assert f"test.toml:{line}:" in str(caught.value)
    assert words in str(caught.value)


def test_a_field_in_two_categories_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("[[rules]]", 'other = ["referral:victim.first_name"]\n\n[[rules]]')
    with pytest.raises(ProtocolError, match="in both"):
        parse_protocol(write(tmp_path, text))


def test_bad_toml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="not valid TOML"):
        parse_protocol(write(tmp_path, GOOD + "\n[[rules]\n"))


def test_the_service_does_not_start_with_a_bad_protocol(tmp_path: Path, database_url: str) -> None:
    write(tmp_path, GOOD.replace('"panel_member"', '"whenever"'))
    with pytest.raises(ConfigError, match=r"test\.toml:10: unknown condition 'whenever'"):
        create_app(
            {
                "ENV": "testing",
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "ISP_DIR": str(tmp_path),
            }
        )
