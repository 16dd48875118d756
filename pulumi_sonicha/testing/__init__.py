"""Run a Pulumi Python program's whole lifecycle offline, without the Pulumi CLI.

The Pulumi CLI (the engine) is a Go binary we cannot install everywhere; for
dynamic resources everything it would start on the Python side can run here.
`Lifecycle` runs your program under the SDK's mock monitor and plays the
engine's part against the SDK's real provider host (`python -m
pulumi.dynamic`, driven by `ProviderHost` over gRPC), keeping state in a
JSON file::

    from pulumi_sonicha.testing import Lifecycle

    stack = Lifecycle(
        "examples/ha-pair",                        # holds Pulumi.yaml + __main__.py
        config={"sonicha:username": "admin", "fw_host": "10.0.0.1"},  # bare keys get the project's
        secret_keys={"sonicha:password"},           # also in config; never written or printed
        state_file="/tmp/ha-pair.json",
        env={"PYTHONPATH": "..."},                  # environment of the provider host
    )
    with stack:                                     # each command: a provider host of its own
        plan = stack.preview()                      # Check/Diff only; nothing written
        assert plan.changes == {"create": 3}
        stack.up()                                  # creates; state saved after every step
        assert not stack.preview().has_changes      # idempotent
        stack.set_config("fw_host", "10.0.0.2")
        assert stack.preview().ops_for("pair") == ["update"]
        drift = stack.refresh().drift               # {"pair": ["mode"]} after a change by hand
        stack.preview(refresh=True)                 # = pulumi preview --refresh
        stack.destroy()
    stack.outputs                                   # the program's exports

From a shell (exit code 1 on error or, with --expect-no-changes, changes;
credentials from the environment, which the provider host inherits)::

    export SONICHA_PASSWORD=...                     # rather than --secret on the command line
    python -m pulumi_sonicha.testing preview --cwd examples/ha-pair \\
        --config fw_host=10.0.0.1 --refresh --expect-no-changes --diff --expect-healthy

Results are `Result` objects: `.steps` (`Step(name, type, op, replaces,
diff_keys, error, diff_values, aliased_from)`, op one of
create/update/replace/delete/same, and for a refresh read/drift/gone),
`.changes`, `.has_changes`, `.ops_for(name)`, `.drift`, `.outputs`,
`.diagnostics` (warnings providers sent to the engine). Failures raise
`LifecycleError` (naming the resource and the provider's message; `.result`
holds the steps done) after state is saved; Ctrl-C raises `LifecycleInterrupted`; a
secret seen in plain text in anything the harness captures (the provider host's output,
warnings, provider errors, the state file) fails the command with `SecretLeakError`.
A provider error seen through `ProviderHost` is a `ProviderError` whose text
is the provider's own message (`.details` keeps the traceback).

What is and is not emulated is listed in `lifecycle`'s docstring (in short:
aliases, protect, retain_on_delete, delete-before-replace and parallel steps are;
components' state, invokes, transforms, ignore_changes, import and state
encryption are not).
"""

from .host import (
    CheckOutcome,
    DiffOutcome,
    HarnessError,
    HostError,
    ProviderError,
    ProviderHost,
    pickler_guard,
    provider_ref,
)
from .lifecycle import (
    Lifecycle,
    LifecycleError,
    LifecycleInterrupted,
    Result,
    SecretLeakError,
    Step,
    load_stack_config,
    values_equal,
)

__all__ = [
    "CheckOutcome",
    "DiffOutcome",
    "HarnessError",
    "HostError",
    "Lifecycle",
    "LifecycleError",
    "LifecycleInterrupted",
    "ProviderError",
    "ProviderHost",
    "Result",
    "SecretLeakError",
    "Step",
    "load_stack_config",
    "pickler_guard",
    "provider_ref",
    "values_equal",
]
