"""`python -m benchmarks [--pairs 1,10,50] [--latency-ms 50] [--quick] [--out PATH]`."""

from .run import main

raise SystemExit(main())
