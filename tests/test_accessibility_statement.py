"""The accessibility statement in the service: anyone reaches it, signed in or not, from every
page's footer, and it tells people the installation's own session limit and where to ask for
help (``ACCESSIBILITY_CONTACT``). Its words are compared with the statement in docs/ by
tests/test_buyer_papers.py; its accessibility is checked in tests/browser/test_case_pages_axe.py."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in


def test_anyone_signed_out_reads_the_statement_from_the_sign_in_page(client):
    assert 'href="/accessibility">Accessibility statement</a>' in client.get("/sign-in").text
    page = client.get("/accessibility")
    assert page.status_code == 200
    assert "<h1" in page.text and "Accessibility statement for" in page.text
    assert "partially compliant" in page.text
    # no contact configured: people are sent to someone who exists in every installation
    assert "ask the coordinator of your panel" in page.text


def test_the_statement_shows_the_installation_s_limit_and_contact(client, svc, monkeypatch):
    monkeypatch.setitem(svc.settings, "SESSION_IDLE_MINUTES", 20)
    monkeypatch.setitem(svc.settings, "ACCESSIBILITY_CONTACT", "Email access@example.gov.uk")
    text = client.get("/accessibility").text
    assert "signed out after 20 minutes without activity" in text
    assert "Sessions end after 20 minutes" in text
    assert "Email access@example.gov.uk" in text and "coordinator of your panel" not in text


@pytest.mark.parametrize("path", ["/accessibility", "/"])
def test_signed_in_pages_link_to_it_too(client, factory, path):
    factory.agency("POL", "police")
    factory.user("ref@pol.example", "POL", ("referrer",))
    sign_in(client, "ref@pol.example")
    page = client.get(path)
    assert page.status_code == 200
    assert 'href="/accessibility">Accessibility statement</a>' in page.text
