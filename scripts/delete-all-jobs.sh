#!/usr/bin/env bash
# Deletes every Cloud Run Job and Cloud Scheduler trigger of a pack in one environment: the jobs of its
# table (with --routes, the jobs from ROUTES_DIR too). It lists what exists first (a failure to list
# stops it before anything is deleted) and shows it; then it asks for the word "delete" and, in prod,
# for the project id as well. Each trigger goes before its job, so that nothing fires a job being
# deleted; one line per resource, then a table; exit 1 if any failed.
# Left alone: executions' logs, the image, secrets, service accounts, a ROUTES_DIR bucket's files.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat >&2 <<USAGE
Usage: $(basename "$0") ENV [--pack NAME] [--routes DIR] [--dry-run]
  ENV           test | stage | prod: asks you to type "delete"; prod then asks for the project id too
  --pack NAME   the pack whose jobs and triggers go (default cloudact)
  --routes DIR  the jobs from ROUTES_DIR too (the directory generate-deploy-files.sh --routes-dir wrote)
  --dry-run     read what exists, print the gcloud commands that would delete it, run none of them
USAGE
  exit 2
}

take_common_options "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
[[ $# -ge 1 && "$1" != -h && "$1" != --help ]] || usage
env_name="$1"
shift
dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    -h | --help) usage ;;
    *) echo "error: unknown option '$1'" >&2; usage ;;
  esac
  shift
done
use_environment "$env_name"

# --- read everything first: two lists (the pack's names start with "<pack>-"); a failure stops here
if ! run_jobs="$(gcloud run jobs list --project "$PROJECT" --region "$REGION" --filter "metadata.name ~ ^${PACK}-" \
  --format 'value(metadata.name)' </dev/null)"; then
  echo "error: could not list the Cloud Run Jobs of ${PROJECT} (${REGION}): stopped, nothing was deleted." >&2
  exit 1
fi
if ! triggers="$(gcloud scheduler jobs list --project "$PROJECT" --location "$REGION" --filter "name ~ /jobs/${PACK}-" \
  --format 'value(name.basename(),state)' </dev/null)"; then
  echo "error: could not list the Cloud Scheduler jobs of ${PROJECT} (${REGION}): stopped, nothing was deleted." >&2
  exit 1
fi
ROW_ID=() ROW_RESOURCE=() ROW_JOB=() ROW_TRIGGER=()
commands=()
id_width=15 name_width=40
while IFS=$'\t' read -r id _; do
  resolve_job "$id"
  ROW_ID+=("$JOB_ID") ROW_RESOURCE+=("$JOB_RESOURCE")
  [[ ${#JOB_ID} -lt $id_width ]] || id_width=$((${#JOB_ID} + 1))
  [[ ${#JOB_RESOURCE} -lt $name_width ]] || name_width=$((${#JOB_RESOURCE} + 1))
  # a manual job may still have a trigger from when it was scheduled: every name is looked for
  state="$(awk -F'\t' -v n="$JOB_RESOURCE" '$1 == n { print $2 }' <<<"$triggers")"
  if [[ -n "$state" ]]; then
    ROW_TRIGGER+=("$state")
    commands+=("$(shell_quote gcloud scheduler jobs delete "$JOB_RESOURCE" --project "$PROJECT" --location "$REGION" --quiet)")
  else
    ROW_TRIGGER+=(-)
  fi
  if grep -qxF -- "$JOB_RESOURCE" <<<"$run_jobs"; then
    ROW_JOB+=(exists)
    commands+=("$(shell_quote gcloud run jobs delete "$JOB_RESOURCE" --project "$PROJECT" --region "$REGION" --quiet)")
  else
    ROW_JOB+=(-)
  fi
done < <(job_rows)

# table TITLE: the jobs, their Cloud Run Job and their trigger
table() {
  echo
  printf '%-*s %-*s %-12s %s\n' "$id_width" JOB "$name_width" "CLOUD RUN JOB" "JOB" TRIGGER
  for r in "${!ROW_ID[@]}"; do
    printf '%-*s %-*s %-12s %s\n' "$id_width" "${ROW_ID[$r]}" "$name_width" "${ROW_RESOURCE[$r]}" "${ROW_JOB[$r]}" "${ROW_TRIGGER[$r]}"
  done
}

if [[ ${#commands[@]} -eq 0 ]]; then
  table
  echo "Nothing to delete: ${PACK} has no Cloud Run Job or trigger in ${ENVIRONMENT} (${PROJECT}, ${REGION})."
  exit 0
fi
if [[ "$dry_run" == true ]]; then
  printf '%s\n' "${commands[@]}"
  echo "Dry run: ${#commands[@]} command(s) above not run; ${PACK} ${ENVIRONMENT} (${PROJECT}, ${REGION}) is unchanged."
  exit 0
fi

for r in "${!ROW_ID[@]}"; do
  [[ "${ROW_TRIGGER[$r]}" == - ]] || printf '  %-7s %-*s to be deleted (%s)\n' trigger "$name_width" "${ROW_RESOURCE[$r]}" "${ROW_TRIGGER[$r]}"
  [[ "${ROW_JOB[$r]}" == - ]] || printf '  %-7s %-*s to be deleted\n' job "$name_width" "${ROW_RESOURCE[$r]}"
done >&2
jobs_count="$(printf '%s\n' "${ROW_JOB[@]}" | grep -cvx -- - || true)"
confirm_typed "Delete the ${jobs_count} Cloud Run Jobs and $((${#commands[@]} - jobs_count)) triggers above" delete
if [[ "$ENVIRONMENT" == prod ]]; then
  confirm_typed "PROD: this deletes them in production. Type the project id" "$PROJECT"
fi

# --- delete, trigger first, one line each
failed=0
err="$(mktemp)"
trap 'rm -f "$err"' EXIT
for r in "${!ROW_ID[@]}"; do
  name="${ROW_RESOURCE[$r]}"
  if [[ "${ROW_TRIGGER[$r]}" != - ]]; then
    if gcloud scheduler jobs delete "$name" --project "$PROJECT" --location "$REGION" --quiet >"$err" 2>&1; then
      ROW_TRIGGER[r]=deleted
    else
      ROW_TRIGGER[r]=FAILED
      failed=1
    fi
    printf '%-7s %-*s %s\n' trigger "$name_width" "$name" "${ROW_TRIGGER[$r]}"
    [[ "${ROW_TRIGGER[$r]}" == deleted ]] || sed 's/^/    /' "$err" >&2
  fi
  if [[ "${ROW_JOB[$r]}" != - ]]; then
    if [[ "${ROW_TRIGGER[$r]}" == FAILED ]]; then
      ROW_JOB[r]="kept (its trigger failed)"
    elif gcloud run jobs delete "$name" --project "$PROJECT" --region "$REGION" --quiet >"$err" 2>&1; then
      ROW_JOB[r]=deleted
    else
      ROW_JOB[r]=FAILED
      failed=1
    fi
    printf '%-7s %-*s %s\n' job "$name_width" "$name" "${ROW_JOB[$r]}"
    [[ "${ROW_JOB[$r]}" != FAILED ]] || sed 's/^/    /' "$err" >&2
  fi
done
table
if [[ $failed -ne 0 ]]; then
  echo "FAILED: ${PACK} ${ENVIRONMENT} (${PROJECT}, ${REGION}): see the FAILED lines; fix and re-run (what is gone stays gone)." >&2
  exit 1
fi
echo "Deleted: ${PACK} ${ENVIRONMENT} (${PROJECT}, ${REGION})."
