"""`python -m pulumi_sonicha.docsgen [--check] [--root CHECKOUT]`: see the package docstring."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import CHECKOUT, differences, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_sonicha.docsgen",
        description="Regenerate docs/index.md and docs/resources/*.md from the schemas.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a page differs"
    )
    parser.add_argument(
        "--root", type=Path, default=CHECKOUT, help="the checkout (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if args.check:
        wrong = differences(args.root)
        for path in wrong:
            print(f"out of date: {path}", file=sys.stderr)
        if wrong:
            print("run: python -m pulumi_sonicha.docsgen", file=sys.stderr)
        return 1 if wrong else 0
    for path in write(args.root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
