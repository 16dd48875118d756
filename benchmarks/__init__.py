"""Benchmarks of pulumi_sonicha against the simulator: `python -m benchmarks`.

Why they exist: users run drift previews (`pulumi preview --refresh`) over
fleets of pairs on a schedule, and every request to a firewall costs a round
trip and an admin session. So this measures, not times in unit tests:

- `requests_per_op`: HTTP requests of each provider operation, per unit, and
  what each write sends (deterministic: the smoke test asserts on them);
- `refresh`: wall time of a refresh of 1..50 pairs through the SDK's provider
  host with latency on every simulated server, against the naive way (the
  same GETs one at a time, each in its own login/logout);
- `sizes`: the pickled `__provider` of each resource and the host's peak memory.

`run` prints a table and writes `benchmarks/results.json`.
"""
