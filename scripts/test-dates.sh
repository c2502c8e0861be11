#!/usr/bin/env bash
# The date matrix (issue #11): the workflow tests again, each starting on another kind of day —
# a Friday, the day before National Day, the first day of the Spring Festival holiday, 31 December
# (test/harness/start-dates.ts). The default run of `jest` starts on an ordinary Wednesday.
#   bash scripts/test-dates.sh [kind …]
set -euo pipefail
cd "$(dirname "$0")/.."
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(friday national-day-eve spring-festival new-years-eve)
for kind in "${kinds[@]}"; do
  echo "date matrix: workflow tests starting on $kind"
  SKILLCERT_TEST_START="$kind" npx jest --selectProjects stack --testPathPatterns 'test/workflows/' --silent
done
