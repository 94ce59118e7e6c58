#!/usr/bin/env bash
# Shows the Cloud Run Jobs, their Scheduler triggers (paused or not, next run) and recent executions.
# Read-only, so prod asks no confirmation here.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

if [[ $# -ne 1 || "$1" == -h || "$1" == --help ]]; then
  echo "Usage: $(basename "$0") ENV    (ENV: test | stage | prod)" >&2
  exit 2
fi
use_environment "$1"

echo "== Cloud Run Jobs (${PROJECT}, ${REGION})"
gcloud run jobs list --project "$PROJECT" --region "$REGION"
echo
echo "== Scheduler triggers (state PAUSED or ENABLED, next run)"
gcloud scheduler jobs list --project "$PROJECT" --location "$REGION" \
  --format 'table(name.basename():label=TRIGGER,schedule,timeZone,state,scheduleTime:label=NEXT_RUN,lastAttemptTime:label=LAST_RUN)'
echo
echo "== Recent executions"
gcloud run jobs executions list --project "$PROJECT" --region "$REGION" --limit 20
