"""Any program of the four resources, declared in config so a test can write it.

Config `fuzz:resources` is a JSON list, in program order, of
`{"type": "HaMonitoring" | "HaInterface" | "HaPair" | "LicenseAssociation",
"name": ..., "args": {input: value}, "aliases": [former names], "depends_on":
[names declared earlier], "delete_before_replace": bool}`. Inputs left out of
`args` are not passed (the resource's default applies).
"""

import json

import pulumi

import pulumi_sonicha

declared = json.loads(pulumi.Config("fuzz").get("resources") or "[]")
made: dict[str, pulumi.Resource] = {}
for spec in declared:
    options = pulumi.ResourceOptions(
        aliases=[pulumi.Alias(name=old) for old in spec.get("aliases", [])] or None,
        depends_on=[made[name] for name in spec.get("depends_on", [])] or None,
        delete_before_replace=spec.get("delete_before_replace") or None,
    )
    kind = getattr(pulumi_sonicha, spec["type"])
    made[spec["name"]] = kind(spec["name"], **spec["args"], opts=options)
