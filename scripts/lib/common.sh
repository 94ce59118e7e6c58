# shellcheck shell=bash
# Shared by the gcloud scripts beside it. A pack's jobs and environments come from two tables that
# scripts/generate-deploy-files.sh writes from the job files and pack.properties:
#   scripts/packs/<pack>.tsv               one row per job: its names per environment, schedule, deploy
#                                          facts, the settings it needs
#   scripts/packs/<pack>.environments.tsv  one row per environment: project, region, image, service
#                                          accounts, Secret Manager secrets, where settings are looked up
# plus, with --routes DIR, the table of the jobs from a ROUTES_DIR (generate-deploy-files.sh --routes-dir).
# Here: choosing the pack and the environment, reading a job, trigger or service without guessing (only
# NOT_FOUND means missing), the settings and secrets a job gets, and the confirmations prod asks for.

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The columns the scripts read, as the tables' header lines name them: a table of another shape (from
# another version of the generator) is refused, never misread.
JOB_COLUMNS="id name name_test name_stage name_prod schedule time_zone timeout_seconds runner_deadline_seconds retries memory cpu tasks secrets gate settings method url body auth description"
ENVIRONMENT_COLUMNS="environment stage project region image runtime_service_account scheduler_service_account secrets lookups"

die() {
  echo "error: $*" >&2
  exit 2
}

# check_columns TABLE COLUMNS: stops unless the table's header line names exactly these columns.
check_columns() {
  local header
  header="$(grep -m1 "^# ${2%% *}"$'\t' "$1" || true)"
  header="${header#\# }"
  [[ "${header//$'\t'/ }" == "$2" ]] ||
    die "${1#"$SCRIPTS_DIR"/}: its columns are not the ones these scripts read (${2}); regenerate it with scripts/generate-deploy-files.sh"
}

# use_pack NAME: the pack whose tables the scripts read.
use_pack() {
  PACK="$1"
  JOBS_TSV="${SCRIPTS_DIR}/packs/${PACK}.tsv"
  ENVIRONMENTS_TSV="${SCRIPTS_DIR}/packs/${PACK}.environments.tsv"
  if [[ ! "$PACK" =~ ^[a-z0-9-]{1,40}$ || ! -f "$JOBS_TSV" || ! -f "$ENVIRONMENTS_TSV" ]]; then
    local known
    known="$(cd "${SCRIPTS_DIR}/packs" && find . -name '*.environments.tsv' | sed 's#^\./##; s#\.environments\.tsv$##' | sort | paste -sd, -)"
    die "unknown pack '$1': use one of ${known//,/, } (the tables in scripts/packs/)"
  fi
  check_columns "$JOBS_TSV" "$JOB_COLUMNS"
  check_columns "$ENVIRONMENTS_TSV" "$ENVIRONMENT_COLUMNS"
  ROUTES_TSV=""
  export PACK
}

# use_routes DIR: the jobs from a ROUTES_DIR too, as scripts/generate-deploy-files.sh --routes-dir wrote
# them into DIR: DIR/<pack>.tsv (their rows) and DIR/component/routes/ (their job files).
use_routes() {
  ROUTES_OUT="${1%/}"
  ROUTES_TSV="${ROUTES_OUT}/${PACK}.tsv"
  ROUTES_FILES="${ROUTES_OUT}/component/routes"
  [[ -f "$ROUTES_TSV" && -d "$ROUTES_FILES" ]] ||
    die "--routes ${1}: no ${PACK}.tsv and component/routes/ there; write them with scripts/generate-deploy-files.sh --routes-dir DIR --pack ${PACK} --out ${1}"
  check_columns "$ROUTES_TSV" "$JOB_COLUMNS"
}

