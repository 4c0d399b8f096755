"""Predictive customer lifetime value from an order history (issue 11): the core math.

* :func:`rfm_summary` turns orders (customer, date, value) into each customer's
  frequency, recency, age T and mean repeat spend, as the literature defines them;
* :class:`BetaGeo` is the BG/NBD model of Fader, Hardie & Lee (2005), "Counting your
  customers the easy way": future purchases and the probability a customer is alive;
* :class:`GammaGamma` is the spend model of Fader, Hardie & Lee (2005), "RFM and CLV:
  using iso-value curves";
* :func:`clv` combines the two into a discounted lifetime value, :func:`clv_interval` gives
  its interval from the parameters' standard errors;
* :func:`holdout_split` and :func:`holdout_check` fit on the orders up to a date and compare the
  predictions with the purchases after it.

NumPy and SciPy only (no pandas). Unlike the worksheet functions of :mod:`kpi_xl.metrics`,
these raise: bad input is a :class:`ClvInputError`, data that cannot identify a model a
:class:`NotIdentifiedError`, each with a sentence saying why. Import it explicitly
(``from kpi_xl.metrics import clv``) so the worksheet functions never load SciPy.
"""

from __future__ import annotations

from ._fit import ClvError, ClvInputError, NotIdentifiedError
from .betageo import BetaGeo
from .gammagamma import GammaGamma
from .holdout import Holdout, HoldoutCheck, holdout_check, holdout_split
from .rfm import RFM, rfm_summary
from .value import clv, clv_interval

__all__ = ["rfm_summary", "RFM", "BetaGeo", "GammaGamma", "clv", "clv_interval", "holdout_split", "holdout_check", "Holdout", "HoldoutCheck", "ClvError", "ClvInputError",
           "NotIdentifiedError"]
