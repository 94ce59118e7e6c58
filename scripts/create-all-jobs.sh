#!/usr/bin/env bash
# Creates or updates one Cloud Run Job per row of the job table (JOBS_TSV, generated from the catalog
# and the routes) and one Cloud Scheduler trigger per scheduled job. Made to be re-run every deploy:
#   1. it reads every job and trigger first (describe); a failure other than NOT_FOUND stops it
#      before anything is changed;
#   2. it compares the fields it manages and plans only what differs: create what is missing,
#      update the fields that differ (env vars and secrets with --update-*, so a value set by an
#      earlier run is never dropped), nothing for what already matches;
#   3. in prod it shows the plan and asks; then it applies it, one line per job and trigger, and
#      ends with a table. Exit 1 if any step failed.
# A trigger's paused or enabled state is only changed by an explicit flag (--billing-endpoint-ready).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat >&2 <<USAGE
Usage: $(basename "$0") ENV [--billing-endpoint-ready] [--image IMAGE] [--dry-run]
  ENV                       test | stage | prod (prod shows what will change and asks: type or pipe "yes")
  --billing-endpoint-ready  the frontend's billing endpoint exists: open the billing-endpoint gate, i.e.
                            create the billing triggers (billing-retry, reconcile) or resume them if paused.
                            Without it they are not created (Cloud Scheduler cannot create a paused
                            trigger), and existing ones keep whatever state they have.
  --image IMAGE             image to deploy (default: the ENV tag pushed by cloudbuild-jobs.yaml);
                            a previous tag rolls back (docs/deploy.md)
  --dry-run                 read what exists, print the exact gcloud commands that would change
                            something, run none of them
Optional input: SUPABASE_PROJECT_REF (jobs that use Supabase). Unset, the value already on the job
is kept; a job created without it exits 2 until it is set (a warning says so).
USAGE
  exit 2
}

[[ $# -ge 1 ]] || usage
env_name="$1"
shift
open_gates=" "
image=""
dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --billing-endpoint-ready) open_gates+="billing-endpoint " ;;
    --image)
      [[ $# -ge 2 ]] || usage
      image="$2"
      shift
      ;;
    --dry-run) dry_run=true ;;
    -h | --help) usage ;;
    *) echo "error: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

use_environment "$env_name"
image="${image:-${REGION}-docker.pkg.dev/${PROJECT}/cloudact/cloudact-jobs:${ENVIRONMENT}}"
KNOWN_GATES=" billing-endpoint "

# secret_lines LIST: "secret:VAR=SECRET:latest" for the comma-separated variable names of the table.
secret_lines() {
  local secret
  for secret in ${1//,/ }; do
    case "$secret" in
      -) ;; # the job reads no secret (e.g. BigQuery only)
      CA_ROOT_API_KEY) echo "secret:CA_ROOT_API_KEY=ca-root-api-key${SECRET_SUFFIX}:latest" ;;
      SUPABASE_ACCESS_TOKEN) echo "secret:SUPABASE_ACCESS_TOKEN=supabase-access-token${SUPABASE_SUFFIX}:latest" ;;
      *) die "${JOBS_TSV##*/}: no Secret Manager secret known for $secret" ;;
    esac
  done
}

# wanted_job: the managed fields of the current job (JOB_* from resolve_job), one "key=value" a line;
# the key is the gcloud flag, or env:/secret: and the variable name.
wanted_job() {
  # the runner's own deadline, inside the task timeout, so its summary line is still written
  local deadline=$((JOB_TIMEOUT - 30 > JOB_TIMEOUT * 9 / 10 ? JOB_TIMEOUT - 30 : JOB_TIMEOUT * 9 / 10))
  printf '%s\n' "image=${image}" "service-account=${RUNTIME_SA}" "tasks=1" "max-retries=${JOB_RETRIES}" \
    "task-timeout=${JOB_TIMEOUT}s" "memory=${JOB_MEMORY}" "cpu=${JOB_CPU}" \
    "env:JOB_ID=${JOB_ID}" "env:ENVIRONMENT=${ENVIRONMENT}" "env:GCP_PROJECT_ID=${PROJECT}" "env:JOB_TIMEOUT=${deadline}"
  # jobs that talk to Supabase need its project: not a secret, but it differs per environment
  if [[ ",${JOB_SECRETS}," == *",SUPABASE_ACCESS_TOKEN,"* && -n "${SUPABASE_PROJECT_REF:-}" ]]; then
    echo "env:SUPABASE_PROJECT_REF=${SUPABASE_PROJECT_REF}"
  fi
  secret_lines "$JOB_SECRETS"
}