# take_common_options ARG...: takes --pack NAME (default cloudact) and --routes DIR out of the
# arguments, wherever they are, and leaves the others in ARGS; a script goes on with
#   take_common_options "$@"; set -- ${ARGS[@]+"${ARGS[@]}"}
take_common_options() {
  local pack=cloudact routes=""
  ARGS=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --pack)
        [[ $# -ge 2 && -n "$2" ]] || die "--pack needs a pack name, e.g. --pack validibot"
        pack="$2"
        shift
        ;;
      --routes)
        [[ $# -ge 2 && -n "$2" ]] || die "--routes needs the directory scripts/generate-deploy-files.sh --routes-dir wrote"
        routes="$2"
        shift
        ;;
      *) ARGS+=("$1") ;;
    esac
    shift
  done
  use_pack "$pack"
  [[ -z "$routes" ]] || use_routes "$routes"
}

# The default pack, for scripts that take no --pack (deploy-service.sh, serve-run.sh).
use_pack cloudact
# Region of the jobs, triggers and services: the environments table's, unless CLOUDACT_REGION is set.
REGION_OVERRIDE="${CLOUDACT_REGION:-}"

# use_environment ENV: the environment's row of the pack's environments table: ENVIRONMENT (test, stage
# or prod), STAGE (the pack's own name for it: validibot's test is dev), PROJECT, REGION, IMAGE,
# RUNTIME_SA (runs the jobs), SCHEDULER_SA (Cloud Scheduler calls as it), PACK_SECRETS
# (VARIABLE=secret,...), PACK_LOOKUPS (SETTING=source,...), and NAME_SUFFIX: what names of the service
# mode carry in an environment that shares its project (-<stage>, none in prod).
use_environment() {
  local wanted="${1:-}" environment region
  case "$wanted" in
    test | stage | prod) ;;
    staging) wanted=stage ;;
    production) wanted=prod ;;
    local)
      die "'local' is not deployed: run a job on this machine with PACK=${PACK} JOB_ID=<job> java -jar target/scheduler-jobs.jar (docs/deploy.md). Use test, stage or prod."
      ;;
    "") die "no environment given: use test, stage or prod." ;;
    *) die "unknown environment '$1': use test, stage or prod." ;;
  esac
  IFS=$'\t' read -r environment STAGE PROJECT region IMAGE RUNTIME_SA SCHEDULER_SA PACK_SECRETS PACK_LOOKUPS \
    < <(grep -v '^#' "$ENVIRONMENTS_TSV" | awk -F'\t' -v e="$wanted" '$1 == e') || true
  [[ "${environment:-}" == "$wanted" && -n "${PROJECT:-}" ]] || die "${ENVIRONMENTS_TSV#"$SCRIPTS_DIR"/}: no row for ${wanted}"
  ENVIRONMENT="$wanted"
  REGION="${REGION_OVERRIDE:-$region}"
  if [[ "$ENVIRONMENT" == prod ]]; then NAME_SUFFIX=""; else NAME_SUFFIX="-${STAGE}"; fi
  declare -gA SETTING_VALUES=()
  export ENVIRONMENT STAGE PROJECT REGION IMAGE RUNTIME_SA SCHEDULER_SA PACK_SECRETS PACK_LOOKUPS NAME_SUFFIX
}

# job_rows: the rows of the job table (and of the ROUTES_DIR table, with --routes), without comments.
job_rows() {
  grep -h -v -e '^#' -e '^$' "$JOBS_TSV" ${ROUTES_TSV:+"$ROUTES_TSV"}
}

# resolve_job NAME: sets the JOB_* variables of the job whose id, long name or deployed name in the
# environment (name_<env>, JOB_RESOURCE: its Cloud Run Job and Scheduler trigger) is NAME.
resolve_job() {
  local wanted="$1" id name name_test name_stage name_prod schedule tz timeout deadline retries memory cpu tasks secrets gate settings method url body auth description resource
  while IFS=$'\t' read -r id name name_test name_stage name_prod schedule tz timeout deadline retries memory cpu tasks secrets gate settings method url body auth description; do
    case "$ENVIRONMENT" in test) resource="$name_test" ;; stage) resource="$name_stage" ;; *) resource="$name_prod" ;; esac
    if [[ "$wanted" == "$id" || "$wanted" == "$name" || "$wanted" == "$resource" ]]; then
      JOB_ID="$id" JOB_NAME="$name" JOB_RESOURCE="$resource" JOB_SCHEDULE="$schedule" JOB_TIME_ZONE="$tz"
      JOB_TIMEOUT="$timeout" JOB_DEADLINE="$deadline" JOB_RETRIES="$retries" JOB_MEMORY="$memory" JOB_CPU="$cpu" JOB_TASKS="$tasks"
      JOB_SECRETS="$secrets" JOB_GATE="$gate" JOB_SETTINGS="$settings" JOB_METHOD="$method" JOB_URL="$url"
      JOB_BODY="$body" JOB_AUTH="$auth" JOB_DESCRIPTION="$description" JOB_FROM_ROUTES=false
      if [[ -n "${ROUTES_TSV:-}" ]] && cut -f1 "$ROUTES_TSV" | grep -qxF -- "$id"; then JOB_FROM_ROUTES=true; fi
      export JOB_ID JOB_NAME JOB_RESOURCE JOB_SCHEDULE JOB_TIME_ZONE JOB_TIMEOUT JOB_DEADLINE JOB_RETRIES JOB_MEMORY JOB_CPU JOB_TASKS \
        JOB_SECRETS JOB_GATE JOB_SETTINGS JOB_METHOD JOB_URL JOB_BODY JOB_AUTH JOB_DESCRIPTION JOB_FROM_ROUTES
      return 0
    fi
  done < <(job_rows)
  echo "error: unknown job '$wanted' in ${PACK}. Jobs (id, long name, name in ${ENVIRONMENT}):" >&2
  job_rows | awk -F'\t' -v e="$ENVIRONMENT" '{ n = e == "test" ? $3 : e == "stage" ? $4 : $5; print "  " $1 "\t" $2 "\t" n }' >&2
  exit 2
}

