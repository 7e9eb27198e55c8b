"""The ASB victim risk assessment matrix: loaded from configuration, checked, and scored.

Forces' ASB risk assessment matrices differ (questions, weights, thresholds), so the matrix
is data (``config/asb_risk.toml``, or the file ``ASB_RISK_MATRIX`` names), not code. It is
read and checked once when the service starts (``casework.bootstrap``): a bad file stops the
service with a message naming every problem, as a bad protocol file does, rather than
scoring referrals wrongly later. Scoring is a pure function so it can be tested on its own.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "asb_risk.toml"
# The parts of a risk assessment every matrix covers (the four), in the form's order.
SECTIONS = {
    "circumstances": "The victim's circumstances",
    "health": "Health",
    "previous_incidents": "Previous incidents",
    "impact": "Impact on the victim",
}
_CODE = re.compile(r"^[a-z0-9_]{1,40}$")
_TOP_KEYS = {"name", "thresholds", "questions"}
_QUESTION_KEYS = {"code", "section", "text", "answers"}
_ANSWER_KEYS = {"code", "text", "weight"}


class MatrixError(ValueError):
    """The matrix file cannot be used; the message names every problem found (no values
    from cases: a matrix holds none)."""


@dataclass(frozen=True)
class Answer:
    code: str
    text: str
    weight: int


@dataclass(frozen=True)
class Question:
    code: str
    section: str
    text: str
    answers: tuple[Answer, ...]

    def answer(self, code: str) -> Answer | None:
        return next((a for a in self.answers if a.code == code), None)


@dataclass(frozen=True)
class Matrix:
    name: str
    medium: int
    high: int
    questions: tuple[Question, ...]

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    def by_section(self) -> list[tuple[str, str, list[Question]]]:
        """(section code, heading, its questions) in the form's order, empty sections left out."""
        return [
            (s, heading, [q for q in self.questions if q.section == s])
            for s, heading in SECTIONS.items()
            if any(q.section == s for q in self.questions)
        ]

    def band(self, score: int) -> str:
        if score >= self.high:
            return "high"
        if score >= self.medium:
            return "medium"
        return "standard"

    def score(self, answers: Mapping[str, str]) -> tuple[int, str]:
        """The total of the chosen answers' weights and its band. ``answers`` must already be
        checked (``problems``): an unknown code here is a programming error."""
        total = 0
        for question in self.questions:
            chosen = question.answer(answers[question.code])
            if chosen is None:
                raise KeyError(question.code)
            total += chosen.weight
        return total, self.band(total)

    def problems(self, answers: Any) -> dict[str, list[str]]:
        """Per answer key (``risk_answers.<code>``), what is wrong with a referral's answers:
        every question answered with one of its answers, and nothing else."""
        if not isinstance(answers, Mapping):
            return {"risk_answers": ["Answer the risk assessment questions"]}
        errors: dict[str, list[str]] = {}
        for question in self.questions:
            given = answers.get(question.code)
            if given is None or given == "":
                errors[f"risk_answers.{question.code}"] = ["Answer this question"]
            elif not isinstance(given, str) or question.answer(given) is None:
                allowed = ", ".join(a.code for a in question.answers)
                errors[f"risk_answers.{question.code}"] = [f"Must be one of: {allowed}."]
        for key in answers:
            if self.question(str(key)) is None:
                errors[f"risk_answers.{key}" if _CODE.match(str(key)) else "risk_answers"] = [
                    "Unknown question"
                ]
        return errors


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _answers(where: str, raw: Any, problems: list[str]) -> tuple[Answer, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append(f"{where}: give at least two answers")
        return ()
    out = []
    for i, answer in enumerate(raw, 1):
        at = f"{where} answer {i}"
        if not isinstance(answer, dict):
            problems.append(f"{at}: must be a table with code, text and weight")
            continue
        extra = set(answer) - _ANSWER_KEYS
        if extra:
            problems.append(f"{at}: unknown keys {', '.join(sorted(extra))}")
        code, text, weight = answer.get("code"), answer.get("text"), answer.get("weight")
        if not isinstance(code, str) or not _CODE.match(code):
            problems.append(f"{at}: code must be lower-case letters, digits and _")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{at}: text is missing")
        if not _whole(weight) or weight < 0:
            problems.append(f"{at}: weight must be a whole number, 0 or more")
        if isinstance(code, str) and isinstance(text, str) and _whole(weight):
            out.append(Answer(code, text.strip(), weight))
    codes = [a.code for a in out]
    if len(set(codes)) != len(codes):
        problems.append(f"{where}: an answer code is given twice")
    return tuple(out)


def _question(i: int, raw: Any, problems: list[str]) -> Question | None:
    where = f"question {i}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table")
        return None
    code = raw.get("code")
    if isinstance(code, str) and _CODE.match(code):
        where = f"question {code!r}"
    else:
        problems.append(f"{where}: code must be lower-case letters, digits and _")
    extra = set(raw) - _QUESTION_KEYS
    if extra:
        problems.append(f"{where}: unknown keys {', '.join(sorted(extra))}")
    if raw.get("section") not in SECTIONS:
        problems.append(f"{where}: section must be one of {', '.join(SECTIONS)}")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: text is missing")
    answers = _answers(where, raw.get("answers"), problems)
    if not isinstance(code, str) or not isinstance(text, str):
        return None
    return Question(code, str(raw.get("section")), text.strip(), answers)


def parse_matrix(data: Mapping[str, Any]) -> Matrix:
    """A matrix from its decoded TOML, or ``MatrixError`` naming every problem."""
    problems: list[str] = []
    extra = set(data) - _TOP_KEYS
    if extra:
        problems.append(f"unknown keys {', '.join(sorted(extra))}")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append("no [[questions]]")
        raw_questions = []
    questions = [q for i, r in enumerate(raw_questions, 1) if (q := _question(i, r, problems))]
    codes = [q.code for q in questions]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"question code {code!r} is given twice")
    thresholds = data.get("thresholds")
    medium = high = 0
    if not isinstance(thresholds, dict) or set(thresholds) != {"medium", "high"}:
        problems.append("[thresholds] must give exactly medium and high")
    else:
        medium, high = thresholds["medium"], thresholds["high"]
        if not (_whole(medium) and _whole(high) and 0 < medium < high):
            problems.append("thresholds: medium and high must be whole numbers, 0 < medium < high")
        else:
            most = sum(max((a.weight for a in q.answers), default=0) for q in questions)
            if high > most:
                problems.append(f"thresholds: high ({high}) is above the highest score ({most})")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name is missing")
    if problems:
        raise MatrixError("; ".join(problems))
    return Matrix(str(name).strip(), medium, high, tuple(questions))


def load_matrix(path: Path) -> Matrix:
    """The matrix in ``path`` (TOML), or ``MatrixError`` saying which file and why."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MatrixError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MatrixError(f"{path}: cannot be read ({type(exc).__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise MatrixError(f"{path}: not valid TOML ({exc})") from None
    try:
        return parse_matrix(data)
    except MatrixError as exc:
        raise MatrixError(f"{path}: {exc}") from None


def matrix_path(settings: Mapping[str, Any]) -> Path:
    return Path(settings.get("ASB_RISK_MATRIX") or DEFAULT_PATH)


@functools.lru_cache(maxsize=8)
def _cached(path: str) -> Matrix:
    return load_matrix(Path(path))


def matrix_for(settings: Mapping[str, Any]) -> Matrix:
    """The configured matrix, read once per file (the service checked it at start-up)."""
    return _cached(str(matrix_path(settings)))
