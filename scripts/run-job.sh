#!/usr/bin/env bash
# Runs one Cloud Run Job of a pack now (a manual job, or a scheduled one out of turn).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat >&2 <<USAGE
Usage: $(basename "$0") ENV JOB [--pack NAME] [--routes DIR] [--wait] [--dry-run]
  ENV           test | stage | prod (prod asks for confirmation: type or pipe "yes")
  JOB           id (quota-reset), long name (cloudact-daily-quota-reset) or deployed name
                (cloudact-daily-quota-reset-stage, validibot-clear-sessions-dev)
  --pack NAME   the job's pack (default cloudact)
  --routes DIR  a job from ROUTES_DIR (the directory generate-deploy-files.sh --routes-dir wrote)
  --wait        wait for the execution to finish; the exit code tells how it ended
  --dry-run     run with DRY_RUN=true: log the calls that would change something, make none
USAGE
  exit 2
}

take_common_options "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
[[ $# -ge 2 && "$1" != -h && "$1" != --help ]] || usage
env_name="$1"
job="$2"
shift 2
flags=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --wait) flags+=(--wait) ;;
    --dry-run) flags+=(--update-env-vars DRY_RUN=true) ;;
    -h | --help) usage ;;
    *) echo "error: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

use_environment "$env_name"
resolve_job "$job"
confirm_prod "run ${JOB_RESOURCE} now${flags[*]:+ (${flags[*]})}"
gcloud run jobs execute "$JOB_RESOURCE" --project "$PROJECT" --region "$REGION" ${flags[@]+"${flags[@]}"}
