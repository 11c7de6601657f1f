from __future__ import annotations

from django.urls import reverse


def test_login_page_is_dutch_by_default(client, db):
    body = client.get(reverse("login")).content.decode()
    assert 'lang="nl"' in body
    assert "Inloggen" in body


def test_english_is_available(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in body
    assert "Log in" in body


def test_browser_language_does_not_switch_to_english(client, db):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en").content
    assert b'lang="nl"' in body
