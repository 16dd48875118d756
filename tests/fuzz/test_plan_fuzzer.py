"""The plan fuzzer (see `machine.PlanMachine`): a small, deterministic budget in every
run of the suite; `SONICHA_FUZZ_PLANS=1000` runs the long one (random plans, no
example database: a break is printed as its steps and a `reproduce_failure` blob)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from .machine import STATS, PlanMachine

LONG = int(os.environ.get("SONICHA_FUZZ_PLANS", "0"))


def fuzz_settings() -> settings:
    common = {
        "deadline": None,
        "database": None,
        "suppress_health_check": list(HealthCheck),
        # A break is reported as the steps that made it; shrinking would rerun whole
        # stacks for minutes.
        "phases": [Phase.explicit, Phase.generate],
        "print_blob": True,
    }
    if LONG:
        return settings(max_examples=LONG, stateful_step_count=12, **common)
    return settings(max_examples=3, stateful_step_count=5, derandomize=True, **common)


def test_random_plans_keep_the_pair_working_and_declared() -> None:
    try:
        run_state_machine_as_test(PlanMachine, settings=fuzz_settings())
    finally:
        print(f"plan fuzzer: {STATS}")
