#!/usr/bin/env bash
# Build the documentation site (docs/_build/html) with warnings as errors, then run the guide's and
# the docstrings' examples (sphinx doctest). Needs the planeval package installed with its docs
# extra in the virtual environment (pip install -e '.[docs]') and doxygen (apt-get install doxygen);
# PLANEVAL_DOCS_NO_DOXYGEN=1 leaves the C++ reference out. Called by .ci/test.
#   bash docs/build.sh            # from anywhere; PLANEVAL_VENV picks another virtual environment
set -euo pipefail
DOCS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$DOCS")"
VENV="${PLANEVAL_VENV:-$ROOT/.venv}"
SPHINX=("$VENV/bin/python" -m sphinx)
cd "$ROOT"
# -E: read every page again, so that every warning shows up in every build (not only for changed pages)
"${SPHINX[@]}" -E -W --keep-going -q -b html docs docs/_build/html
PLANEVAL_DOCS_NO_DOXYGEN=1 "${SPHINX[@]}" -E -W --keep-going -q -b doctest docs docs/_build/doctest
tail -n 5 docs/_build/doctest/output.txt | sed -n '/tests/,$p' >&2
echo "documentation: docs/_build/html/index.html" >&2
