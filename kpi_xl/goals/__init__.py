"""Goals and scorecard engine: SMART goals measured from data tables.

Table in, table out (pandas DataFrames, no Excel types):

* :func:`compute` - achievement, pacing (linear and seasonal), forecast, chance of
  meeting the target, status with the rule that fired, cascade roll-up;
* :func:`smart_check` - one verdict per SMART letter, in words;
* :func:`grade_okrs`, :func:`payouts`, :func:`snapshot` - OKR grading, incentive
  payouts per owner, and review history.
"""

from .model import GoalsError, Problem, read_goals
from .review import grade_okrs, payouts, review_period, snapshot, status_changes
from .scorecard import Result, compute
from .smart import smart_check
from .status import DEFAULT_RULES, Rule, read_rules

__all__ = ["compute", "Result", "read_goals", "GoalsError", "Problem", "read_rules", "Rule", "DEFAULT_RULES",
           "smart_check", "grade_okrs", "payouts", "snapshot", "review_period",
           "status_changes"]
