"""centroid_explorer.endpoint: the pasted token's forms, and messages that never repeat what was typed."""

from __future__ import annotations

import pytest

from centroid_explorer.client import Client
from centroid_explorer.endpoint import EndpointError, Token, check_base_url, split_token


@pytest.mark.parametrize(
    "token, expected",
    [
        ("proj:key", Token("proj", "key", None)),
        (" proj:key:us-east-1 ", Token("proj", "key", "us-east-1")),
        ("proj:key:us-east-1:firebase-uid", Token("proj", "key", "us-east-1")),  # the hosted dashboard's form
        ("proj:key::uid", Token("proj", "key", None)),
    ],
)
def test_token_forms(token, expected):
    assert split_token(token) == expected


def test_token_agrees_with_the_client():
    """Client.from_token reads the same project, key and region (its base URL comes from the region)."""
    token = "proj:key:us-east-1:firebase-uid"
    parsed = split_token(token)
    with Client.from_token(token) as client:
        assert (client.project, client.base_url) == (parsed.project, "https://api.us-east-1.relevance.ai/latest")


@pytest.mark.parametrize("token", ["no-colon", ":key", "proj:", "a:b:c:d:e"])
def test_malformed_tokens_say_which_forms_work(token):
    with pytest.raises(EndpointError, match="project:api_key:region:user_id"):
        split_token(token)


def test_a_region_that_is_no_region_name_is_refused_without_echoing_it():
    with pytest.raises(EndpointError, match="third part is not a region name") as caught:
        split_token("proj:key:Evil.Example")
    assert "evil" not in str(caught.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", " https://api.us-east-1.relevance.ai/latest ", "http://[::1]:9"])
def test_good_base_urls_are_kept_without_the_trailing_slash(url):
    assert check_base_url(url) == url.strip().rstrip("/")


def test_the_key_is_not_in_a_token_repr():
    assert "secret-key" not in repr(split_token("proj:secret-key"))


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://evil.example/login", "must start with http"),
        ("https://[Sign in](evil.example)", "not a valid URL"),  # urlsplit raises on a bad `[...]` host
        ("http://evil.example:abc", "not a valid URL"),  # httpx would raise InvalidURL, past the page's handler
        ("http://evil.example:99999", "not a valid URL"),
        ("https://user:evil@example.com", "must not contain a user name or password"),
    ],
)
def test_a_bad_base_url_gets_a_message_that_does_not_repeat_it(url, message):
    with pytest.raises(EndpointError, match=message) as caught:
        check_base_url(url)
    assert "evil" not in str(caught.value)