# secret_of VARIABLE: sets SECRET to the Secret Manager secret the environment gives VARIABLE
# (pack.properties: %<env>.secret.VARIABLE = gcp:<secret>); stops when there is none.
secret_of() {
  local pair
  for pair in ${PACK_SECRETS//,/ }; do
    if [[ "${pair%%=*}" == "$1" ]]; then
      SECRET="${pair#*=}"
      export SECRET
      return 0
    fi
  done
  die "${ENVIRONMENTS_TSV#"$SCRIPTS_DIR"/}: no Secret Manager secret for $1 in ${ENVIRONMENT} (add %${ENVIRONMENT}.secret.$1 = gcp:<secret> to packs/${PACK}/pack.properties and regenerate)"
}

# setting_value NAME: sets SETTING to the value the jobs get for the setting NAME (WORKER_URL,
# SUPABASE_URL): the operator's variable NAME when set, else the environment's lookup
# (cloud-run-service:S: the URL of the Cloud Run service S); neither stops the script. Looked up once.
setting_value() {
  local name="$1" pair source=""
  if [[ -n "${SETTING_VALUES[$name]:-}" ]]; then
    SETTING="${SETTING_VALUES[$name]}"
    return 0
  fi
  SETTING="${!name:-}"
  if [[ -z "$SETTING" ]]; then
    for pair in ${PACK_LOOKUPS//,/ }; do
      [[ "${pair%%=*}" != "$name" ]] || source="${pair#*=}"
    done
    case "$source" in
      cloud-run-service:*) service_url "${source#cloud-run-service:}" "$name" && SETTING="$SERVICE_URL" ;;
      "") die "${JOB_ID:-a job} needs ${name}, which has no value in ${ENVIRONMENT} and no lookup: set ${name} (export ${name}=...) and re-run. Nothing was changed." ;;
      *) die "${ENVIRONMENTS_TSV#"$SCRIPTS_DIR"/}: unknown lookup '${source}' for ${name}" ;;
    esac
  fi
  # the scripts pass variables as NAME=value,NAME=value: a comma would cut the value
  [[ "$SETTING" != *,* ]] || die "${name}: '${SETTING}' holds a comma, which the deploy cannot pass on; nothing was changed."
  SETTING_VALUES[$name]="$SETTING"
}