# existing_job: the same lines read from DESCRIBED (a Cloud Run Admin v1 Job, flattened). JSON omits
# zero values, so a missing maxRetries is 0 and a missing taskCount 1; "1000m" CPU is 1.
existing_job() {
  awk '
    function put(k, v) { out[k] = v }
    { i = index($0, ": "); if (i == 0) { i = index($0, ":"); key = substr($0, 1, i - 1); val = "" }
      else { key = substr($0, 1, i - 1); val = substr($0, i + 2) } }
    key == "spec.template.spec.taskCount" { put("tasks", val) }
    key == "spec.template.spec.template.spec.maxRetries" { put("max-retries", val) }
    key == "spec.template.spec.template.spec.timeoutSeconds" { put("task-timeout", val "s") }
    key == "spec.template.spec.template.spec.serviceAccountName" { put("service-account", val) }
    index(key, "spec.template.spec.template.spec.containers[0].") == 1 {
      sub(/^spec\.template\.spec\.template\.spec\.containers\[0\]\./, "", key)
      if (key == "image") put("image", val)
      else if (key == "resources.limits.memory") put("memory", val)
      else if (key == "resources.limits.cpu") put("cpu", (val ~ /^[0-9]+000m$/) ? substr(val, 1, length(val) - 4) : val)
      else if (match(key, /^env\[[0-9]+\]\./)) {
        n = substr(key, 5, RLENGTH - 6); sub(/^env\[[0-9]+\]\./, "", key); env[n, key] = val; envs[n] = 1
      }
    }
    END {
      if (!("tasks" in out)) out["tasks"] = 1
      if (!("max-retries" in out)) out["max-retries"] = 0
      for (k in out) print k "=" out[k]
      for (n in envs) {
        if ((n, "valueFrom.secretKeyRef.name") in env)
          print "secret:" env[n, "name"] "=" env[n, "valueFrom.secretKeyRef.name"] ":" env[n, "valueFrom.secretKeyRef.key"]
        else print "env:" env[n, "name"] "=" env[n, "value"]
      }
    }' <<<"$DESCRIBED"
}

# wanted_trigger / existing_trigger: the managed fields of a Scheduler trigger; keys are gcloud flags.
wanted_trigger() {
  printf '%s\n' "schedule=${JOB_SCHEDULE}" "time-zone=${JOB_TIME_ZONE}" \
    "uri=https://${REGION}-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/${PROJECT}/jobs/${JOB_RESOURCE}:run" \
    "http-method=POST" "oauth-service-account-email=${SCHEDULER_SA}" \
    "oauth-token-scope=https://www.googleapis.com/auth/cloud-platform"
}
existing_trigger() {
  printf '%s\n' "schedule=$(field schedule)" "time-zone=$(field timeZone)" "uri=$(field httpTarget.uri)" \
    "http-method=$(field httpTarget.httpMethod)" \
    "oauth-service-account-email=$(field httpTarget.oauthToken.serviceAccountEmail)" \
    "oauth-token-scope=$(field httpTarget.oauthToken.scope)"
}

# differences WANTED EXISTING: sets DIFF_FLAGS (gcloud flags for the wanted lines that differ) and
# DIFF_NAMES (what differs, for the report). Lines only in EXISTING are left alone on purpose.
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

