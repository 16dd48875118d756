"""Benchmarks of pulumi_sonicha against the simulator: `python -m benchmarks`.

Why they exist: users run drift previews (`pulumi preview --refresh`) over
fleets of pairs on a schedule, and every request to a firewall costs a round
trip, every new connection two more (TCP, TLS), and every operation an admin
session. So this measures, not times in unit tests:

- `requests_per_op`: HTTP requests and new connections of each provider
  operation, per unit, and what each write sends (deterministic: the smoke
  test asserts on them);
- `refresh`: wall time of a refresh of 1..200 pairs through the SDK's provider
  host, against the naive way (the same GETs one at a time, each in its own
  login/logout, a connection per call) and against the host's limit;
- `stacks`: the same fleet as 1, 2, 4 stacks of `examples/fleet`, their drift
  jobs through the lifecycle harness run at once (`stack_job`, one process each);
- `sizes`: the pickled `__provider` of each resource, the host's memory and CPU.

The simulated fleet runs in worker processes (`simfleet`), `fleet` declares
and creates its resources, `report` renders every table from the JSON, and
`run` writes `benchmarks/results.json` and the tables of docs/performance.md.
"""