# service_url SERVICE SETTING: sets SERVICE_URL to the URL of a Cloud Run service of the environment.
# NOT_FOUND stops with what to do; any other failure prints gcloud's message and stops with exit 1.
service_url() {
  local service="$1" setting="$2" err
  err="$(mktemp)"
  if SERVICE_URL="$(gcloud run services describe "$service" --project "$PROJECT" --region "$REGION" \
    --format 'value(status.url)' 2>"$err" </dev/null)"; then
    rm -f "$err"
    [[ "$SERVICE_URL" == http*://* ]] ||
      die "the Cloud Run service ${service} (${PROJECT}, ${REGION}) has no URL yet: set ${setting}, or re-run once it is ready. Nothing was changed."
    return 0
  fi
  if grep -q "Cannot find service \[${service}\]" "$err"; then
    rm -f "$err"
    die "${setting}: the Cloud Run service ${service} does not exist in ${PROJECT} (${REGION}): deploy it first, or set ${setting}. Nothing was changed."
  fi
  cat "$err" >&2
  rm -f "$err"
  echo "error: could not read the Cloud Run service ${service} (${PROJECT}, ${REGION}) for ${setting}: stopped, nothing was changed." >&2
  exit 1
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

# confirm_typed QUESTION ANSWER: goes on only when the line typed (or piped) is ANSWER, in any environment.
confirm_typed() {
  local answer=""
  printf '%s (%s %s, project %s). Type %s to go on: ' "$1" "$PACK" "$ENVIRONMENT" "$PROJECT" "$2" >&2
  IFS= read -r answer || true
  [[ -t 0 ]] || echo >&2 # an answer piped in leaves no new line after the question
  if [[ "$answer" != "$2" ]]; then
    echo "Aborted: the answer was not '$2'. Nothing was changed." >&2
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

# differences WANTED EXISTING: sets DIFF_FLAGS (gcloud flags for the wanted lines that differ) and
# DIFF_NAMES (what differs, for the report). WANTED and EXISTING hold one "key=value" a line: the key is
# a gcloud flag, or env: or secret: and a variable name. Lines only in EXISTING are left alone on purpose.
differences() {
  local line key value env_vars="" secrets=""
  DIFF_FLAGS=() DIFF_NAMES=()
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    grep -qxF -- "$line" <<<"$2" && continue
    key="${line%%=*}" value="${line#*=}"
    case "$key" in
      env:*) env_vars+="${env_vars:+,}${key#env:}=${value}" DIFF_NAMES+=("${key#env:}") ;;
      secret:*) secrets+="${secrets:+,}${key#secret:}=${value}" DIFF_NAMES+=("${key#secret:}") ;;
      *) DIFF_FLAGS+=("--${key}" "$value") DIFF_NAMES+=("$key") ;;
    esac
  done <<<"$1"
  [[ -z "$env_vars" ]] || DIFF_FLAGS+=(--update-env-vars "$env_vars")
  [[ -z "$secrets" ]] || DIFF_FLAGS+=(--update-secrets "$secrets")
}

# create_flags WANTED: every wanted line as a gcloud create flag.
create_flags() {
  local line key value env_vars="" secrets=""
  CREATE_FLAGS=()
  while IFS= read -r line; do
    key="${line%%=*}" value="${line#*=}"
    case "$key" in
      env:*) env_vars+="${env_vars:+,}${key#env:}=${value}" ;;
      secret:*) secrets+="${secrets:+,}${key#secret:}=${value}" ;;
      *) CREATE_FLAGS+=("--${key}" "$value") ;;
    esac
  done <<<"$1"
  [[ -z "$env_vars" ]] || CREATE_FLAGS+=(--set-env-vars "$env_vars")
  [[ -z "$secrets" ]] || CREATE_FLAGS+=(--set-secrets "$secrets")
}

# trigger_verb VERB [--pack NAME] ENV JOB|--all: pauses or resumes Cloud Scheduler triggers (the Cloud
# Run Jobs are untouched); the body of pause-job.sh and resume-job.sh. A trigger already in the wanted
# state is left alone (the API refuses to pause a paused one), so both are safe to re-run. --all (pause
# only, for a rollback) pauses every trigger of the table that is running.
trigger_verb() {
  local verb="$1" want done_word names=() name states=() state i changes=0
  shift
  take_common_options "$@"
  set -- ${ARGS[@]+"${ARGS[@]}"}
  if [[ $# -ne 2 ]]; then
    echo "Usage: ${verb}-job.sh ENV JOB$([[ "$verb" == pause ]] && echo '|--all') [--pack NAME] [--routes DIR]    (ENV: test | stage | prod; JOB: id, long or deployed name)" >&2
    exit 2
  fi
  if [[ "$verb" == pause ]]; then want=PAUSED done_word=paused; else want=ENABLED done_word=resumed; fi
  use_environment "$1"
  if [[ "$2" == --all && "$verb" == pause ]]; then
    local id schedule
    while IFS=$'\t' read -r id _ _ _ _ schedule _; do
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
