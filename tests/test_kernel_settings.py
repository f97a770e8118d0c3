"""The one settings object the workshop server hands every page's kernel (issue 15).

The variable names are written out here by hand (not read from ``ENV``): a renamed variable must fail
a test, because a kernel started by an older server, or a page read by an operator, uses these names.
"""

from __future__ import annotations

import pytest

from dpup_eval.errors import DpupEvalError
from dpup_eval.workshop import code_limits, lifeline
from dpup_eval.workshop.kernel_settings import ENV, KernelSettings

REQUIRED = {
    "DPUP_WORKSHOP_DATA": "/w/accepted.parquet",
    "DPUP_WORKSHOP_PROGRAMME": "/p",
    "DPUP_WORKSHOP_PURPOSE": "evaluation",
    "DPUP_WORKSHOP_INDICATORS": "/p/indicators.yaml",
    "DPUP_WORKSHOP_DB": "/w/workshop.sqlite",
    "DPUP_WORKSHOP_FOLDER": "/w",
}


def test_every_setting_round_trips_through_the_environment() -> None:
    settings = KernelSettings(
        data="/w/accepted.parquet", programme="/p", purpose="evaluation", indicators="/p/indicators.yaml",
        db="/w/workshop.sqlite", folder="/w", report="/w/check-report.json", workshop=3,
        server="https://127.0.0.1:8866/", token="ABCD-EFGH", facilitator="WXYZ-2345", stories="/w/stories.sqlite",
        secret="s" * 40, certificate="/w/cert.pem", parent=4242,
    )  # fmt: skip
    env = settings.to_env()
    assert env == REQUIRED | {
        "DPUP_WORKSHOP_CHECK_REPORT": "/w/check-report.json",
        "DPUP_WORKSHOP_ID": "3",
        "DPUP_WORKSHOP_SERVER_URL": "https://127.0.0.1:8866/",
        "DPUP_WORKSHOP_TOKEN": "ABCD-EFGH",
        "DPUP_WORKSHOP_FACILITATOR_CODE": "WXYZ-2345",
        "DPUP_WORKSHOP_STORIES": "/w/stories.sqlite",
        "DPUP_WORKSHOP_KERNEL_SECRET": "s" * 40,
        "DPUP_WORKSHOP_CERTIFICATE": "/w/cert.pem",
        "SSL_CERT_FILE": "/w/cert.pem",  # a kernel asking the server over HTTPS trusts the workshop's certificate
        "DPUP_WORKSHOP_PARENT_PID": "4242",
    }
    assert KernelSettings.from_env(env) == settings


def test_unset_settings_are_left_out_and_read_back_as_none() -> None:
    settings = KernelSettings.from_env(REQUIRED)
    assert settings.to_env() == REQUIRED  # no certificate: no SSL_CERT_FILE either
    assert (settings.workshop, settings.secret, settings.certificate, settings.parent) == (None, None, None, None)
    odd = KernelSettings.from_env(REQUIRED | {"DPUP_WORKSHOP_ID": "latest", "DPUP_WORKSHOP_PARENT_PID": ""})
    assert odd.workshop is None and odd.parent is None


def test_a_page_opened_outside_the_workshop_is_told_every_missing_variable_at_once() -> None:
    partial = {k: v for k, v in REQUIRED.items() if k not in ("DPUP_WORKSHOP_DB", "DPUP_WORKSHOP_PURPOSE")}
    with pytest.raises(DpupEvalError, match="dpup-eval workshop") as caught:
        KernelSettings.from_env(partial)
    assert "DPUP_WORKSHOP_DB" in str(caught.value) and "DPUP_WORKSHOP_PURPOSE" in str(caught.value)
    assert "DPUP_WORKSHOP_DATA" not in str(caught.value)


def test_the_code_limit_and_lifeline_names_are_the_settings_names() -> None:
    """One name table: the modules that read these variables take their names from it."""
    assert code_limits.CODE_SECRET_ENV == ENV["secret"] == "DPUP_WORKSHOP_KERNEL_SECRET"
    assert code_limits.CERT_ENV == ENV["certificate"] == "DPUP_WORKSHOP_CERTIFICATE"
    assert lifeline.PARENT_ENV == ENV["parent"] == "DPUP_WORKSHOP_PARENT_PID"
