"""What the engine does to the dependents of a delete-first replacement.

When a resource is replaced deleting first, the engine first deletes every
resource that depends on it and would be replaced by that change, in reverse
dependency order, before the replaced resource's own delete; when the program
registers such a dependent later in the run, it is created again (a replacement,
no Diff), and one the program no longer declares stays deleted.

Read from Pulumi's engine, `pkg/resource/deploy/step_generator.go` in
pulumi/pulumi: `generateStepsFromDiff` (the `deleteBeforeReplace` branch: one
`DeleteReplacementStep` per dependent from `calculateDependentReplacements`,
iterated in reverse, skipping one already deleted by another such replacement)
and `calculateDependentReplacements`: walk the old snapshot's transitive
dependents of the root (`DependingOn`), leaving out resources this run has
already registered; a dependent counts when one of its inputs has a property
dependency on a resource in the replace set, and then only if its provider's
`Diff`, called with its old inputs where each such input is made unknown, says
replace. Dependents through `dependsOn` alone are never replaced; a dependent
found replaced joins the replace set (its own dependents follow). The
re-registration is the "recreating" case of `generateSteps`
(`NewReplaceStep` + `NewCreateReplacementStep`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi.output import Unknown

from .host import DiffOutcome
from .state import _Resource, _State

#: The CLI's word for the delete of a delete-first replacement (the step before it).
DELETE_REPLACED = "delete-replaced"


def depending_on(state: _State, root: _Resource, ignore: set[str]) -> list[_Resource]:
    """The old snapshot's transitive dependents of `root`, in dependency order (state
    order), without the URNs in `ignore` (already registered by this run)."""
    dependents = {root.urn}
    found: list[_Resource] = []
    for res in state.ordered():
        if res is root or res.urn in ignore or res.pending_delete:
            continue
        if dependents & res.all_dependencies():
            dependents.add(res.urn)
            found.append(res)
    return found


def dependent_replacements(
    state: _State,
    root: _Resource,
    ignore: set[str],
    diff: Callable[[_Resource, dict[str, Any]], DiffOutcome],
) -> list[_Resource]:
    """The dependents the engine deletes before `root`'s delete, in dependency order
    (delete them in reverse). `diff(res, inputs)` calls the dependent's provider."""
    replace_set = {root.urn}
    doomed: list[_Resource] = []
    for res in depending_on(state, root, ignore):
        inputs = dict(res.inputs)
        touched = False
        for key, urns in res.property_dependencies.items():
            if key in inputs and replace_set & set(urns):
                inputs[key] = Unknown()
                touched = True
        if not touched:
            continue
        outcome = diff(res, inputs)
        if outcome.changes and outcome.replaces:
            doomed.append(res)
            replace_set.add(res.urn)
    return doomed
