#!/usr/bin/env bash
# Runs one job now on the Cloud Run service made by deploy-service.sh (POST /jobs/{id}/run) and prints
# its answer: {job, outcome, exitCode, durationMs, attempts, counts, reason}. The ID token is the
# scheduler service account's (you need roles/iam.serviceAccountTokenCreator on it); it never appears
# on a command line.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat >&2 <<USAGE
Usage: $(basename "$0") ENV JOB [--async]
  ENV      test | stage | prod (prod asks for confirmation: type or pipe "yes")
  JOB      short name (quota-reset) or long name (cloudact-daily-quota-reset)
  --async  answer at once (202 and the execution id) instead of when the job ends
USAGE
  exit 2
}

[[ $# -ge 2 ]] || usage
env_name="$1"
job="$2"
shift 2
query=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --async) query="?async=true" ;;
    -h | --help) usage ;;
    *) echo "error: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

use_environment "$env_name"
resolve_job "$job"
service="cloudact-jobs-serve${NAME_SUFFIX}"
confirm_prod "run ${JOB_ID} now on ${service}"
url="$(gcloud run services describe "$service" --project "$PROJECT" --region "$REGION" --format 'value(status.url)')"
[[ "$url" == https://* ]] || die "cannot read the URL of ${service} (got '${url}'); deploy it with deploy-service.sh"
token="$(gcloud auth print-identity-token --impersonate-service-account "$SCHEDULER_SA" --audiences "$service" --include-email)"
# the header goes through stdin, not argv: other users of the machine cannot read it from the process list
printf 'Authorization: Bearer %s\n' "$token" |
  curl --silent --show-error --max-time 3600 --request POST --header @- --write-out '\nHTTP %{http_code}\n' \
    "${url}/jobs/${JOB_ID}/run${query}"
