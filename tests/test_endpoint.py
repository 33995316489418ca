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


def test_the_key_is_not_in_a_token_repr():
    assert "secret-key" not in repr(split_token("proj:secret-key"))


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://evil.example/login", "must start with http"),
        ("https://[Sign in](evil.example)", "not a valid URL"),  # urlsplit raises on a bad `[...]` host
    ],
)
def test_a_bad_base_url_gets_a_message_that_does_not_repeat_it(url, message):
    with pytest.raises(EndpointError, match=message) as caught:
        check_base_url(url)
    assert "evil" not in str(caught.value)
