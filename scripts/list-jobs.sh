#!/usr/bin/env bash
# Shows every job of a pack in one environment: its Cloud Run Job, its Scheduler trigger (ENABLED or
# PAUSED, next run, or waiting for its gate: a gated trigger is only created once its gate opens), then
# the recent executions of the pack's jobs. Read-only, so prod asks no confirmation here.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

take_common_options "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
if [[ $# -ne 1 || "$1" == -h || "$1" == --help ]]; then
  echo "Usage: $(basename "$0") ENV [--pack NAME] [--routes DIR]    (ENV: test | stage | prod; default pack cloudact)" >&2
  exit 2
fi
use_environment "$1"

# two list calls, only the pack's names (they start with "<pack>-"), then one line per row of the table
run_jobs="$(gcloud run jobs list --project "$PROJECT" --region "$REGION" --filter "metadata.name ~ ^${PACK}-" \
  --format 'value(metadata.name)')"
triggers="$(gcloud scheduler jobs list --project "$PROJECT" --location "$REGION" --filter "name ~ /jobs/${PACK}-" \
  --format 'value(name.basename(),state,scheduleTime)')"

echo "== ${PACK} ${ENVIRONMENT} (${PROJECT}, ${REGION})"
id_width=15 name_width=40
names=()
while IFS=$'\t' read -r id _; do
  resolve_job "$id"
  names+=("$JOB_RESOURCE")
  [[ ${#JOB_ID} -lt $id_width ]] || id_width=$((${#JOB_ID} + 1))
  [[ ${#JOB_RESOURCE} -lt $name_width ]] || name_width=$((${#JOB_RESOURCE} + 1))
done < <(job_rows)
printf '%-*s %-*s %-9s %-21s %s\n' "$id_width" JOB "$name_width" "CLOUD RUN JOB" STATUS "NEXT RUN" TRIGGER
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
  printf '%-*s %-*s %-9s %-21s %s\n' "$id_width" "$JOB_ID" "$name_width" "$JOB_RESOURCE" "$job_status" "${next:--}" "$trigger_status"
done < <(job_rows)
echo
echo "== Recent executions"
# an execution is named <job>-<suffix>: only those of this environment's jobs
pattern="$(printf '%s|' "${names[@]}")"
gcloud run jobs executions list --project "$PROJECT" --region "$REGION" --limit 20 \
  --filter "metadata.name ~ '^(${pattern%|})-[a-z0-9]+\$'"
