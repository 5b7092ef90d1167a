"""Command line: ``python -m planeval`` or ``planeval``.

Subcommands:

- ``summary [PLAN] [--lang zh|en]``: the plan's summary (default: the embedded Baijiantan plan),
  then every warning as ``warning: path: message``.
- ``validate PLAN``: ``PLAN: valid (N targets, M warnings)`` and exit 0 (warnings go to stderr), or
  every error as ``error: path: message`` on stderr and exit 1.
- ``format PLAN [--out FILE]``: the plan in canonical JSON, to stdout or FILE.

User errors (missing file, malformed JSON, invalid plan, unwritable output) are reported on stderr
with exit status 1, never with a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ._core import Error, Plan, PlanError, example_plan, load_plan


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planeval", description="Evaluate development plans.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summary = sub.add_parser("summary", help="print a plan's summary and warnings")
    summary.add_argument(
        "plan", nargs="?", metavar="PLAN", help="plan file (default: the embedded example plan)"
    )
    summary.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the summary")

    validate = sub.add_parser("validate", help="check a plan file")
    validate.add_argument("plan", metavar="PLAN", help="plan file")

    fmt = sub.add_parser("format", help="write a plan in canonical JSON")
    fmt.add_argument("plan", metavar="PLAN", help="plan file")
    fmt.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    return parser


def _summary(args: argparse.Namespace) -> int:
    plan: Plan = example_plan() if args.plan is None else load_plan(args.plan)
    sys.stdout.write(plan.summary(lang=args.lang))
    for w in plan.warnings():
        print(f"warning: {w}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)
    warnings = plan.warnings()
    print(f"{args.plan}: valid ({len(plan.targets)} targets, {len(warnings)} warnings)")
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0


def _format(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)
    if args.out is None:
        sys.stdout.write(plan.to_json())
    else:
        plan.save(args.out)
    return 0


_COMMANDS = {"summary": _summary, "validate": _validate, "format": _format}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    # Chinese text on a terminal that cannot encode it is escaped rather than raising.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except PlanError as e:
        for d in e.errors:
            print(f"error: {d}", file=sys.stderr)
        return 1
    except Error as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (planeval summary | head): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
