#!/usr/bin/env python3
"""Recomputes every number and worked example the notes state, and checks the figures' specs.

    python3 scripts/factcheck/factcheck.py [--root DIR]

Standard library only. Each line of output names the note and the claim; a number that differs
from the computed value, or a claim that can no longer be found, is a FAIL and the exit status
is 1. tests/factcheck.rs runs it on the notes and on an edited copy.
"""

import argparse
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import check_activation  # noqa: E402
import check_cnn  # noqa: E402
import check_optimization  # noqa: E402
import check_training  # noqa: E402
from notes import ROOT, CheckFailed, Note, Report  # noqa: E402

MODULES = [check_cnn, check_optimization, check_training, check_activation]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=ROOT, help="site folder holding content/ (default: this repository)")
    args = parser.parse_args()

    report = Report()
    for module in MODULES:
        for rel, check in module.CHECKS.items():
            try:
                check(Note(report, args.root, rel))
            except CheckFailed as e:
                report.fail(rel, check.__name__, str(e))
            except Exception:  # a bug in a check, or a note it cannot read: report it, go on
                report.fail(rel, check.__name__, traceback.format_exc(limit=2).strip())

    print(f"\n{report.passed} claims checked, {len(report.failed)} failed")
    for line in report.failed:
        print(f"  {line}", file=sys.stderr)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
