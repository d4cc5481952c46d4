"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) in tests/api/test_schemathesis.py and
scripts/api_contract.py.

Hypothesis describes its recursive JSON strategies (for a health-check message or a report) by
parsing lambdas' source with `ast.parse`, deep in the stack. On CPython 3.11.7 parsing there can
hit the recursion limit halfway through and end as "SystemError: AST constructor recursion
depth mismatch" (a CPython bug), which schemathesis reports as a runtime error of the run, not a
finding about the API. A higher limit leaves room for that parse.
"""

import sys

sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
