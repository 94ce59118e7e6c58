#!/usr/bin/env bash
# Shows every job of the table: its Cloud Run Job, its Scheduler trigger (ENABLED or PAUSED, next
# run, or waiting for its gate: a gated trigger is only created once its gate opens), then recent
# executions. Read-only, so prod asks no confirmation here.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

if [[ $# -ne 1 || "$1" == -h || "$1" == --help ]]; then
  echo "Usage: $(basename "$0") ENV    (ENV: test | stage | prod)" >&2
  exit 2
fi
use_environment "$1"

# two list calls, then one line per row of the table
run_jobs="$(gcloud run jobs list --project "$PROJECT" --region "$REGION" --format 'value(metadata.name)')"
triggers="$(gcloud scheduler jobs list --project "$PROJECT" --location "$REGION" \
  --format 'value(name.basename(),state,scheduleTime)')"

echo "== ${ENVIRONMENT} (${PROJECT}, ${REGION})"
printf '%-15s %-40s %-9s %-21s %s\n' JOB "CLOUD RUN JOB" STATUS "NEXT RUN" TRIGGER
while IFS=$'\t' read -r id _; do
  resolve_job "$id"
  if grep -qxF -- "$JOB_RESOURCE" <<<"$run_jobs"; then job_status=deployed; else job_status=missing; fi
  trigger="$(awk -F'\t' -v n="$JOB_RESOURCE" '$1 == n { print $2 "\t" $3 }' <<<"$triggers")"
  if [[ "$JOB_SCHEDULE" == - ]]; then
    trigger_status="- (manual)" next=-
  elif [[ -n "$trigger" ]]; then
    trigger_status="${trigger%%$'\t'*}" next="${trigger#*$'\t'}"
  elif [[ "$JOB_GATE" != - ]]; then
    trigger_status="waiting for gate ${JOB_GATE} (create-all-jobs.sh --${JOB_GATE}-ready)" next=-
  else
    trigger_status="missing (run create-all-jobs.sh)" next=-
  fi
  printf '%-15s %-40s %-9s %-21s %s\n' "$JOB_ID" "$JOB_RESOURCE" "$job_status" "${next:--}" "$trigger_status"
done < <(job_rows)
echo
echo "== Recent executions"
gcloud run jobs executions list --project "$PROJECT" --region "$REGION" --limit 20