# The plan: parallel arrays, one entry per step. STEP_ROW indexes the table rows (ROW_*), STEP_KIND is
# job or trigger, STEP_VERB the result word once done (created, updated (...), resumed, unchanged...),
# STEP_CMD the gcloud command (shell-quoted; empty when there is nothing to do).
ROW_ID=() ROW_RESOURCE=() ROW_JOB=() ROW_TRIGGER=()
STEP_ROW=() STEP_KIND=() STEP_VERB=() STEP_CMD=()
WARNINGS=()
writes=0

plan() {
  local row="$1" kind="$2" verb="$3"
  shift 3
  STEP_ROW+=("$row") STEP_KIND+=("$kind") STEP_VERB+=("$verb")
  if [[ $# -gt 0 ]]; then
    STEP_CMD+=("$(shell_quote "$@")")
    writes=$((writes + 1))
  else
    STEP_CMD+=("")
  fi
}

joined() { local IFS=', '; echo "$*"; }

row=0
run_where=(--project "$PROJECT" --region "$REGION")
scheduler_where=(--project "$PROJECT" --location "$REGION")
while IFS=$'\t' read -r id _; do
  resolve_job "$id"
  [[ "$JOB_GATE" == - || "$KNOWN_GATES" == *" $JOB_GATE "* ]] || die "${JOBS_TSV##*/}: unknown gate '$JOB_GATE' for $JOB_ID"
  ROW_ID+=("$JOB_ID") ROW_RESOURCE+=("$JOB_RESOURCE") ROW_JOB+=("") ROW_TRIGGER+=("")
  wanted="$(wanted_job)"

  # --- the Cloud Run Job
  if describe run "$JOB_RESOURCE"; then
    existing="$(existing_job)"
    differences "$wanted" "$existing"
    if [[ ${#DIFF_FLAGS[@]} -eq 0 ]]; then
      plan "$row" job unchanged
    else
      plan "$row" job "updated ($(joined "${DIFF_NAMES[@]}"))" \
        gcloud run jobs update "$JOB_RESOURCE" "${run_where[@]}" "${DIFF_FLAGS[@]}" --quiet --format none
    fi
    has_supabase_ref=$(grep -c '^env:SUPABASE_PROJECT_REF=' <<<"$existing" || true)
  else
    create_flags "$wanted"
    plan "$row" job created gcloud run jobs create "$JOB_RESOURCE" "${run_where[@]}" "${CREATE_FLAGS[@]}" --quiet --format none
    has_supabase_ref=0
  fi
  if [[ ",${JOB_SECRETS}," == *",SUPABASE_ACCESS_TOKEN,"* && -z "${SUPABASE_PROJECT_REF:-}" ]]; then
    if [[ "$has_supabase_ref" -gt 0 ]]; then
      WARNINGS+=("SUPABASE_PROJECT_REF is not set: ${JOB_RESOURCE} keeps the value it has.")
    else
      WARNINGS+=("SUPABASE_PROJECT_REF is not set and ${JOB_RESOURCE} has none: ${JOB_ID} exits 2 until it is (set it and re-run).")
    fi
  fi

  # --- its Scheduler trigger (scheduled jobs only)
  if [[ "$JOB_SCHEDULE" != - ]]; then
    gate_open=true
    [[ "$JOB_GATE" == - || "$open_gates" == *" $JOB_GATE "* ]] || gate_open=false
    wanted="$(wanted_trigger)"
    if describe scheduler "$JOB_RESOURCE"; then
      state="$(field state)"
      differences "$wanted" "$(existing_trigger)"
      if [[ ${#DIFF_FLAGS[@]} -gt 0 ]]; then
        # a patch names its fields (updateMask): it never touches the paused/enabled state
        plan "$row" trigger "updated ($(joined "${DIFF_NAMES[@]}")), ${state}" \
          gcloud scheduler jobs update http "$JOB_RESOURCE" "${scheduler_where[@]}" "${DIFF_FLAGS[@]}" --quiet --format none
      fi
      if [[ "$JOB_GATE" != - && "$gate_open" == true && "$state" == PAUSED ]]; then
        plan "$row" trigger "resumed (gate ${JOB_GATE} open)" \
          gcloud scheduler jobs resume "$JOB_RESOURCE" "${scheduler_where[@]}" --quiet --format none
      elif [[ ${#DIFF_FLAGS[@]} -eq 0 ]]; then
        # an operator's pause (or resume) is theirs: reported, never reverted
        if [[ "$state" == ENABLED ]]; then plan "$row" trigger unchanged; else plan "$row" trigger "unchanged, ${state}"; fi
      fi
    elif [[ "$gate_open" == true ]]; then
      create_flags "$wanted"
      plan "$row" trigger "created, ENABLED" \
        gcloud scheduler jobs create http "$JOB_RESOURCE" "${scheduler_where[@]}" "${CREATE_FLAGS[@]}" --quiet --format none
    else
      # Cloud Scheduler has no way to create a trigger paused: it is created when its gate opens
      plan "$row" trigger "waiting for gate ${JOB_GATE} (not created until --${JOB_GATE}-ready)"
    fi
  else
    ROW_TRIGGER[row]="- (manual)"
  fi
  row=$((row + 1))
done < <(job_rows)

# --- dry run: the commands, and nothing else runs
if [[ "$dry_run" == true ]]; then
  for i in "${!STEP_CMD[@]}"; do
    [[ -z "${STEP_CMD[$i]}" ]] || echo "${STEP_CMD[$i]}"
  done
  echo "Dry run: ${writes} command(s) above not run; ${ENVIRONMENT} (${PROJECT}, ${REGION}) is unchanged."
fi

if [[ "$dry_run" == false && $writes -gt 0 && "$ENVIRONMENT" == prod ]]; then
  for i in "${!STEP_CMD[@]}"; do
    [[ -z "${STEP_CMD[$i]}" ]] || printf '  %-7s %-40s %s\n' "${STEP_KIND[$i]}" "${ROW_RESOURCE[${STEP_ROW[$i]}]}" "to be ${STEP_VERB[$i]}"
  done
  confirm_prod "${writes} change(s) above, image ${image}"
fi

# --- apply, one line per step
failed=0
err="$(mktemp)"
trap 'rm -f "$err"' EXIT
for i in "${!STEP_VERB[@]}"; do
  r="${STEP_ROW[$i]}" kind="${STEP_KIND[$i]}" verb="${STEP_VERB[$i]}" cmd="${STEP_CMD[$i]}" message=""
  if [[ "$dry_run" == true ]]; then
    [[ -z "$cmd" ]] || verb="to be ${verb}"
  elif [[ "$kind" == trigger && "${ROW_JOB[$r]}" == FAILED ]]; then
    verb="skipped (its job failed)"
  elif [[ -n "$cmd" ]] && ! eval "$cmd" 2>"$err"; then
    verb=FAILED message="$(sed 's/^/    /' "$err")" # gcloud's own message, shown under the line
    failed=1
  fi
  if [[ "$kind" == job ]]; then ROW_JOB[r]="$verb"; else ROW_TRIGGER[r]="$verb"; fi
  [[ "$dry_run" == true ]] || printf '%-7s %-40s %s\n' "$kind" "${ROW_RESOURCE[$r]}" "$verb"
  [[ -z "$message" ]] || echo "$message" >&2
done

for warning in ${WARNINGS[@]+"${WARNINGS[@]}"}; do
  echo "warning: $warning" >&2
done

# --- the final table
echo
printf '%-15s %-40s %-28s %s\n' JOB "CLOUD RUN JOB" "JOB STATUS" TRIGGER
for r in "${!ROW_ID[@]}"; do
  printf '%-15s %-40s %-28s %s\n' "${ROW_ID[$r]}" "${ROW_RESOURCE[$r]}" "${ROW_JOB[$r]}" "${ROW_TRIGGER[$r]}"
done
if [[ $failed -ne 0 ]]; then
  echo "FAILED: ${ENVIRONMENT} (${PROJECT}, ${REGION}): see the FAILED lines; fix and re-run (what succeeded is kept)." >&2
  exit 1
fi
echo "Done: ${ENVIRONMENT} (${PROJECT}, ${REGION}), image ${image}."
