"""The ASB risk matrix is configuration: the shipped file loads and scores as documented, and a
bad file stops the service at start-up with a message naming each problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework import create_app
from casework.asb.risk import DEFAULT_PATH, MatrixError, load_matrix
from casework.settings import ConfigError

GOOD = """
name = "Test matrix"
[thresholds]
medium = 2
high = 4
[[questions]]
code = "alone"
section = "circumstances"
text = "Does the victim live alone?"
answers = [{ code = "yes", text = "Yes", weight = 2 }, { code = "no", text = "No", weight = 0 }]
[[questions]]
code = "unsafe"
section = "impact"
text = "Does the victim feel unsafe?"
answers = [{ code = "yes", text = "Yes", weight = 3 }, { code = "no", text = "No", weight = 0 }]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "matrix.toml"
    path.write_text(text)
    return path


def test_the_shipped_matrix_loads_with_the_four_sections() -> None:
    matrix = load_matrix(DEFAULT_PATH)
    assert 10 <= len(matrix.questions) <= 16
    assert [s for s, _, _ in matrix.by_section()] == [
        "circumstances",
        "health",
        "previous_incidents",
        "impact",
    ]
    assert (matrix.medium, matrix.high) == (10, 20)


def test_a_matrix_scores_weights_into_bands(tmp_path: Path) -> None:
    matrix = load_matrix(write(tmp_path, GOOD))
    assert matrix.score({"alone": "no", "unsafe": "no"}) == (0, "standard")
    assert matrix.score({"alone": "yes", "unsafe": "no"}) == (2, "medium")
    assert matrix.score({"alone": "yes", "unsafe": "yes"}) == (5, "high")
    assert matrix.problems({"alone": "maybe", "extra": "yes"}) == {
        "risk_answers.alone": ["Must be one of: yes, no."],
        "risk_answers.unsafe": ["Answer this question"],
        "risk_answers.extra": ["Unknown question"],
    }


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda t: t.replace("high = 4", "high = 40"), "above the highest score"),
        (lambda t: t.replace("medium = 2", "medium = 5"), "0 < medium < high"),
        (lambda t: t.replace('code = "unsafe"', 'code = "alone"'), "'alone' is given twice"),
        (lambda t: t.replace('section = "impact"', 'section = "mood"'), "section must be one of"),
        (lambda t: t.replace("weight = 3", "weight = -1"), "weight must be a whole number"),
        (lambda t: t.replace("weight = 3", "weight = 2.5"), "weight must be a whole number"),
        (lambda t: t.replace("[thresholds]", "colour = 1\n[thresholds]"), "unknown keys colour"),
        (lambda t: t.replace("medium = 2\n", ""), "exactly medium and high"),
        (lambda t: t + "\n[[questions]]\ncode = 'x'\n", "text is missing"),
        (lambda t: "name = ", "not valid TOML"),
    ],
)
def test_a_bad_matrix_is_refused_naming_the_problem(tmp_path: Path, change, named: str) -> None:
    with pytest.raises(MatrixError) as refused:
        load_matrix(write(tmp_path, change(GOOD)))
    assert named in str(refused.value)
    assert str(tmp_path) in str(refused.value)  # which file


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("high = 4", "high = 40").replace('section = "impact"', 'section = "x"')
    with pytest.raises(MatrixError) as refused:
        load_matrix(write(tmp_path, text))
    assert "above the highest score" in str(refused.value)
    assert "section must be one of" in str(refused.value)


def test_the_service_refuses_to_start_on_a_bad_matrix(tmp_path: Path) -> None:
    bad = write(tmp_path, GOOD.replace("high = 4", "high = 1"))
    settings = {"ENV": "testing", "DATABASE_URL": "sqlite://", "INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(ConfigError, match="ASB risk matrix"):
        create_app({**settings, "ASB_RISK_MATRIX": str(bad)})
    with pytest.raises(ConfigError, match="no such file"):
        create_app({**settings, "ASB_RISK_MATRIX": str(tmp_path / "missing.toml")})
    with pytest.raises(ConfigError, match="repeat victim"):
        create_app({**settings, "ASB_REPEAT_VICTIM": {"incidents": 0, "days": 183}})
