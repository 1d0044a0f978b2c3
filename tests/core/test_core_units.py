"""Pure functions of the core: URL parsing, backoff, Retry-After, job parsing, catalogue, errors."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import requests

from ayx_plugins.server_api import (
    ApiError,
    Job,
    LegacyApiRemovedError,
    PermissionDeniedError,
    RetryPolicy,
    ServerClient,
    ValidationError,
    load_catalogue,
    parse_base_url,
)
from ayx_plugins.server_api.catalogue import encode_form_value
from ayx_plugins.server_api.errors import (
    AuthenticationError,
    NotFoundError,
    ServerError,
    UnsupportedMediaTypeError,
    error_from_response,
)
from ayx_plugins.server_api.jobs import normalise_questions, parse_datetime, safe_file_name
from ayx_plugins.server_api.retry import parse_retry_after


@pytest.mark.parametrize(
    ("url", "family", "webapi", "auth"),
    [
        ("https://host", "host", "https://host/webapi/", "oauth2"),
        ("https://HOST.example.com/", "host", "https://host.example.com/webapi/", "oauth2"),
        ("https://host/webapi/", "webapi", "https://host/webapi/", "oauth2"),
        ("https://host/webapi", "webapi", "https://host/webapi/", "oauth2"),
        ("https://host/webapi/v3/workflows?view=Full", "webapi", "https://host/webapi/", "oauth2"),
        ("https://host/gallery/", "host", "https://host/webapi/", "oauth2"),
        ("https://host/gallery/api/", "gallery_api", "https://host/webapi/", "oauth1"),
        ("https://host/gallery/api/v1/workflows/subscription/", "gallery_api", None, "oauth1"),
        ("host.example.com:8443", "host", "https://host.example.com:8443/webapi/", "oauth2"),
        ("http://h:81/alteryx/webapi/", "webapi", "http://h:81/alteryx/webapi/", "oauth2"),
        ("https://h/gallery/api-docs", "host", "https://h/webapi/", "oauth2"),
    ],
)
def test_parse_base_url(url: str, family: str, webapi: str | None, auth: str) -> None:
    base = parse_base_url(url)
    assert base.family == family
    assert base.default_auth == auth
    if webapi:
        assert base.webapi == webapi


def test_gallery_api_base_keeps_the_prefix() -> None:
    assert (
        parse_base_url("https://h/sub/gallery/api/v1").gallery_api == "https://h/sub/gallery/api/"
    )


@pytest.mark.parametrize("bad", ["", "ftp://host/", "https://", "https://u:p@host/webapi/"])
def test_parse_base_url_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_base_url(bad)


def test_client_picks_auth_from_url_and_rejects_mismatch() -> None:
    assert ServerClient("https://h/gallery/api/", "k", "s").auth_type == "oauth1"
    assert ServerClient("https://h/gallery/", "k", "s").api_base == "https://h/webapi/"
    assert ServerClient("https://h/", "k", "s", auth_type="oauth1").api_base == (
        "https://h/gallery/api/"
    )
    assert ServerClient("https://h/", token="t").auth_type == "oauth2"
    with pytest.raises(ValueError, match="gallery/api"):
        ServerClient("https://h/webapi/", "k", "s", auth_type="oauth1")
    with pytest.raises(ValueError, match="webapi"):
        ServerClient("https://h/gallery/api/", "k", "s", auth_type="oauth2")
    with pytest.raises(ValueError):
        ServerClient("https://h/webapi/", "k")
    with pytest.raises(ValueError):
        ServerClient("https://h/gallery/api/", token="t", auth_type="oauth1")


def test_backoff_is_capped_jittered_exponential() -> None:
    low = RetryPolicy(backoff_base=1.0, backoff_max=5.0, rand=lambda: 0.0)
    high = RetryPolicy(backoff_base=1.0, backoff_max=5.0, rand=lambda: 0.999999)
    assert [low.backoff(a) for a in range(5)] == [0.5, 1.0, 2.0, 2.5, 2.5]
    assert [round(high.backoff(a), 3) for a in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(retry_after_max=10.0, rand=lambda: 0.0)
    assert policy.delay(0, "3") == 3.0
    assert policy.delay(0, "3600") == 10.0
    assert policy.delay(2, None) == policy.backoff(2)
    assert policy.delay(0, "garbage") == policy.backoff(0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0


def test_which_methods_and_statuses_retry() -> None:
    policy = RetryPolicy()
    for method in ("GET", "PUT", "DELETE", "HEAD", "OPTIONS"):
        assert policy.retry_status(method, 503)
    assert not policy.retry_status("POST", 503)
    assert not policy.retry_status("PATCH", 429)
    assert not policy.retry_status("GET", 500)
    assert {429, 502, 503, 504} == set(policy.statuses)


def test_job_from_v1_and_v3_json() -> None:
    v1 = Job.from_json(
        {"id": "j1", "appId": None, "createDate": "2020-12-14T16:11:57.7372208Z",
         "status": "Queued", "disposition": "None", "outputs": [], "messages": [],
         "priority": 0, "workerTag": "", "runWithE2": True, "extra": {"x": 1}}
    )  # fmt: skip
    assert (v1.id, v1.status, v1.priority, v1.worker_tag) == ("j1", "Queued", 0, None)
    assert v1.created == datetime(2020, 12, 14, 16, 11, 57, 737220, tzinfo=timezone.utc)
    assert not v1.done and not v1.succeeded
    v3 = Job.from_json(
        {"id": "j3", "createDateTime": "2020-12-01T12:48:40.408Z", "status": "Completed",
         "disposition": "Success", "priority": "High", "workerTag": "gpu",
         "outputs": [{"id": "o1", "availableFormats": ["Raw", "Csv"], "fileName": "a.csv"}],
         "messages": [{"status": 2, "text": "careful", "toolId": 3}]}
    )  # fmt: skip
    assert v3.done and v3.succeeded and v3.priority == "High" and v3.worker_tag == "gpu"
    assert v3.outputs[0].formats == ("Raw", "Csv") and v3.outputs[0].file_name == "a.csv"
    assert v3.warning_messages == ["careful"] and v3.error_messages == []


@pytest.mark.parametrize(
    ("status", "disposition", "done", "succeeded"),
    [
        ("Completed", "Success", True, True),
        ("Completed", "Warning", True, True),
        ("Completed", "Error", True, False),
        ("Completed", "None", True, False),
        ("Cancelled", "Cancelled", True, False),
        ("Running", "None", False, False),
        ("Queued", None, False, False),
        ("Failed", None, True, False),
        ("SomethingNew", "Error", True, False),
        ("SomethingNew", "None", False, False),
    ],
)
def test_job_judging(status: str, disposition: str | None, done: bool, succeeded: bool) -> None:
    job = Job.from_json({"id": "j", "status": status, "disposition": disposition,
                         "messages": [{"status": 3, "text": "boom"}]})  # fmt: skip
    assert (job.done, job.succeeded) == (done, succeeded)
    assert job.error_messages == ["boom"]


def test_questions_normalised() -> None:
    assert normalise_questions({"a": 1, "b": True, "c": None}) == [
        {"name": "a", "value": "1"},
        {"name": "b", "value": "true"},
        {"name": "c", "value": ""},
    ]
    assert normalise_questions([{"name": "x", "value": "y"}]) == [{"name": "x", "value": "y"}]
    with pytest.raises(ValueError):
        normalise_questions([{"value": "y"}])


def test_dates() -> None:
    assert parse_datetime("2024-03-01T09:15:27.4410000Z") == datetime(
        2024, 3, 1, 9, 15, 27, 441000, tzinfo=timezone.utc
    )
    assert parse_datetime("2024-03-01T09:15:27") == datetime(
        2024, 3, 1, 9, 15, 27, tzinfo=timezone.utc
    )
    assert parse_datetime("nonsense") is None and parse_datetime(None) is None


def test_safe_file_names() -> None:
    assert safe_file_name("C:\\data\\out put.csv", "x") == "out put.csv"
    assert safe_file_name("../../etc/passwd", "x") == "passwd"
    assert safe_file_name("a:b*c?.csv", "x") == "a_b_c_.csv"
    assert safe_file_name("", "output_1") == "output_1"
    assert safe_file_name("..", "output_1") == "output_1"


def test_catalogue() -> None:
    cat = load_catalogue()
    assert len(cat) >= 91 + 6
    publish = cat.get("workflows_create_workflow")
    assert publish.multipart and publish.method == "POST" and publish.path == "v3/workflows"
    assert cat.get("POST /v3/workflows/{workflowId}/versions").multipart
    get_job = cat.get("v1_get_job")
    assert get_job.path_params == ("jobId",)
    assert get_job.render_path({"jobId": "a b?c"}) == "v1/jobs/a%20b%3Fc"
    with pytest.raises(ApiError, match="single path segment"):  # a '/' would add a segment
        get_job.render_path({"jobId": "a b/c"})
    with pytest.raises(ValueError, match="jobId"):
        get_job.render_path({})
    assert cat.match("GET", "/v3/workflows/abc/questions") == cat.get(
        "workflows_get_workflow_questions"
    )
    assert cat.match("GET", "v1/jobs/xyz/output/o1?format=Csv") is not None
    assert all(e.method == "DELETE" for e in cat.for_method("delete"))
    with pytest.raises(KeyError, match="did you mean"):
        cat.get("workflows_get")


def test_form_values() -> None:
    assert encode_form_value(True) == "true" and encode_form_value(False) == "false"
    assert encode_form_value(["a", "b"]) == '["a", "b"]'
    assert encode_form_value(3) == "3" and encode_form_value(None) == ""


def _response(status: int, body: object, url: str = "https://h/webapi/v3/x") -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    r.url = url
    return r


def test_error_mapping_is_actionable() -> None:
    denied = {"message": "Authorization has been denied for this request."}
    err = error_from_response(_response(401, denied), bearer=True)
    assert isinstance(err, PermissionDeniedError)
    assert "Curator" in str(err) and "member" in str(err) and "Private Studio" in str(err)
    assert err.status == 401 and err.server_message == denied["message"] and err.body == denied
    invalid = {"message": "The request is invalid.", "modelState": {"contract.name": ["required"]}}
    err = error_from_response(_response(400, invalid))
    assert isinstance(err, ValidationError)
    assert err.model_state == {"contract.name": ["required"]} and "contract.name" in str(err)
    html = "<html><body><h1>Not Found</h1></body></html>"
    legacy = error_from_response(_response(404, html), legacy=True)
    assert isinstance(legacy, LegacyApiRemovedError) and "2022.1" in str(legacy)
    assert "/webapi/" in str(legacy)
    assert isinstance(error_from_response(_response(405, "x"), legacy=True), LegacyApiRemovedError)
    nf = error_from_response(_response(404, {"message": "Job 'x' was not found."}), legacy=True)
    assert isinstance(nf, NotFoundError)
    skew = {"message": "Timestamp is not close enough to the current server time."}
    assert "clock" in str(error_from_response(_response(401, skew)))
    sig = {"message": "The provided signature(oauth_signature) is invalid."}
    assert "proxy" in str(error_from_response(_response(401, sig)))
    assert isinstance(error_from_response(_response(401, {})), AuthenticationError)
    assert isinstance(error_from_response(_response(415, {})), UnsupportedMediaTypeError)
    assert isinstance(error_from_response(_response(503, "")), ServerError)
    secret = error_from_response(_response(400, {"message": "bad key s3cr3t"}), secrets=("s3cr3t",))
    assert "s3cr3t" not in str(secret) and "s3cr3t" not in repr(secret)
