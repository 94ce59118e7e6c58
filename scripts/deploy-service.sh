#!/usr/bin/env bash
# Creates or updates the jobs as one Cloud Run *service* in service mode (--serve), the alternative to
# one Cloud Run Job per job (docs/serve.md). Two ways to run it:
#   default  one instance always on (min instances 1, CPU always allocated) fires the jobs itself on
#            their cron (Quartz, clustered on the run-state database STATE_DB_URL)
#   --tick   scales to zero: the service has no triggers of its own (SERVE_SCHEDULER=tick); a Cloud
#            Scheduler job calls POST /cron/tick every minute with a Google-signed ID token
# Either way the service is private (IAM) and checks the caller's ID token itself (SERVE_AUTH=oidc).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat >&2 <<USAGE
Usage: $(basename "$0") ENV [--tick] [--allow EMAIL]...
  ENV            test | stage | prod (prod asks for confirmation: type or pipe "yes")
  --tick         scale to zero and let Cloud Scheduler call POST /cron/tick every minute
                 (default: one instance always on fires the jobs itself)
  --allow EMAIL  another caller (a service account) allowed to call POST /jobs/{id}/run; repeatable
USAGE
  exit 2
}

[[ $# -ge 1 ]] || usage
env_name="$1"
shift
tick=false
callers=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tick) tick=true ;;
    --allow)
      [[ $# -ge 2 ]] || usage
      callers+=("$2")
      shift
      ;;
    -h | --help) usage ;;
    *) echo "error: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

use_environment "$env_name"
service="cloudact-jobs-serve${NAME_SUFFIX}"
trigger="${service}-tick"
# the audience the callers' ID tokens carry: a name that does not depend on the service's generated URL
audience="$service"
image="${REGION}-docker.pkg.dev/${PROJECT}/cloudact/cloudact-jobs:${ENVIRONMENT}"
allowed="$SCHEDULER_SA"
for caller in ${callers[@]+"${callers[@]}"}; do
  allowed+=",${caller}"
done

if [[ "$tick" == true ]]; then
  scheduler=tick
  scaling=(--min-instances 0 --max-instances 2)
else
  scheduler=quartz
  # the triggers live in the instance: it must stay up and keep its CPU between requests
  scaling=(--min-instances 1 --max-instances 2 --no-cpu-throttling)
fi

confirm_prod "deploy the service ${service} (${scheduler})"

# "^;^" makes ';' the separator: SERVE_ALLOWED_EMAILS holds commas
env_vars="^;^ENVIRONMENT=${ENVIRONMENT};GCP_PROJECT_ID=${PROJECT};SERVE_SCHEDULER=${scheduler};SERVE_AUTH=oidc"
env_vars+=";SERVE_AUDIENCE=${audience};SERVE_ALLOWED_EMAILS=${allowed};SHUTDOWN_GRACE=8s"
if [[ -n "${SUPABASE_PROJECT_REF:-}" ]]; then
  env_vars+=";SUPABASE_PROJECT_REF=${SUPABASE_PROJECT_REF}"
fi
secrets="CA_ROOT_API_KEY=ca-root-api-key${SECRET_SUFFIX}:latest"
secrets+=",SUPABASE_ACCESS_TOKEN=supabase-access-token${SUPABASE_SUFFIX}:latest"
secrets+=",STATE_DB_URL=cloudact-jobs-state-db-url${NAME_SUFFIX}:latest"
secrets+=",STATE_DB_PASSWORD=cloudact-jobs-state-db-password${NAME_SUFFIX}:latest"

# SIGTERM gives the runs under way SHUTDOWN_GRACE (8 s, inside Cloud Run's 10 s before SIGKILL); a
# synchronous POST /jobs/{id}/run or a tick waits for its runs: the request timeout is the longest job's.
gcloud run deploy "$service" --project "$PROJECT" --region "$REGION" --image "$image" --args=--serve --port 8080 \
  --service-account "$RUNTIME_SA" --no-allow-unauthenticated "${scaling[@]}" --timeout 3600 --memory 1Gi --cpu 1 \
  --set-env-vars "$env_vars" --set-secrets "$secrets" --quiet
gcloud run services update "$service" --project "$PROJECT" --region "$REGION" --add-custom-audiences "$audience" --quiet
gcloud run services add-iam-policy-binding "$service" --project "$PROJECT" --region "$REGION" \
  --member "serviceAccount:${SCHEDULER_SA}" --role roles/run.invoker --quiet

trigger_exists=false
if gcloud scheduler jobs describe "$trigger" --project "$PROJECT" --location "$REGION" --format 'value(name)' >/dev/null 2>&1; then
  trigger_exists=true
fi
if [[ "$tick" == true ]]; then
  url="$(gcloud run services describe "$service" --project "$PROJECT" --region "$REGION" --format 'value(status.url)')"
  [[ "$url" == https://* ]] || die "cannot read the URL of ${service} (got '${url}')"
  verb=create
  [[ "$trigger_exists" == false ]] || verb=update
  # a tick waits for the runs it starts: the attempt deadline is Cloud Scheduler's longest
  gcloud scheduler jobs "$verb" http "$trigger" --project "$PROJECT" --location "$REGION" --schedule '* * * * *' \
    --time-zone Etc/UTC --uri "${url}/cron/tick" --http-method POST --oidc-service-account-email "$SCHEDULER_SA" \
    --oidc-token-audience "$audience" --attempt-deadline 30m --quiet
  if [[ "$trigger_exists" == true ]]; then
    gcloud scheduler jobs resume "$trigger" --project "$PROJECT" --location "$REGION" --quiet
  fi
elif [[ "$trigger_exists" == true ]]; then
  # the instance fires the jobs itself now: a tick left from --tick would only find them taken
  gcloud scheduler jobs pause "$trigger" --project "$PROJECT" --location "$REGION" --quiet
fi
echo "Deployed ${service} (${scheduler}); run a job now with: scripts/serve-run.sh ${ENVIRONMENT} JOB" >&2
