"""dpup_eval: a participatory evaluation workbench for New Zealand social services, built on the
Data Protection and Use Policy (DPUP).

Data enters only through `load()`, checked against the agreed contract for one purpose. Importing
this package is cheap: Great Expectations, plotly and Jupyter are imported only where used.
"""

from dpup_eval.agreement.contract import Agreement, Contract, Field, QualityRule
from dpup_eval.errors import ContractError, DataFileError, DpupEvalError, UnknownPurposeError
from dpup_eval.findings.evaluation import Finding, Findings, evaluate
from dpup_eval.findings.indicators import Indicator, IndicatorError, IndicatorSet, load_indicators
from dpup_eval.intake.loading import LoadResult, load
from dpup_eval.intake.report import CheckReport, Problem

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
