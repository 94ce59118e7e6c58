# shellcheck shell=bash
# Shared by the gcloud scripts beside it: the environment map, the job table (jobs.tsv, generated
# from the catalog and the routes), and the confirmation that prod always asks for.

JOBS_TSV="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/jobs.tsv"
# Region of the Cloud Run Jobs, Scheduler triggers and Artifact Registry; override with CLOUDACT_REGION.
REGION="${CLOUDACT_REGION:-us-central1}"
export REGION

die() {
  echo "error: $*" >&2
  exit 2
}

# use_environment ENV: sets ENVIRONMENT, PROJECT, the secret names' suffixes, the Cloud Run job name
# suffix and the service accounts. test and stage share one project, so their jobs carry a suffix.
use_environment() {
  case "${1:-}" in
    test | stage | staging)
      ENVIRONMENT="${1/staging/stage}"
      PROJECT=cloudact-testing-1
      SECRET_SUFFIX=-test
      SUPABASE_SUFFIX=-stage
      NAME_SUFFIX="-${ENVIRONMENT}"
      ;;
    prod | production)
      ENVIRONMENT=prod
      PROJECT=cloudact-prod
      SECRET_SUFFIX=-prod
      SUPABASE_SUFFIX=-prod
      NAME_SUFFIX=""
      ;;
    local)
      die "'local' is not deployed: run a job on this machine with JOB_ID=<job> java -jar target/scheduler-jobs.jar (docs/deploy.md). Use test, stage or prod."
      ;;
    "")
      die "no environment given: use test, stage or prod."
      ;;
    *)
      die "unknown environment '$1': use test, stage or prod."
      ;;
  esac
  RUNTIME_SA="cloudact-jobs@${PROJECT}.iam.gserviceaccount.com"
  SCHEDULER_SA="cloudact-scheduler@${PROJECT}.iam.gserviceaccount.com"
  export ENVIRONMENT PROJECT SECRET_SUFFIX SUPABASE_SUFFIX NAME_SUFFIX RUNTIME_SA SCHEDULER_SA
}

# job_rows: the rows of jobs.tsv without its comment lines.
job_rows() {
  grep -v '^#' "$JOBS_TSV"
}

# resolve_job NAME: sets the JOB_* variables of the job whose id, long name or Cloud Run name is NAME.
resolve_job() {
  local wanted="$1" id name schedule tz timeout retries memory cpu secrets gate
  while IFS=$'\t' read -r id name schedule tz timeout retries memory cpu secrets gate; do
    if [[ "$wanted" == "$id" || "$wanted" == "$name" || "$wanted" == "${name}${NAME_SUFFIX}" ]]; then
      JOB_ID="$id" JOB_NAME="$name" JOB_SCHEDULE="$schedule" JOB_TIME_ZONE="$tz" JOB_TIMEOUT="$timeout"
      JOB_RETRIES="$retries" JOB_MEMORY="$memory" JOB_CPU="$cpu" JOB_SECRETS="$secrets" JOB_GATE="$gate"
      JOB_RESOURCE="${name}${NAME_SUFFIX}"
      export JOB_ID JOB_NAME JOB_SCHEDULE JOB_TIME_ZONE JOB_TIMEOUT JOB_RETRIES JOB_MEMORY JOB_CPU JOB_SECRETS JOB_GATE JOB_RESOURCE
      return 0
    fi
  done < <(job_rows)
  echo "error: unknown job '$wanted'. Jobs (short name, long name):" >&2
  job_rows | cut -f1,2 | sed 's/^/  /' >&2
  exit 2
}

# confirm_prod WHAT: in prod, goes on only after the answer "yes" (typed, or piped on stdin);
# anything else, including no input at all, aborts before any change.
confirm_prod() {
  [[ "$ENVIRONMENT" == prod ]] || return 0
  local answer=""
  printf 'PROD (%s): %s. Type yes to go on: ' "$PROJECT" "$1" >&2
  IFS= read -r answer || true
  if [[ "$answer" != yes ]]; then
    echo >&2
    echo "Aborted: prod needs the answer 'yes' (or: echo yes | $(basename "$0") ...). Nothing was changed." >&2
    exit 1
  fi
}

# trigger_verb VERB ENV JOB: pauses or resumes the Cloud Scheduler trigger of a scheduled job (the
# Cloud Run Job itself is untouched); the body of pause-job.sh and resume-job.sh.
trigger_verb() {
  local verb="$1"
  shift
  if [[ $# -ne 2 ]]; then
    echo "Usage: ${verb}-job.sh ENV JOB    (ENV: test | stage | prod; JOB: short or long name)" >&2
    exit 2
  fi
  use_environment "$1"
  resolve_job "$2"
  [[ "$JOB_SCHEDULE" != - ]] || die "${JOB_ID} is a manual job: it has no trigger to ${verb}."
  confirm_prod "${verb} the trigger ${JOB_RESOURCE}"
  gcloud scheduler jobs "$verb" "$JOB_RESOURCE" --project "$PROJECT" --location "$REGION" --quiet
}
