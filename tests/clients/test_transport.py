"""The HTTPS policy both clients share."""

from __future__ import annotations

import urllib3

from pulumi_sonicha import transport
from pulumi_sonicha.settings import Settings


def test_retry_after_is_honoured_but_capped():
    session = transport.new_session(Settings(max_retries=3))
    retry = session.get_adapter("https://fw").max_retries
    long_wait = urllib3.response.HTTPResponse(headers={"Retry-After": "3600"}, status=429)
    short_wait = urllib3.response.HTTPResponse(headers={"Retry-After": "2"}, status=429)
    assert retry.get_retry_after(long_wait) == transport._CappedRetry.RETRY_AFTER_MAX == 60.0
    assert retry.get_retry_after(short_wait) == 2
    # The copy urllib3 makes for each retry keeps the cap.
    assert retry.increment("GET", "/", response=long_wait).get_retry_after(long_wait) == 60.0


def test_retries_cover_5xx_and_429_for_every_method_but_not_other_4xx():
    retry = transport.new_session(Settings(max_retries=2)).get_adapter("https://fw").max_retries
    assert retry.is_retry("POST", 503) and retry.is_retry("PUT", 429)
    assert not retry.is_retry("GET", 400) and not retry.is_retry("GET", 404)
    assert retry.total == 2


def test_origin_is_always_https():
    assert transport.normalize_origin("fw1") == "https://fw1"
    assert transport.normalize_origin("http://fw1:8443/") == "https://fw1:8443"
    assert transport.normalize_origin("HTTPS://fw1") == "https://fw1"


def test_may_have_arrived_tells_refused_and_tls_from_a_lost_answer():
    import requests
    from urllib3.exceptions import MaxRetryError, NewConnectionError, ReadTimeoutError

    refused = MaxRetryError(None, "/", NewConnectionError(None, "refused"))
    lost = MaxRetryError(None, "/", ReadTimeoutError(None, "/", "read timed out"))
    assert transport.may_have_arrived(requests.exceptions.SSLError("bad cert")) is False
    assert transport.may_have_arrived(requests.exceptions.ConnectionError(refused)) is False
    assert transport.may_have_arrived(requests.exceptions.ConnectionError(lost)) is True


def test_host_key_is_one_per_unit_however_spelled():
    assert transport.host_key("FW1") == transport.host_key("https://fw1:443/") == "fw1"
    assert transport.host_key("fw1:8443") != transport.host_key("fw1")
