# shellcheck shell=bash
# Shared by the gcloud scripts beside it: the environment map, the job table (jobs.tsv, generated
# from the catalog and the routes), reading a job or trigger without guessing, and the confirmation
# that prod asks for before any change.

# The job table: every script reads the jobs through this one variable (and NAME_SUFFIX below names
# them per environment), so that another table can be switched in without touching the scripts.
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

# shell_quote ARG...: the arguments as one line a shell reads back as the same words (single quotes
# only where needed), for --dry-run output and for running a planned command later with eval.
shell_quote() {
  local arg out=""
  for arg in "$@"; do
    if [[ "$arg" =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then
      out+=" $arg"
    else
      out+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  printf '%s\n' "${out# }"
}

# describe run|scheduler NAME: reads one Cloud Run Job or Scheduler trigger into DESCRIBED (one
# "key: value" line per field, gcloud's flattened format) and returns 0; returns 3 when gcloud answers
# NOT_FOUND. Any other failure (permission denied, wrong project, network) is not "missing": it prints
# gcloud's own message and stops the script with exit 1, so nothing is ever created on a guess.
describe() {
  local kind="$1" name="$2" where err
  if [[ "$kind" == run ]]; then where=(--region "$REGION"); else where=(--location "$REGION"); fi
  err="$(mktemp)"
  # stdin from /dev/null: callers loop over the job table on stdin, which gcloud must not read
  if DESCRIBED="$(gcloud "$kind" jobs describe "$name" --project "$PROJECT" "${where[@]}" --format 'flattened[no-pad]' 2>"$err" </dev/null)"; then
    rm -f "$err"
    return 0
  fi
  DESCRIBED=""
  # gcloud's words for a 404: "Cannot find job [NAME]" (run) and "NOT_FOUND: ..." (scheduler)
  if grep -q -e "Cannot find job \[${name}\]" -e ') NOT_FOUND: ' "$err"; then
    rm -f "$err"
    return 3
  fi
  cat "$err" >&2
  rm -f "$err"
  echo "error: could not read the ${kind} job ${name} (${PROJECT}, ${REGION}): stopped, nothing was changed." >&2
  exit 1
}

# field KEY: the value of one key of DESCRIBED (empty when absent).
field() {
  awk -v k="$1: " 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }' <<<"$DESCRIBED"
}

# trigger_verb VERB ENV JOB|--all: pauses or resumes Cloud Scheduler triggers (the Cloud Run Jobs are
# untouched); the body of pause-job.sh and resume-job.sh. A trigger already in the wanted state is
# left alone (the API refuses to pause a paused one), so both are safe to re-run. --all (pause only,
# for a rollback) pauses every trigger of the table that is running.
trigger_verb() {
  local verb="$1" want done_word names=() name states=() state i changes=0
  shift
  if [[ $# -ne 2 ]]; then
    echo "Usage: ${verb}-job.sh ENV JOB$([[ "$verb" == pause ]] && echo '|--all')    (ENV: test | stage | prod; JOB: short or long name)" >&2
    exit 2
  fi
  if [[ "$verb" == pause ]]; then want=PAUSED done_word=paused; else want=ENABLED done_word=resumed; fi
  use_environment "$1"
  if [[ "$2" == --all && "$verb" == pause ]]; then
    local id schedule
    while IFS=$'\t' read -r id _ schedule _; do
      [[ "$schedule" == - ]] && continue
      resolve_job "$id"
      names+=("$JOB_RESOURCE")
    done < <(job_rows)
  else
    resolve_job "$2"
    [[ "$JOB_SCHEDULE" != - ]] || die "${JOB_ID} is a manual job: it has no trigger to ${verb}."
    names=("$JOB_RESOURCE")
  fi
  # read every trigger first: an unreadable one stops the script before anything changes
  for name in "${names[@]}"; do
    if describe scheduler "$name"; then state="$(field state)"; else state=MISSING; fi
    states+=("$state")
    [[ "$state" == MISSING || "$state" == "$want" ]] || changes=$((changes + 1))
  done
  if [[ $changes -gt 0 ]]; then
    confirm_prod "${verb} ${changes} trigger(s)"
  fi
  local failed=0 err
  err="$(mktemp)"
  for i in "${!names[@]}"; do
    name="${names[$i]}" state="${states[$i]}"
    if [[ "$state" == MISSING ]]; then
      printf 'trigger %s: does not exist (a gated trigger is created only when its gate opens)\n' "$name"
    elif [[ "$state" == "$want" ]]; then
      printf 'trigger %s: already %s\n' "$name" "$done_word"
    elif gcloud scheduler jobs "$verb" "$name" --project "$PROJECT" --location "$REGION" --quiet --format none 2>"$err"; then
      printf 'trigger %s: %s\n' "$name" "$done_word"
    else
      printf 'trigger %s: FAILED to %s (was %s)\n' "$name" "$verb" "$state"
      cat "$err" >&2
      failed=1
    fi
  done
  rm -f "$err"
  return "$failed"
}
