"""Provider settings: stack config first, then SONICHA_* environment, then defaults."""

from __future__ import annotations

import pytest
import trustme

from pulumi_sonicha.errors import SettingsError, redact
from pulumi_sonicha.settings import Settings


def config(values: dict[str, str]):
    return values.get


def test_defaults_without_config_or_environment():
    s = Settings.load(None, environ={})
    assert (s.username, s.password, s.timeout, s.max_retries) == ("admin", None, 30.0, 4)
    assert s.verify is True and s.insecure is False and s.override_session is False


def test_config_wins_over_environment(tmp_path):
    ca = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))
    s = Settings.load(
        config({"sonicha:username": "ops", "sonicha:timeout": "7.5", "sonicha:caBundle": str(ca)}),
        environ={"SONICHA_USERNAME": "env-user", "SONICHA_PASSWORD": "env-Secret-1"},
    )
    assert s.username == "ops" and s.password == "env-Secret-1" and s.timeout == 7.5
    assert s.verify == str(ca)


def test_strings_are_parsed_as_the_engine_delivers_them():
    s = Settings.load(
        config(
            {
                "sonicha:insecure": "true",
                "sonicha:maxRetries": "0",
                "sonicha:overrideSession": "True",
                "sonicha:portalUrl": "portal.example:8443/",
            }
        ),
        environ={},
    )
    assert s.verify is False and s.max_retries == 0 and s.override_session is True
    assert s.portal_url == "https://portal.example:8443"


@pytest.mark.parametrize(
    "key,value,expected",
    [
        ("sonicha:timeout", "soon", "sonicha:timeout / SONICHA_TIMEOUT must be a positive number"),
        ("sonicha:timeout", "-1", "must be a positive number"),
        ("sonicha:timeout", "nan", "must be a positive number"),
        ("sonicha:timeout", "inf", "must be a positive number"),
        ("sonicha:portalUrl", "https://portal.example/api/v1", "the portal's origin only"),
        ("sonicha:maxRetries", "two", "sonicha:maxRetries / SONICHA_MAX_RETRIES must be a whole"),
        ("sonicha:insecure", "maybe", "must be true or false"),
        ("sonicha:caBundle", "/nonexistent/ca.pem", "does not exist"),
    ],
)
def test_bad_settings_name_the_key_and_the_fix(key, value, expected):
    with pytest.raises(SettingsError) as caught:
        Settings.load(config({key: value}), environ={})
    assert expected in str(caught.value)


def test_password_is_not_in_repr_and_is_redacted_from_errors():
    s = Settings.load(config({"sonicha:password": "Sup3r-Secret!"}), environ={})
    assert "Sup3r-Secret!" not in repr(s)
    assert redact("login failed for Sup3r-Secret!") == "login failed for ****"
    assert "Sup3r-Secret!" not in str(SettingsError("echo Sup3r-Secret!"))


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("sonicha:pasword", "did you mean sonicha:password?"),
        ("sonicha:Password", "did you mean sonicha:password?"),
        ("sonicha:portalPasword", "did you mean sonicha:portalPassword?"),
        ("sonicha:overideSession", "did you mean sonicha:overrideSession?"),
        ("sonicha:caBundel", "did you mean sonicha:caBundle?"),
        ("sonicha:colour", "it is not a setting"),
    ],
)
def test_misspelled_setting_is_reported_with_the_closest_key(key, suggestion):
    with pytest.raises(SettingsError) as caught:
        Settings.load(config({key: "Secret-Value-1"}), environ={}, config_keys=[key])
    text = str(caught.value)
    assert f"{key} ({suggestion})" in text
    assert "sonicha:password" in text and "pulumi config rm" in text
    assert "Secret-Value-1" not in text  # key names only: the value may be a secret


def test_other_namespaces_belong_to_the_program():
    keys = ["ha:primaryHost", "ha:primaryHsot", "aws:region", "sonicha:password", "myproj:x"]
    s = Settings.load(config({"sonicha:password": "pw-1"}), environ={}, config_keys=keys)
    assert s.password == "pw-1"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x30\x82\x01\x0a\x02\x82\x01\x01", "is not a PEM CA bundle"),  # DER
        (b"not a certificate\n", "is not a PEM CA bundle"),
        (
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
            "holds no certificate TLS can use",
        ),
    ],
)
def test_ca_bundle_that_is_not_pem_says_so(tmp_path, content, expected):
    bundle = tmp_path / "firewalls-ca.der"
    bundle.write_bytes(content)
    with pytest.raises(SettingsError) as caught:
        Settings.load(config({"sonicha:caBundle": str(bundle)}), environ={})
    text = str(caught.value)
    assert expected in text
    assert "sonicha:caBundle / SONICHA_CA_BUNDLE" in text and str(bundle) in text


def test_unknown_sonicha_environment_variables_are_named_with_the_closest():
    from pulumi_sonicha.settings import unknown_env_vars

    environ = {
        "SONICHA_PASWORD": "x",
        "SONICHA_PASSWORD": "y",
        "SONICHA_SIM_PRIMARY_HOST": "127.0.0.1:9441",  # the simulator's, read by ctl
        "SONICHA_COLOUR": "blue",
        "HOME": "/root",
    }
    assert unknown_env_vars(environ) == [
        "SONICHA_COLOUR (not a setting)",
        "SONICHA_PASWORD (did you mean SONICHA_PASSWORD?)",
    ]
