"""The plan fuzzer: random plans of the four resources against the simulator, through
the lifecycle harness, checked after every step.

`PlanMachine` is a Hypothesis `RuleBasedStateMachine`. One example is one stack on
one simulator: a first `up` of a random design, then a random sequence of what an
administrator and the world do to it: edits of any input, renames with and without
aliases, role swaps (in the two runs the error asks for, or in one change), a
Backup replaced (RMA), changes by hand on the units and the portal, a fault at a
request of the next `up` (an error answer or a dropped connection), an interrupted
run (Ctrl-C once or twice at a request), refresh, destroy, and mistakes (a host
typed wrong, the monitoring dropped under a pair, a serial not there).

After each step (see `plans.problems`):
- an `up` of a valid design succeeds, leaves the units as declared (every declared
  host answering with its serial, HA on and synchronized as declared, links
  Unassigned, monitoring and association in place, nothing pending), and a
  `preview --refresh` right after it plans nothing;
- a mistake is refused, leaving the pair as it was, or succeeds as declared;
- after a failure (fault, interruption, mistake), once the faults are cleared and
  the program is valid again, the next `up` converges;
- a destroy leaves what `on_delete` says; no command leaks a secret (the harness
  fails any command whose output, errors or state show one).
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from pulumi_sonicha.quickstart import stack_config
from pulumi_sonicha.simulator import Simulator, default_interfaces
from pulumi_sonicha.testing import Lifecycle, LifecycleError, Result

from . import plans

PROJECT = Path(__file__).parent / "plan_project"

# -- strategies --------------------------------------------------------------------------
PAIR_FIELDS = {
    "mode": st.sampled_from(["active-standby", "active-standby", "active-active-dpi"]),
    "stateful_synchronization": st.booleans(),
    "preempt": st.booleans(),
    "virtual_mac": st.booleans(),
    "encryption": st.booleans(),
    "heartbeat_interval_ms": st.sampled_from([1000, 2000, 300000]),
    "failover_trigger_level": st.integers(4, 99),
    "election_delay_s": st.integers(3, 255),
    "include_certificates_keys": st.booleans(),
    "probe_interval_s": st.integers(5, 255),
    "probe_count": st.integers(3, 10),
    "on_delete": st.sampled_from(["disable", "disable", "retain"]),
    "declare_backup_host": st.booleans(),
    "declare_primary_serial": st.booleans(),
    "serial_spelling": st.sampled_from(["", "lower", "dashed"]),
}
PAIR = st.fixed_dictionaries(PAIR_FIELDS)
MONITORING = st.fixed_dictionaries({"link_monitoring": st.booleans(), "probe": st.booleans()})
LINKS = st.sampled_from([{}, {"X4": "data"}, {"X5": "control"}])
SPELLINGS = st.sampled_from(["address", "address", "localhost"])
DESIGN = st.fixed_dictionaries(
    {
        "monitoring": st.none() | MONITORING,
        "links": LINKS,
        "pair": st.none() | PAIR | PAIR,
        "license": st.booleans(),
        "host_spelling": SPELLINGS,
    }
)
# What a fault hits: (unit role, method, path pattern) of the requests an operation makes.
FAULT_TARGETS = [
    ("primary", "POST", "/auth$"),
    ("primary", "POST", "/config-mode$"),
    ("primary", "PUT", "/high-availability/base$"),
    ("primary", "PUT", "/high-availability/monitoring/"),
    ("primary", "PUT", "/interfaces/ipv4"),
    ("primary", "POST", "/config/pending$"),
    ("primary", "GET", "/high-availability/base$"),
    ("primary", "GET", "/reporting/high-availability$"),
    ("primary", "GET", "/version$"),
    ("backup", "POST", "/auth$"),
    ("backup", "GET", "/version$"),
    ("backup", "PUT", "/interfaces/ipv4"),
    ("backup", "POST", "/config/pending$"),
    ("portal", "POST", "/ha-associations$"),
    ("portal", "DELETE", "/ha-associations/"),
    ("portal", "GET", "/ha-associations"),
    ("portal", "POST", "/auth/login$"),
]
# Breaks found and still open, each an xfail test in test_fuzz_regressions.py: kept out
# of the plans until fixed, so the fuzzer looks for new ones.
KNOWN_OPEN_FAULTS = [
    # test_after_a_logout_lost_on_the_primary_the_next_up_converges
    ("primary", "DELETE", "/auth$"),
    ("backup", "DELETE", "/auth$"),
]
FAULT_KINDS = st.sampled_from(["500", "503", "drop"])
MISTAKES = [
    "no monitoring",
    "unknown serial",
    # test_primary_host_typed_as_the_backup_address_leaves_the_pair_on (open)
    # "primary at the Backup",
]
HAND_CHANGES = ["zone", "timer", "monitoring", "association", "ha_off", "session"]


class Break(AssertionError):
    """An invariant broken: what the fuzzer is for."""


# Totals of every machine this process ran (the long run prints them).
STATS: dict[str, int] = {"plans": 0, "steps": 0, "ups": 0, "failed_ups": 0}


class PlanMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.sim = Simulator(sync_seconds=0, monitoring=False).start()
        self.sim.cable(plans.DPI)
        self.tmp = Path(tempfile.mkdtemp(prefix="sonicha-fuzz-"))
        config, secret_keys = stack_config(self.sim)
        config = {k: v for k, v in config.items() if not k.startswith("ha:")}
        config.update({"sonicha:timeout": "5", "sonicha:maxRetries": "1"})
        self.stack = Lifecycle(
            PROJECT, config=config, secret_keys=secret_keys, state_file=self.tmp / "state.json"
        )
        self.stack.__enter__()
        self.secrets = [self.sim.password, self.sim.portal_password]
        self.design: dict[str, Any] | None = None  # what the last successful `up` applied
        self.swapped = False  # which unit is the Primary (kept across destroy)
        self.prefix = "site"
        self.serials = 0
        STATS["plans"] += 1

    def teardown(self) -> None:
        try:
            self.stack.__exit__(None, None, None)
        finally:
            self.sim.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- running the stack ---------------------------------------------------------------
    def _note(self, what: str) -> None:
        STATS["steps"] += 1
        print(f"step: {what}")

    def _set(self, design: dict[str, Any] | None) -> None:
        resources = plans.program(self.sim, design) if design is not None else []
        self.stack.set_config("fuzz:resources", json.dumps(resources))

    def _up(self, design: dict[str, Any] | None, refresh: bool = False) -> LifecycleError | None:
        """`up` of `design`: None when it succeeded, else the error."""
        self._set(design)
        STATS["ups"] += 1
        try:
            result = self.stack.up(refresh=refresh)
        except LifecycleError as exc:
            STATS["failed_ups"] += 1
            print(f"  up failed: {exc}")
            self._follow_advice(exc.result)
            return exc
        self._follow_advice(result)
        return None

    def _follow_advice(self, result: Result | None) -> None:
        """Do what a warning tells the administrator to do by hand: an HaPair without
        backup_host, deleted, says the Backup keeps its synchronized HA settings and to
        turn HA off there (documented; the unit could not be set up again otherwise)."""
        text = "\n".join(result.diagnostics) if result is not None else ""
        if "keeps the HA settings it synchronized" not in text:
            return
        for unit, peer in (
            (self.sim.primary, self.sim.backup),
            (self.sim.backup, self.sim.primary),
        ):
            fields = next(iter((unit.ha_settings().get("mode") or {}).values()), {})
            led = next(iter((peer.ha_settings().get("mode") or {}).values()), {})
            if (
                fields.get("secondary_serial") == unit.serial
                and led.get("secondary_serial") != unit.serial
            ):
                unit.set_ha_settings({"mode": {}})  # a copy its Primary no longer leads

    def _converged(self, design: dict[str, Any] | None, why: str, refresh: bool = False) -> None:
        """An `up` of a valid design must succeed and leave the units as declared, with
        a drift preview right after it planning nothing."""
        error = self._up(design, refresh=refresh)
        if error is not None:
            raise Break(f"{why}: up of a valid plan failed: {error}")
        self._check_applied(design, why)

    def _check_applied(self, design: dict[str, Any] | None, why: str) -> None:
        found = plans.problems(self.sim, design)
        if found:
            raise Break(f"{why}: up succeeded but the units differ:\n  " + "\n  ".join(found))
        plan = self.stack.preview(refresh=True)
        if plan.has_changes:
            steps = [
                (s.name, s.op, s.diff_keys) for s in plan.steps if s.op not in ("same", "read")
            ]
            raise Break(f"{why}: preview --refresh right after up plans {steps}")
        self.design = design

    def _design(self, drawn: dict[str, Any]) -> dict[str, Any]:
        return plans.normalized({**drawn, "prefix": self.prefix, "swapped": self.swapped})

    def _clear_faults(self) -> None:
        for server in self.sim.servers:
            server.clear_faults()

    # -- rules -------------------------------------------------------------------------
    @initialize(drawn=DESIGN)
    def first_up(self, drawn: dict[str, Any]) -> None:
        design = self._design(drawn)
        self._note(f"first up {design}")
        self._converged(design, "first up")

    @precondition(lambda self: self.design is None)
    @rule(drawn=DESIGN)
    def declare_again(self, drawn: dict[str, Any]) -> None:
        design = self._design(drawn)
        self._note(f"declare {design}")
        self._converged(design, "up after destroy")

    @precondition(lambda self: self.design is not None)
    @rule(data=st.data())
    def edit(self, data: st.DataObject) -> None:
        design = copy.deepcopy(self.design)
        assert design is not None
        choices = ["pair", "license", "monitoring", "links", "host_spelling"]
        if design.get("pair"):
            choices += ["pair setting"] * 4
        what = data.draw(st.sampled_from(choices), label="edit")
        if what == "pair setting":
            key = data.draw(st.sampled_from(sorted(PAIR_FIELDS)), label="input")
            design["pair"][key] = data.draw(PAIR_FIELDS[key], label="value")
        elif what == "pair":
            design["pair"] = None if design.get("pair") else data.draw(PAIR, label="pair")
        elif what == "license":
            design["license"] = not design.get("license")
        elif what == "monitoring":
            design["monitoring"] = data.draw(MONITORING, label="monitoring")
        elif what == "links":
            design["links"] = data.draw(LINKS, label="links")
        else:
            design["host_spelling"] = data.draw(SPELLINGS, label="spelling")
        design = plans.normalized(design)
        self._note(f"edit {what}: {design}")
        self._converged(design, f"edit of {what}")

    @precondition(lambda self: self.design is not None)
    @rule(aliases=st.booleans())
    def rename(self, aliases: bool) -> None:
        assert self.design is not None
        former = self.prefix
        self.prefix = "hq" if former != "hq" else "site"
        design = {**self.design, "prefix": self.prefix, "alias_of": former if aliases else None}
        self._note(f"rename {former} -> {self.prefix} ({'with' if aliases else 'without'} aliases)")
        if aliases:
            self._set(design)
            plan = self.stack.preview()
            if plan.has_changes:
                raise Break(f"a rename with aliases plans changes: {plan.changes}")
        self._converged(design, "rename")
        self.design = {**design, "alias_of": None}

    @precondition(lambda self: self.design is not None)
    @rule(one_change=st.booleans())
    def swap_roles(self, one_change: bool) -> None:
        assert self.design is not None
        before = self.design
        primary, _ = plans.roles(self.sim, before)
        if not before.get("pair") and primary.ha_settings().get("mode"):
            return  # HA left on by an earlier pair (retained): not this stack's to swap
        swapped = {**before, "swapped": not before["swapped"]}
        self._note(f"swap roles ({'one change' if one_change else 'two runs'})")
        if one_change:
            error = self._up(swapped)
            if error is None:
                self.swapped = swapped["swapped"]
                self._check_applied(swapped, "roles swapped in one change")
                return
            self._check_left_alone(before, "roles swapped in one change, refused")
        # The two runs the refusal names: HA off on both units (the pair removed, all
        # else kept), then all swapped. A pair that keeps HA on delete, or cannot reach
        # the Backup to turn its copy off (no backup_host), is first told to.
        pair = before.get("pair")
        if pair and (pair["on_delete"] == "retain" or not pair["declare_backup_host"]):
            pair = {**pair, "on_delete": "disable", "declare_backup_host": True}
            before = {**before, "pair": pair}
            self._converged(before, "role swap run 0 (on_delete disable, backup_host)")
            swapped = {**before, "swapped": not before["swapped"]}
        self._converged({**before, "pair": None}, "role swap run 1 (HA off)")
        self.swapped = swapped["swapped"]
        self._converged(swapped, "role swap run 2 (roles swapped)")

    @precondition(lambda self: self.design is not None)
    @rule()
    def replace_backup(self) -> None:
        """RMA: the Backup fails, a new unit (another serial, factory settings) takes its
        place at the same address on the same cables; the program names the new serial."""
        assert self.design is not None
        _, backup = plans.roles(self.sim, self.design)
        self.serials += 1
        serial = f"2CB8ED0AA{self.serials:03X}"
        index = 0 if backup is self.sim.primary else 1
        backup.replace_unit(serial, default_interfaces(index))
        if not self.sim.portal.is_registered(serial):
            self.sim.portal.register_product(serial, "fw-rma", backup.model)
        self._note(f"Backup replaced by {serial}")
        self._converged(self.design, "Backup replaced (RMA)")

    @precondition(lambda self: self.design is not None)
    @rule(kind=st.sampled_from(HAND_CHANGES))
    def change_by_hand(self, kind: str) -> None:
        """An administrator changes a unit or the portal by hand: a drift preview shows
        it when it touches what the stack declares, and `up --refresh` puts it back."""
        design = self.design
        assert design is not None
        primary, _ = plans.roles(self.sim, design)
        pair, links = design.get("pair"), design.get("links") or {}
        drift = False
        if kind == "zone" and links:
            primary.set_zone(sorted(links)[0], "DMZ")
            drift = True
        elif kind == "timer" and pair:
            primary.set_ha_settings(
                {"failover_trigger_level": 4 if pair["failover_trigger_level"] != 4 else 5}
            )
            drift = True
        elif kind == "monitoring" and design.get("monitoring"):
            entry = primary.monitoring("X0")
            primary.set_monitoring("X0", link_monitoring=not entry["link_monitoring"])
            drift = True
        elif kind == "association" and design.get("license"):
            for found in self.sim.portal.associations():
                if found["primary_serial"] == primary.serial:
                    self.sim.portal.remove_association(found["id"])
                    drift = True
        elif kind == "ha_off" and pair:
            primary.set_ha_settings({"mode": {}})
            drift = True
        elif kind == "session":
            primary.hold_session()
            self._note("another administrator holds config mode on the Primary")
            self._up(design, refresh=True)  # may fail: the error says who holds it
            primary.release_session()
            self._converged(design, "after another administrator logged out", refresh=True)
            return
        self._note(f"change by hand: {kind} (drift expected: {drift})")
        plan = self.stack.preview(refresh=True)
        if plan.has_changes != drift:
            raise Break(f"hand change {kind}: drift preview has_changes={plan.has_changes}")
        self._converged(design, f"up --refresh after hand change {kind}", refresh=True)

    @precondition(lambda self: self.design is not None)
    @rule(
        where=st.sampled_from(FAULT_TARGETS),
        kind=FAULT_KINDS,
        during=st.sampled_from(["up", "up", "refresh", "destroy"]),
        drawn=DESIGN,
    )
    def fault(
        self, where: tuple[str, str, str], kind: str, during: str, drawn: dict[str, Any]
    ) -> None:
        """A fault at a request of the next command (an `up` of an edited plan, a
        refresh, a destroy): after it, with the fault gone, the command run again
        completes and leaves the units as declared (or as `on_delete` says)."""
        before = self.design
        assert before is not None
        role, method, path = where
        primary, backup = plans.roles(self.sim, before)
        server = {"primary": primary, "backup": backup, "portal": self.sim.portal}[role]
        if kind == "drop":
            server.drop(method, path)
        else:
            server.fail(method, path, status=int(kind))
        self._note(f"fault {kind} at {role} {method} {path} during {during}")
        try:
            if during == "up":
                design = self._design(drawn)
                error = self._up(design)
                self._clear_faults()
                if error is None:
                    self._check_applied(design, f"up through a {kind} fault")
                else:
                    self._converged(
                        design, f"the up after a {kind} fault at {role} {method} {path}"
                    )
                return
            try:
                self.stack.refresh() if during == "refresh" else self.stack.destroy()
            except LifecycleError as exc:
                print(f"  {during} failed: {exc}")
        finally:
            self._clear_faults()
        if during == "refresh":
            self._converged(before, f"the up after a refresh that met a {kind} fault", refresh=True)
        else:
            self._destroy(f"destroy again after a {kind} fault at {role} {method} {path}")

    @precondition(lambda self: self.design is not None)
    @rule(at=st.integers(1, 40), twice=st.booleans(), drawn=DESIGN)
    def interrupted(self, at: int, twice: bool, drawn: dict[str, Any]) -> None:
        """Ctrl-C (once: no new step starts; twice: the provider host is stopped) when
        the units have seen `at` requests of an `up`; the next `up` converges."""
        design = self._design(drawn)
        self._note(f"up interrupted at request {at} ({'twice' if twice else 'once'})")
        for server in self.sim.servers:
            server.clear_requests()
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                if sum(len(server.requests) for server in self.sim.servers) >= at:
                    self.stack._cancel_now()
                    if twice:
                        self.stack._interrupt_now()
                    return
                time.sleep(0.002)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            self._up(design)
        finally:
            done.set()
            watcher.join()
            self.stack.close()
        self._converged(design, f"the up after one interrupted at request {at}")

    @precondition(lambda self: self.design is not None)
    @rule()
    def refresh(self) -> None:
        self._note("refresh")
        result = self.stack.refresh()
        if result.drift:
            raise Break(f"refresh with nothing changed reports drift {result.drift}")
        self._check_applied(self.design, "refresh")

    @precondition(lambda self: self.design is not None)
    @rule()
    def destroy(self) -> None:
        self._note("destroy")
        self._destroy("destroy")

    def _destroy(self, why: str) -> None:
        design = self.design
        assert design is not None
        try:
            self._follow_advice(self.stack.destroy())
        except LifecycleError as exc:
            raise Break(f"{why} failed: {exc}") from None
        found = plans.destroyed_problems(self.sim, design)
        if found:
            raise Break(f"{why} left:\n  " + "\n  ".join(found))
        self.design = None

    @precondition(lambda self: self.design is not None and self.design.get("pair") is not None)
    @rule(mistake=st.sampled_from(MISTAKES))
    def mistake(self, mistake: str) -> None:
        """A program an administrator gets wrong: refused with the pair left as it was,
        or applied as declared; put right, the next `up` converges."""
        before = self.design
        assert before is not None
        self._note(f"mistake: {mistake}")
        wrong = copy.deepcopy(before)
        if mistake == "no monitoring":
            wrong["monitoring"] = None
        elif mistake == "primary at the Backup":
            wrong["typo"] = "primary_host"
        else:
            wrong["pair"]["declare_backup_host"] = True
            wrong["unknown_backup_serial"] = True
        error = self._up(wrong)
        if error is None:
            self._check_applied(wrong, f"mistake {mistake} applied")
        else:
            self._check_left_alone(before, f"mistake {mistake} refused")
        self._converged(before, f"put right after mistake {mistake}")

    def _check_left_alone(self, before: dict[str, Any], why: str) -> None:
        """A refused change leaves a declared pair on, synchronized and reachable."""
        found = [
            p
            for p in plans.problems(self.sim, before)
            if "answers" in p or "HA mode" in p or "not synchronized" in p
        ]
        if before.get("pair") and found:
            raise Break(f"{why}, but the pair was not left alone:\n  " + "\n  ".join(found))

    # -- checked after every step --------------------------------------------------------
    @invariant()
    def nothing_pending_and_no_secret_in_state(self) -> None:
        for unit in (self.sim.primary, self.sim.backup):
            if unit.pending():
                raise Break(f"{unit.name}: staged changes left: {unit.pending()}")
        text = self.stack.state_file.read_text() if self.stack.state_file.exists() else ""
        for secret in self.secrets:
            if secret in text:
                raise Break("a secret in plain text in the state file")
