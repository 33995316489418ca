"""Connect page through AppTest: the embedded default, and a hosted-style endpoint (the live test server)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from centroid_explorer.client import Client
from tests.hostile import as_read

CONNECT = "views/connect.py"
HOSTED = "Hosted or compatible endpoint"


def _by_label(elements, label):
    return next(e for e in elements if e.label == label)


def _fill_endpoint(at: AppTest, base_url: str, project: str = "", api_key: str = "", token: str = "") -> None:
    at.main.radio[0].set_value(HOSTED).run()
    _by_label(at.main.selectbox, "Region").set_value("Custom URL").run()
    _by_label(at.main.text_input, "Base URL").input(base_url)
    _by_label(at.main.text_input, "Project").input(project)
    _by_label(at.main.text_input, "API key").input(api_key)
    _by_label(at.main.text_input, "…or paste a `project:api_key` token").input(token)


def _page_text(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in (at.error, at.success, at.info, at.markdown, at.caption) for e in kind)


def test_connect_page_starts_on_the_embedded_server(app_page):
    at = app_page(CONNECT)
    assert not at.exception
    assert at.main.radio[0].value.startswith("Embedded")
    assert "You are using the embedded server." in [i.value for i in at.info]


def test_wrong_api_key_says_so_without_a_traceback(app_page, live_server):
    at = app_page(CONNECT)
    _fill_endpoint(at, live_server.base_url, project=live_server.project, api_key="definitely-wrong-key")
    _by_label(at.main.button, "Test connection").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("rejected the project or API key" in e for e in errors), errors
    assert "definitely-wrong-key" not in _page_text(at)


def test_nothing_listening_gets_its_own_message(app_page):
    at = app_page(CONNECT)
    _fill_endpoint(at, "http://127.0.0.1:9", project="p", api_key="k")  # port 9 (discard): nothing listens
    _by_label(at.main.button, "Test connection").click().run()
    assert not at.exception
    assert any("nothing is listening" in e.value for e in at.error), [e.value for e in at.error]


def test_malformed_token_names_the_field(app_page, live_server):
    at = app_page(CONNECT)
    _fill_endpoint(at, live_server.base_url, token="no-colon-here")
    _by_label(at.main.button, "Connect").click().run()
    assert not at.exception
    assert any("project:api_key" in e.value for e in at.error)


def test_a_base_url_that_is_no_url_names_the_field_without_a_traceback(app_page):
    at = app_page(CONNECT)
    _fill_endpoint(at, "https://[not a host", project="p", api_key="k")  # urlsplit raises on it
    _by_label(at.main.button, "Test connection").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Base URL is not a valid URL: check the host and port."]


def test_token_connects_and_the_pickers_use_that_endpoint(app_page, live_server):
    with_data = "connect-test-data"
    with Client(live_server.base_url, live_server.project, live_server.api_key) as client:
        client.datasets.bulk_insert(with_data, [{"_id": "a", "x_vector_": [1.0, 0.0]}])
    at = app_page(CONNECT)
    _fill_endpoint(at, live_server.base_url, token=f"{live_server.project}:{live_server.api_key}")
    _by_label(at.main.button, "Connect").click().run()
    assert not at.exception
    assert any(f"Connected to `{live_server.project}`" in s.value for s in at.success)
    at.run()  # the sidebar was drawn before the click switched endpoints: draw it again
    assert not at.exception
    datasets = _by_label(at.sidebar.selectbox, "Dataset").options
    assert with_data in datasets and "digits" not in datasets  # this endpoint's, not the demo server's
    assert live_server.project in as_read(at.sidebar.caption[0].value)
    assert live_server.api_key not in str(dict(at.query_params)) + _page_text(at)


def test_a_hosted_token_with_region_and_user_id_connects(app_page, live_server):
    """The hosted dashboard's token is `project:api_key:region:user_id`; with Custom URL the typed base
    URL wins over the region (as in Client.from_token), so the live server stands in for the hosted one."""
    at = app_page(CONNECT)
    token = f"{live_server.project}:{live_server.api_key}:us-east-1:firebase-uid-123"
    _fill_endpoint(at, live_server.base_url, token=token)
    _by_label(at.main.button, "Test connection").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("answered" in s.value for s in at.success)
    assert live_server.api_key not in _page_text(at)


def test_a_token_for_another_region_says_which_base_url_it_uses(app_page):
    """With a preset region chosen, the token's own region wins (its project lives there), and the page
    says so as soon as the token is pasted (no button: this test asks no hosted server anything)."""
    at = app_page(CONNECT)
    at.main.radio[0].set_value(HOSTED).run()
    _by_label(at.main.selectbox, "Region").set_value("old-australia-east").run()
    _by_label(at.main.text_input, "…or paste a `project:api_key` token").input("proj:key:ap-southeast-2:uid").run()
    assert not at.exception
    assert [i.value for i in at.info] == [
        "The token is for region `ap-southeast-2`: using `https://api.ap-southeast-2.relevance.ai/latest`."
    ]


def test_a_token_with_a_malformed_region_names_the_part(app_page, live_server):
    at = app_page(CONNECT)
    _fill_endpoint(at, live_server.base_url, token=f"{live_server.project}:{live_server.api_key}:US East!")
    _by_label(at.main.button, "Connect").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The token's third part is not a region name (lowercase letters, digits and `-`)."
    ]


def test_a_base_url_without_the_api_says_the_base_url_is_wrong(app_page, live_server):
    """A 404 on the dataset list means the base URL is wrong, not the dataset: no advice to pick another."""
    at = app_page(CONNECT)
    _fill_endpoint(
        at, live_server.base_url + "/not-the-api", project=live_server.project, api_key=live_server.api_key
    )
    _by_label(at.main.button, "Test connection").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "base URL is likely wrong" in errors[0], errors
    assert "Pick another dataset" not in errors[0]


def test_values_typed_into_the_form_are_shown_as_text(app_page, live_server):
    """The base URL is quoted in the success message as a code span (never parsed as Markdown)."""
    at = app_page(CONNECT)
    _fill_endpoint(at, live_server.base_url + "/", project=live_server.project, api_key=live_server.api_key)
    _by_label(at.main.button, "Test connection").click().run()
    assert [s.value for s in at.success] == [f"`{live_server.base_url}` answered: {_datasets(live_server)}."]


def _datasets(live_server) -> str:
    with Client(live_server.base_url, live_server.project, live_server.api_key) as client:
        count = len(client.datasets.list())
    return f"{count} dataset{'s' * (count != 1)}"


def test_a_link_made_for_another_endpoint_opens_its_dataset_once_connected_there(app_page, live_server):
    """A link opened on the embedded server names a dataset only the hosted endpoint has; after
    connecting there, that dataset (not the first one) is shown."""
    with Client(live_server.base_url, live_server.project, live_server.api_key) as client:
        client.datasets.bulk_insert("aaa-first", [{"_id": "a", "x_vector_": [1.0, 0.0]}])
        client.datasets.bulk_insert("zzz-linked", [{"_id": "a", "y_vector_": [1.0, 0.0]}])
    at = app_page(dataset_id="zzz-linked", vector_field="y_vector_")
    assert [w.value for w in at.main.warning] == ["The link names dataset `zzz-linked`, which this connection does not have."]
    at.switch_page(CONNECT)
    at.run()
    _fill_endpoint(at, live_server.base_url, token=f"{live_server.project}:{live_server.api_key}")
    _by_label(at.main.button, "Connect").click().run()
    at.run()
    assert not at.exception
    assert _by_label(at.sidebar.selectbox, "Dataset").value == "zzz-linked"
    assert _by_label(at.sidebar.selectbox, "Vector field").value == "y_vector_"


def test_the_configured_key_is_never_sent_to_a_typed_base_url(app_page, live_server, monkeypatch):
    """RELEVANCE_API_KEY belongs to RELEVANCE_BASE_URL: with another base URL typed and the key field left
    empty, nothing is sent; whoever opens the dashboard cannot collect the key with a server of their own."""
    monkeypatch.setenv("RELEVANCE_API_KEY", live_server.api_key)
    monkeypatch.setenv("RELEVANCE_BASE_URL", "https://api.us-east-1.relevance.ai/latest")
    at = app_page(CONNECT)
    _fill_endpoint(at, live_server.base_url, project=live_server.project)
    _by_label(at.main.button, "Test connection").click().run()
    assert not at.exception
    assert not at.success, [s.value for s in at.success]
    assert [e.value for e in at.error] == ["API key is empty: type it (or paste a token)."]


@pytest.mark.parametrize("parts", [
    "{p}:{k}", " {p} : {k} ", "{p}:{k}:us-east-1", "{p}:{k}:us-east-1:uid", "{p}:{k}::uid", "{p}:{k}:",
    "{k}", ":{k}", "{p}:", "{p}:{k}:US East!", "{p}:{k}:us-east-1:uid:extra",
])
def test_the_connect_page_and_client_from_token_accept_the_same_tokens(app_page, live_server, parts):
    """One token parser: a token the page refuses, Client.from_token refuses too, and the other way round."""
    token = parts.format(p=live_server.project, k=live_server.api_key)
    try:
        Client.from_token(token, base_url=live_server.base_url).close()
        client_accepts = True
    except ValueError:
        client_accepts = False
    at = app_page(CONNECT)
    _fill_endpoint(at, live_server.base_url, token=token)
    _by_label(at.main.button, "Test connection").click().run()
    assert not at.exception
    page_accepts = any("answered" in s.value for s in at.success)
    assert page_accepts == client_accepts, [e.value for e in at.error]
    assert page_accepts != bool(at.error)
