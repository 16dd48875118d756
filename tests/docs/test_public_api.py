"""The public surface: one exception root, every error of the provider exported, the
harness's errors apart from it (a test tool's failure is not a firewall's)."""

from __future__ import annotations

import inspect

import pulumi_sonicha
from pulumi_sonicha import errors, testing


def test_every_provider_error_is_exported_under_one_root():
    defined = {
        name: cls
        for name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.SonicHaError) and cls.__module__ == errors.__name__
    }
    assert "SonicHaError" in defined and len(defined) > 10
    missing = sorted(name for name in defined if name not in pulumi_sonicha.__all__)
    assert missing == [], f"export from pulumi_sonicha: {missing}"
    for name in defined:
        assert getattr(pulumi_sonicha, name) is defined[name]


def test_harness_errors_are_not_provider_errors():
    harness_errors = [
        cls
        for name in testing.__all__
        if inspect.isclass(cls := getattr(testing, name)) and issubclass(cls, BaseException)
    ]
    assert testing.HarnessError in harness_errors
    for cls in harness_errors:
        assert not issubclass(cls, errors.SonicHaError), cls
