"""The papers a buyer reads (accessibility statement, security overview, DPIA starter) stay true
to the code: every file, folder and test they name exists, and the accessibility statement
names every page the automated accessibility check visits. Reads files only: no app starts."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest

from casework.settings import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
PAPERS = ("accessibility-statement.md", "security-overview.md", "dpia.md")
STATEMENT = DOCS / "accessibility-statement.md"
AXE_TESTS = PROJECT_ROOT / "tests" / "browser"
JOURNEYS = AXE_TESTS / "test_journeys.py"

SUFFIXES = (".py", ".toml", ".md", ".js", ".html", ".conf", ".service")
FOLDERS = ("casework/", "config/", "deploy/", "tests/", "docs/", "migrations/", "scripts/")
# A file at the top of the repository, named alone (a file on a host is named by its full path).
TOP_LEVEL = re.compile(r"^(Dockerfile|[\w-]+\.(toml|json|yaml|md))$")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
DOC_LINK = re.compile(r"\]\(([\w.-]+\.md)(?:#[^)]*)?\)")


def repository_references(text: str) -> list[str]:
    """What a paper names as a repository path, in backticks: a file by its suffix, anything
    under one of the project's folders (``tests/x.py::test_name`` names a test), or a file at
    the top of the repository (``pyproject.toml``)."""
    found = []
    for span in CODE_SPAN.findall(text):
        if any(c.isspace() for c in span) or span.startswith("/"):
            continue  # a command, or a path on the host or in the service's URLs
        path = span.split("::")[0]
        if (
            ("/" in path and path.endswith(SUFFIXES))
            or path.startswith(FOLDERS)
            or TOP_LEVEL.match(path)
        ):
            found.append(span)
    return found


def missing(references: list[str], root: Path) -> list[str]:
    """The references that name nothing in ``root``: no such file or folder, no file matching a
    pattern, or no such test function in the file named."""
    gone = []
    for reference in references:
        path, _, test = reference.partition("::")
        if "*" in path:
            found = bool(list(root.glob(path)))
        else:
            target = root / path
            found = target.exists() and (not test or _defines(target, test))
        if not found:
            gone.append(reference)
    return gone


def _defines(file: Path, function: str) -> bool:
    return re.search(rf"^def {re.escape(function)}\(", file.read_text(), re.M) is not None


def _paper(name: str) -> str:
    return (DOCS / name).read_text()


@pytest.mark.parametrize("name", PAPERS)
def test_every_file_folder_and_test_a_paper_names_exists(name: str) -> None:
    references = repository_references(_paper(name))
    assert len(references) >= 5, "the paper names the files that implement what it says"
    assert missing(references, PROJECT_ROOT) == []


@pytest.mark.parametrize("name", PAPERS)
def test_every_page_a_paper_links_to_exists(name: str) -> None:
    links = DOC_LINK.findall(_paper(name))
    assert [link for link in links if not (DOCS / link).exists()] == []


def test_a_renamed_file_or_test_would_be_caught(tmp_path: Path) -> None:
    (tmp_path / "casework").mkdir()
    (tmp_path / "casework" / "here.py").write_text("def test_kept():\n    pass\n")
    text = (
        "`casework/here.py` and `casework/gone.py`, `casework/here.py::test_kept`, "
        "`casework/here.py::test_renamed`, `casework/*.py`, `deploy/*.service`, "
        "`casework keys rotate`, `/admin/users`, `GET /api/v1/referrals`, `Dockerfile`"
    )
    references = repository_references(text)
    assert "casework keys rotate" not in references and "/admin/users" not in references
    assert missing(references, tmp_path) == [
        "casework/gone.py",
        "casework/here.py::test_renamed",
        "deploy/*.service",
        "Dockerfile",
    ]


def _axe_test_source() -> ast.Module:
    return ast.parse(JOURNEYS.read_text())


def pages_axe_visits() -> set[str]:
    """The paths the page-by-page axe test opens: the values of its ``PAGES`` table and the
    addresses it goes to itself, without their query strings (error states of the same page)."""
    tree = _axe_test_source()
    urls: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets
        ):
            for listed in ast.literal_eval(node.value).values():
                urls.extend(listed)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_every_page"):
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "goto"
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                ):
                    urls.append(call.args[0].value)
    return {url.split("?")[0] for url in urls}


def test_the_statement_names_every_page_the_axe_test_visits() -> None:
    pages = pages_axe_visits()
    assert {"/sign-in", "/", "/admin/users", "/stats", "/audit"} <= pages  # the parse worked
    named = set(CODE_SPAN.findall(STATEMENT.read_text()))
    assert sorted(pages - named) == []


def test_the_statement_names_every_journey_checked_with_axe() -> None:
    checked = {
        f"tests/browser/{path.name}"
        for path in AXE_TESTS.glob("test_*.py")
        if "_violations(" in path.read_text() and path != JOURNEYS
    }
    assert len(checked) >= 10
    named = set(CODE_SPAN.findall(STATEMENT.read_text()))
    assert sorted(checked - named) == []


def test_the_statement_says_what_the_axe_run_sets_aside() -> None:
    tree = _axe_test_source()
    set_aside = next(
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "GOVUK_REVEAL" for t in node.targets)
    )
    rule, marker = set_aside
    statement = STATEMENT.read_text()
    assert f"`{rule}`" in statement
    assert marker.split('"')[1] in statement  # the conditional-reveal blocks it concerns
    source = JOURNEYS.read_text()
    assert '("serious", "critical")' in source, "the statement says which impacts fail a page"
    assert "serious or critical impact" in statement


# The service shows the statement itself (``/accessibility``); its words live in a template, since
# docs/ is not shipped with the package. What the two say about compliance must not drift apart.
STATEMENT_PAGE = PROJECT_ROOT / "casework" / "templates" / "accessibility.html"
STATEMENT_PARTS = {  # the template's marked element: the statement's heading above the same words
    "compliance": "Compliance status",
    "known-issues": "How accessible this service is",
    "non-compliance": "Non-compliance with the accessibility regulations",
}
# The page shows the installation's session limits where the statement gives the defaults.
PAGE_SETTINGS = {"idle_minutes": "SESSION_IDLE_MINUTES", "absolute_hours": "SESSION_ABSOLUTE_HOURS"}


def _plain(text: str) -> str:
    """Words only: no Markdown or HTML markup, one space between words."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text).replace("`", "")
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def statement_part(markdown: str, heading: str) -> list[str]:
    """The bullets under a heading of the Markdown statement, or its paragraph if it has none."""
    section = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#|\Z)", markdown, re.M | re.S)
    assert section, heading
    body = section.group(1).strip()
    bullets = re.findall(r"^- (.*?)(?=^- |^\s*$|\Z)", body + "\n\n", re.M | re.S)
    return [_plain(b) for b in bullets] if bullets else [_plain(body.split("\n\n")[0])]


def page_part(template: str, name: str) -> list[str]:
    """The list items (or the paragraph) of the template's element marked ``name``, with the
    settings it shows filled in with their defaults."""
    defaults = (PROJECT_ROOT / "config" / "default.py").read_text()
    for variable, setting in PAGE_SETTINGS.items():
        value = re.search(rf"^{setting} = (\d+)$", defaults, re.M)
        assert value, setting
        template = re.sub(r"\{\{\s*" + variable + r"\s*\}\}", value.group(1), template)
    element = re.search(rf'<(ul|p)\b[^>]*data-statement="{name}"[^>]*>(.*?)</\1>', template, re.S)
    assert element, name
    assert "{{" not in element.group(2), f"{name}: a value the test does not know"
    items = re.findall(r"<li>(.*?)</li>", element.group(2), re.S)
    return [_plain(i) for i in items] if element.group(1) == "ul" else [_plain(element.group(2))]


@pytest.mark.parametrize("name", STATEMENT_PARTS)
def test_the_page_in_the_service_says_what_the_statement_says(name: str) -> None:
    said = statement_part(STATEMENT.read_text(), STATEMENT_PARTS[name])
    assert said and all(said)
    assert page_part(STATEMENT_PAGE.read_text(), name) == said


def test_a_known_issue_left_off_the_page_would_be_caught() -> None:
    markdown = "## Known\n\nIntro.\n\n- one `a`\n  continued\n- two [link](#x)\n\n## Next\n"
    assert statement_part(markdown, "Known") == ["one a continued", "two link"]
    page = '<ul data-statement="k">\n  <li>one <code>a</code> continued</li>\n</ul>'
    assert page_part(page, "k") == ["one a continued"] != statement_part(markdown, "Known")
