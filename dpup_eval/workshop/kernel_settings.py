"""What the workshop server hands every page's kernel: one settings object, written and read in one place.

Why an object: Voila starts a kernel per page, and the only thing a kernel inherits from the server is its
environment. Before this, the variable names lived in a dict in `session`, the stories register's in
`stories`, and each reader picked what it needed with its own defaults; a name spelt two ways, or a value
the server forgot, showed up only when a page was opened. Now the server builds a :class:`KernelSettings`
and writes it with :meth:`KernelSettings.to_env`; a kernel reads it back with
:meth:`KernelSettings.from_env`, which names every missing value at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from dpup_eval.errors import DpupEvalError

__all__ = ["ENV", "SSL_CERT_FILE", "KernelSettings"]

#: The environment variable of each setting (the server sets them; kernels inherit them).
ENV = {
    "data": "DPUP_WORKSHOP_DATA",  # the accepted rows (Parquet), already checked
    "report": "DPUP_WORKSHOP_CHECK_REPORT",  # the check report (JSON)
    "programme": "DPUP_WORKSHOP_PROGRAMME",  # the programme folder (contracts, indicators, settings)
    "purpose": "DPUP_WORKSHOP_PURPOSE",  # the purpose the data was checked for
    "indicators": "DPUP_WORKSHOP_INDICATORS",  # the indicators YAML file
    "db": "DPUP_WORKSHOP_DB",  # the workshop record (a SQLite file or a postgresql:// URL)
    "workshop": "DPUP_WORKSHOP_ID",  # which workshop in it (a PostgreSQL record may hold many at once)
    "folder": "DPUP_WORKSHOP_FOLDER",  # where reports are written
    "server": "DPUP_WORKSHOP_SERVER_URL",  # e.g. http://127.0.0.1:8866/ (kernels ask it if a page is open)
    "token": "DPUP_WORKSHOP_TOKEN",  # the join code, if any
    "facilitator": "DPUP_WORKSHOP_FACILITATOR_CODE",  # needed to record a decision
    "stories": "DPUP_WORKSHOP_STORIES",  # the story register, when the workshop shows stories
    "secret": "DPUP_WORKSHOP_KERNEL_SECRET",  # with which kernels (and only they) ask the Voila process (code_limits)
    "certificate": "DPUP_WORKSHOP_CERTIFICATE",  # the certificate kernels trust over TLS (code_limits, tls)
    "parent": "DPUP_WORKSHOP_PARENT_PID",  # the workshop process: Voila stops when it dies (lifeline)
}
#: Python's own variable for the certificates ``ssl`` trusts: set with ``certificate``, so that a kernel
#: asking the server over HTTPS trusts the workshop's certificate (kernels fetch nothing else).
SSL_CERT_FILE = "SSL_CERT_FILE"


@dataclass(frozen=True)
class KernelSettings:
    """Where a page's kernel finds the workshop's data, agreement, record and server."""

    data: str
    programme: str
    purpose: str
    indicators: str
    db: str
    folder: str
    report: str | None = None
    workshop: int | None = None
    server: str | None = None
    token: str | None = None
    facilitator: str | None = None
    stories: str | None = None
    secret: str | None = None
    certificate: str | None = None
    parent: int | None = None

    def to_env(self) -> dict[str, str]:
        """The environment variables for these settings (unset ones are left out)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        env = {ENV[name]: str(value) for name, value in values.items() if value not in (None, "")}
        if self.certificate:
            env[SSL_CERT_FILE] = str(self.certificate)
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KernelSettings:
        """The settings the server set; a page opened any other way gets one error naming what is missing."""
        env = os.environ if environ is None else environ
        required = [f.name for f in fields(cls) if f.default is not None]
        missing = [ENV[name] for name in required if not env.get(ENV[name])]
        if missing:
            raise DpupEvalError(
                "This page must be opened through `dpup-eval workshop` (missing: " + ", ".join(missing) + ")."
            )

        def given(name: str) -> str | None:
            return env.get(ENV[name]) or None

        def number(name: str) -> int | None:
            value = given(name)
            return int(value) if value and value.isdigit() else None

        return cls(
            data=env[ENV["data"]], programme=env[ENV["programme"]], purpose=env[ENV["purpose"]],
            indicators=env[ENV["indicators"]], db=env[ENV["db"]], folder=env[ENV["folder"]],
            report=given("report"), workshop=number("workshop"), server=given("server"), token=given("token"),
            facilitator=given("facilitator"), stories=given("stories"), secret=given("secret"),
            certificate=given("certificate"), parent=number("parent"),
        )
