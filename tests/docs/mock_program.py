"""Run one Pulumi program under `pulumi.runtime.set_mocks`, as `pulumi preview` would
construct it, and print what it registered as JSON (one process per program: the SDK's
settings are global).

    python tests/docs/mock_program.py PROGRAM.py   (stack config: PULUMI_CONFIG, JSON)

Each sonicha resource's inputs go through its schema's `check`, as the provider host
would, so a snippet with an input the provider refuses fails like the real run.
"""

from __future__ import annotations

import json
import runpy
import sys

import pulumi
from pulumi.runtime.mocks import _sync_await
from pulumi.runtime.stack import run_pulumi_func

from pulumi_sonicha.docstrings import REGISTRY

TOKEN = "pulumi-python:dynamic/sonicha:"
SCHEMAS = {name: documented.schema for name, (_cls, documented) in REGISTRY.items()}


class CheckingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[dict] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        inputs = {k: v for k, v in args.inputs.items() if k != "__provider" and v is not None}
        failures: list[str] = []
        if args.typ.removeprefix(TOKEN) in SCHEMAS:
            schema = SCHEMAS[args.typ.removeprefix(TOKEN)]
            declared = {k: v for k, v in inputs.items() if k in schema.by_name}
            checked, problems = schema.check(declared)
            failures = [p.reason for p in problems]
            inputs = {**inputs, **checked}
        self.registered.append(
            {"type": args.typ, "name": args.name, "inputs": inputs, "failures": failures}
        )
        return f"{args.name}-id", inputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}, None


def main(program: str) -> None:
    mocks = CheckingMocks()
    pulumi.runtime.set_mocks(mocks, project="snippet", stack="dev", preview=True)
    _sync_await(run_pulumi_func(lambda: runpy.run_path(program, run_name="__main__")))
    json.dump(mocks.registered, sys.stdout, default=str)


if __name__ == "__main__":
    main(sys.argv[1])
