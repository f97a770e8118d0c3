"""dpup_eval: a participatory evaluation workbench for New Zealand social services, built on the
Data Protection and Use Policy (DPUP).

Data enters only through `load()`, checked against the agreed contract for one purpose.

Importing this package is cheap: it imports nothing but this file. Each public name is imported from
its module the first time it is used (PEP 562 ``__getattr__`` over the explicit map ``_EXPORTS``), so
``dpup-eval --help`` or ``dpup-eval notice`` never pays for scipy, plotly, Great Expectations or the
findings engine. Type checkers and editors read the same names from the ``TYPE_CHECKING`` imports below;
``tests/test_public_api.py`` proves the map, the imports and ``__all__`` agree.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from dpup_eval.agreement.contract import Agreement, Contract, Field, QualityRule
    from dpup_eval.errors import ContractError, DataFileError, DpupEvalError, UnknownPurposeError
    from dpup_eval.findings.evaluation import Finding, Findings, evaluate
    from dpup_eval.findings.indicators import Indicator, IndicatorError, IndicatorSet, load_indicators
    from dpup_eval.intake.loading import LoadResult, load
    from dpup_eval.intake.report import CheckReport, Problem

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "Agreement": "dpup_eval.agreement.contract",
    "CheckReport": "dpup_eval.intake.report",
    "Contract": "dpup_eval.agreement.contract",
    "ContractError": "dpup_eval.errors",
    "DataFileError": "dpup_eval.errors",
    "DpupEvalError": "dpup_eval.errors",
    "Field": "dpup_eval.agreement.contract",
    "Finding": "dpup_eval.findings.evaluation",
    "Findings": "dpup_eval.findings.evaluation",
    "Indicator": "dpup_eval.findings.indicators",
    "IndicatorError": "dpup_eval.findings.indicators",
    "IndicatorSet": "dpup_eval.findings.indicators",
    "LoadResult": "dpup_eval.intake.loading",
    "Problem": "dpup_eval.intake.report",
    "QualityRule": "dpup_eval.agreement.contract",
    "UnknownPurposeError": "dpup_eval.errors",
    "evaluate": "dpup_eval.findings.evaluation",
    "load": "dpup_eval.intake.loading",
    "load_indicators": "dpup_eval.findings.indicators",
}

__all__ = [
    "Agreement",
    "CheckReport",
    "Contract",
    "ContractError",
    "DataFileError",
    "DpupEvalError",
    "Field",
    "Finding",
    "Findings",
    "Indicator",
    "IndicatorError",
    "IndicatorSet",
    "LoadResult",
    "Problem",
    "QualityRule",
    "UnknownPurposeError",
    "evaluate",
    "load",
    "load_indicators",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> _typing.Any:
    """Import a public name's module on first use, then keep the name here (later look-ups are plain)."""
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'dpup_eval' has no attribute {name!r}") from None
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """What is here already, and the public names not yet imported."""
    return sorted({*globals(), *__all__})
