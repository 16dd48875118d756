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
