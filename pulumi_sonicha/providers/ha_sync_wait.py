"""HaSyncWait: one wait for many pairs, on threads of its own.

The provider host serves four operations at once. An HaPair that waits for its
Backup to synchronize holds one of them for a whole sync time (minutes on real
units), so a fleet-wide change over 50 pairs takes about 13 sync times. With
`wait_for_sync=False` on each HaPair and one HaSyncWait depending on all of them,
the writes go four at a time and the waits all at once: one worker polls every
pair's HA status on a pool of `parallel` threads, says how many are synchronized
("12/50 synchronized") as the count changes, and fails naming every pair not
synchronized, with its state, when `timeout_s` runs out. A pair that is
synchronized costs one status read; adding a pair to a synchronized fleet waits
for that pair.

Each poll is one short session per pair (through `setup_host` only while the
Primary's own address does not answer, as the other resources reach it), so no
unit's one API session is held between polls.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from .. import progress
from ..errors import SonicHaError, redact
from ..models import ha_pair as pair_model
from ..models import ha_sync_wait as model
from ..schema import same_value
from . import run
from .base import SonicHaProvider, primary_client

#: Seconds between polls: quick at first (a pair often synchronizes soon after the
#: write), then every few seconds (a real unit's sync takes minutes).
POLL_STEPS = (0.2, 0.5, 1.0)
POLL_MAX = 2.0


class HaSyncWaitProvider(SonicHaProvider):
    schema = model.SCHEMA

    # -- check / diff ---------------------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        rest = {k: v for k, v in news.items() if k != "pairs"}
        inputs, failures = self.schema.check(rest)
        pairs, pair_failures = model.check_pairs(news.get("pairs"))
        inputs["pairs"] = pairs
        return CheckResult(
            inputs,
            [CheckFailure(f.property, redact(f.reason)) for f in [*failures, *pair_failures]],
        )

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        olds, news = self.with_defaults(olds), self.with_defaults(news)
        changed = [
            k for k in ("pairs", *self.schema.keys) if not same_value(olds.get(k), news.get(k))
        ]
        # A pair's HaPair wrote in this run without a declared change (a drift repaired):
        # the engine diffs this after the pairs' steps, in the same host, so wait again.
        pairs = news.get("pairs")
        if not changed and isinstance(pairs, list):
            serials = [p.get("primary_serial") for p in pairs if isinstance(p, dict)]
            changed = ["pairs"] if run.WRITTEN.any_of([s for s in serials if s]) else []
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    # -- create / update: the wait --------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        props = self.with_defaults(props)
        return CreateResult(id_=run.new_instance_id(), outs=self._wait(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._wait(self.with_defaults(news)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """A refresh reads each pair's state once (no wait): outputs only, never drift."""
        props = self.with_defaults(props)
        pairs = props.get("pairs") or []
        with ThreadPoolExecutor(max_workers=self._threads(props, pairs)) as pool:
            states = dict(
                zip([p["name"] for p in pairs], pool.map(self._state, pairs), strict=True)
            )
        inputs = self._inputs(props)
        return ReadResult(id_=id_, outs={**inputs, **_summary(states)}, inputs=inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing on any unit: the wait only watched."""

    # -- the wait ---------------------------------------------------------------
    def _wait(self, props: dict[str, Any]) -> dict[str, Any]:
        pairs: list[dict[str, Any]] = props["pairs"]
        limit = float(props["timeout_s"])
        started = time.monotonic()
        deadline = started + limit
        states: dict[str, dict[str, Any]] = {}
        pending = list(pairs)
        reported = -1
        step = 0
        with ThreadPoolExecutor(
            max_workers=self._threads(props, pairs), thread_name_prefix="sonicha-sync-wait"
        ) as pool:
            while not run.stopping():
                try:
                    found = list(pool.map(self._state, pending))
                except RuntimeError:  # no new thread once the interpreter shuts down
                    if run.stopping():
                        break
                    raise
                for pair, state in zip(pending, found, strict=True):
                    states[pair["name"]] = state
                pending = [p for p in pending if not states[p["name"]]["synchronized"]]
                done = len(pairs) - len(pending)
                now = time.monotonic()
                if done != reported:
                    reported = done
                    progress.report(
                        f"HaSyncWait: {done}/{len(pairs)} synchronized"
                        f" ({now - started:.0f} s of {limit:.0f} s)"
                    )
                if not pending:
                    return {**self._inputs(props), **_summary(states)}
                if now >= deadline or run.stopping():
                    break
                pause = POLL_STEPS[step] if step < len(POLL_STEPS) else POLL_MAX
                step += 1
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        waiting = model.waiting_text(states, pending)
        count = f"{len(pending)} of {len(pairs)} pairs"
        if run.stopping():
            message = (
                f"HaSyncWait: interrupted (the provider host is stopping) with {count} not"
                f" synchronized yet: {waiting}. Their HA settings stay committed; run `pulumi"
                " up` again to wait for them"
            )
            run.warn(message)  # the engine may no longer take the answer
            raise SonicHaError(message)
        raise SonicHaError(
            f"HaSyncWait: {count} not synchronized within {int(limit)} s (the others are):"
            f" {waiting}. Their HA settings stay committed. Check each pair's HA control link"
            " (cabled directly), that backup_serial is the serial of the unit at its other"
            " end, and that both units are the same model; then run `pulumi up` again (it"
            " waits again), or raise timeout_s"
        )

    def _state(self, pair: dict[str, Any]) -> dict[str, Any]:
        """One pair's HA status now, as HaPair's outputs say it; an unreachable pair is
        a state too (its error), so one unit down never stops the others' wait."""
        try:
            client = primary_client(self.settings, pair, pair["primary_serial"])
            with client.session() as unit:
                return pair_model.status_outputs(unit.ha_status())
        except SonicHaError as exc:
            return {
                "ha_status": "",
                "primary_state": "",
                "backup_state": "",
                "synchronized": False,
                "error": exc.message,
            }

    @staticmethod
    def _threads(props: dict[str, Any], pairs: list[Any]) -> int:
        return max(1, min(int(props["parallel"]), len(pairs)))

    def _inputs(self, props: dict[str, Any]) -> dict[str, Any]:
        return {"pairs": props.get("pairs"), **{k: props.get(k) for k in self.schema.keys}}


def _summary(states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The outputs: each pair's state, and how many are synchronized."""
    count = sum(1 for state in states.values() if state.get("synchronized"))
    return {
        "states": states,
        "synchronized_count": count,
        "synchronized": count == len(states),
    }
