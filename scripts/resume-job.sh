#!/usr/bin/env bash
# Resumes the Cloud Scheduler trigger of a scheduled job (the Cloud Run Job itself is untouched).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

if [[ $# -ne 2 ]]; then
  echo "Usage: $(basename "$0") ENV JOB    (ENV: test | stage | prod; JOB: short or long name)" >&2
  exit 2
fi
use_environment "$1"
resolve_job "$2"
[[ "$JOB_SCHEDULE" != - ]] || die "${JOB_ID} is a manual job: it has no trigger to resume."
confirm_prod "resume the trigger ${JOB_RESOURCE}"
gcloud scheduler jobs resume "$JOB_RESOURCE" --project "$PROJECT" --location "$REGION" --quiet
