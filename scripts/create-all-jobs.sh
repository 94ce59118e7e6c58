#!/usr/bin/env bash
# Creates or updates (idempotent) one Cloud Run Job per catalog entry and one Cloud Scheduler trigger
# per scheduled job, from scripts/jobs.tsv (generated from the catalog and the routes).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat >&2 <<USAGE
Usage: $(basename "$0") ENV [--billing-endpoint-ready] [--image IMAGE]
  ENV                       test | stage | prod (prod asks for confirmation: type or pipe "yes")
  --billing-endpoint-ready  the frontend's billing endpoint exists: resume the billing triggers
                            (billing-retry, reconcile); without it they are created or kept paused
  --image IMAGE             image to deploy (default: the ENV tag pushed by cloudbuild-jobs.yaml)
USAGE
  exit 2
}

[[ $# -ge 1 ]] || usage
env_name="$1"
shift
billing_ready=false
image=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --billing-endpoint-ready) billing_ready=true ;;
    --image)
      [[ $# -ge 2 ]] || usage
      image="$2"
      shift
      ;;
    -h | --help) usage ;;
    *) echo "error: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

use_environment "$env_name"
image="${image:-${REGION}-docker.pkg.dev/${PROJECT}/cloudact/cloudact-jobs:${ENVIRONMENT}}"
confirm_prod "create or update every Cloud Run Job and Scheduler trigger with image ${image}"

# secret_flags LIST: --set-secrets value for the comma-separated variable names of jobs.tsv
secret_flags() {
  local out=() secret
  for secret in ${1//,/ }; do
    case "$secret" in
      CA_ROOT_API_KEY) out+=("CA_ROOT_API_KEY=ca-root-api-key${SECRET_SUFFIX}:latest") ;;
      SUPABASE_ACCESS_TOKEN) out+=("SUPABASE_ACCESS_TOKEN=supabase-access-token${SUPABASE_SUFFIX}:latest") ;;
      *) die "jobs.tsv: no Secret Manager secret known for $secret" ;;
    esac
  done
  (IFS=,; echo "${out[*]}")
}

while IFS=$'\t' read -r id _ _ _ _ _ _ _ _ _; do
  resolve_job "$id"
  # the runner's own deadline, inside the task timeout, so its summary line is still written
  runner_deadline=$(( JOB_TIMEOUT - 30 > JOB_TIMEOUT * 9 / 10 ? JOB_TIMEOUT - 30 : JOB_TIMEOUT * 9 / 10 ))
  env_vars="JOB_ID=${JOB_ID},ENVIRONMENT=${ENVIRONMENT},GCP_PROJECT_ID=${PROJECT},JOB_TIMEOUT=${runner_deadline}"
  # jobs that talk to Supabase need its project; it is not a secret, but it differs per environment
  if [[ ",${JOB_SECRETS}," == *",SUPABASE_ACCESS_TOKEN,"* && -n "${SUPABASE_PROJECT_REF:-}" ]]; then
    env_vars+=",SUPABASE_PROJECT_REF=${SUPABASE_PROJECT_REF}"
  elif [[ ",${JOB_SECRETS}," == *",SUPABASE_ACCESS_TOKEN,"* ]]; then
    echo "warning: SUPABASE_PROJECT_REF is not set: ${JOB_ID} will exit 2 until it is (set it and re-run)" >&2
  fi
  run_flags=(
    --project "$PROJECT" --region "$REGION" --image "$image"
    --set-env-vars "$env_vars"
  )
  # a job that reads no secret (e.g. BigQuery only) gets none
  [[ "$JOB_SECRETS" == - ]] || run_flags+=(--set-secrets "$(secret_flags "$JOB_SECRETS")")
  run_flags+=(
    --service-account "$RUNTIME_SA"
    --tasks 1 --max-retries "$JOB_RETRIES" --task-timeout "${JOB_TIMEOUT}s"
    --memory "$JOB_MEMORY" --cpu "$JOB_CPU" --quiet
  )
  if gcloud run jobs describe "$JOB_RESOURCE" --project "$PROJECT" --region "$REGION" --format 'value(name)' >/dev/null 2>&1; then
    echo "Cloud Run Job ${JOB_RESOURCE}: update"
    gcloud run jobs update "$JOB_RESOURCE" "${run_flags[@]}"
  else
    echo "Cloud Run Job ${JOB_RESOURCE}: create"
    gcloud run jobs create "$JOB_RESOURCE" "${run_flags[@]}"
  fi

  [[ "$JOB_SCHEDULE" != - ]] || continue
  scheduler_flags=(
    --project "$PROJECT" --location "$REGION"
    --schedule "$JOB_SCHEDULE" --time-zone "$JOB_TIME_ZONE"
    --uri "https://${REGION}-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/${PROJECT}/jobs/${JOB_RESOURCE}:run"
    --http-method POST
    --oauth-service-account-email "$SCHEDULER_SA"
    --oauth-token-scope https://www.googleapis.com/auth/cloud-platform
    --quiet
  )
  if gcloud scheduler jobs describe "$JOB_RESOURCE" --project "$PROJECT" --location "$REGION" --format 'value(name)' >/dev/null 2>&1; then
    echo "Scheduler trigger ${JOB_RESOURCE} (${JOB_SCHEDULE} ${JOB_TIME_ZONE}): update"
    gcloud scheduler jobs update http "$JOB_RESOURCE" "${scheduler_flags[@]}"
  else
    echo "Scheduler trigger ${JOB_RESOURCE} (${JOB_SCHEDULE} ${JOB_TIME_ZONE}): create"
    gcloud scheduler jobs create http "$JOB_RESOURCE" "${scheduler_flags[@]}"
  fi
  # A gated trigger (the billing ones) stays paused until its gate is open; other triggers keep the
  # state an operator gave them.
  if [[ "$JOB_GATE" == billing-endpoint ]]; then
    if [[ "$billing_ready" == true ]]; then
      gcloud scheduler jobs resume "$JOB_RESOURCE" --project "$PROJECT" --location "$REGION" --quiet
    else
      echo "Scheduler trigger ${JOB_RESOURCE}: paused until the billing endpoint exists (--billing-endpoint-ready)"
      gcloud scheduler jobs pause "$JOB_RESOURCE" --project "$PROJECT" --location "$REGION" --quiet
    fi
  elif [[ "$JOB_GATE" != - ]]; then
    die "jobs.tsv: unknown gate '$JOB_GATE' for $JOB_ID"
  fi
done < <(job_rows)
echo "Done: ${ENVIRONMENT} (${PROJECT}, ${REGION})."
