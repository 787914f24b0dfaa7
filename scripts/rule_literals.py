#!/usr/bin/env python3
"""Prints the literals of a codebook's rules, one a line, for a literal
scan of the same terms (`rg -c -i -F -f LITERALS`) in scripts/bench.sh.

Usage: rule_literals.py CODEBOOK.toml > LITERALS

A term gives its text without `*` wildcards; a regex gives its longest run
of plain characters (a literal scan cannot express the rest). Each literal
is printed once, in the order first met.
"""
import re
import sys
import tomllib


def regex_run(pattern):
    # Drop groups' syntax and escapes, then keep the longest plain run.
    runs = re.split(r"[\\()\[\]{}|?*+.^$]", pattern)
    return max(runs, key=len).strip()


def main():
    with open(sys.argv[1], "rb") as f:
        codebook = tomllib.load(f)
    seen = {}
    for code in codebook.get("code", []):
        rule = code.get("rule") or {}
        for clause in ("any", "all", "not"):
            for term in rule.get(clause, []):
                seen.setdefault(term.strip("*").strip().lower(), None)
        for pattern in rule.get("regex", []):
            run = regex_run(pattern).lower()
            if run:
                seen.setdefault(run, None)
    for literal in seen:
        if literal:
            print(literal)


if __name__ == "__main__":
    main()
