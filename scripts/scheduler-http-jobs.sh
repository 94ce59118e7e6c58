#!/usr/bin/env bash
# A pack's jobs as plain Cloud Scheduler HTTP jobs that call their target directly with an OIDC token
# (validibot's current setup), instead of Cloud Run Jobs running this image. Generated from the same
# job files: the scheduled jobs of scripts/packs/<pack>.tsv whose call authenticates with a Google ID
# token (auth oidc), in the environment of scripts/packs/<pack>.environments.tsv (project, region,
# scheduler service account, where a setting such as WORKER_URL is looked up). Like create-all-jobs.sh,
# apply reads every job first (only NOT_FOUND means "create it"; any other failure, or a setting with
# no value, stops it before anything changes), changes only the fields that differ, and in prod shows
# the plan and asks.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat >&2 <<USAGE
Usage: $(basename "$0") --pack NAME [--dry-run] ENV COMMAND [JOB]
  --pack NAME  the pack (e.g. validibot); only its jobs with an ID-token call are Scheduler HTTP jobs
  --dry-run    apply and delete-all: print the gcloud commands that would change something, change nothing
  ENV          test | stage | prod (the pack's own stage names: validibot's test is dev, stage is staging)
  COMMAND      apply        create or update every job (safe to re-run: an identical re-run changes nothing)
               list         the pack's Scheduler jobs in ENV (state, schedule, next run)
               run JOB      run one now (id, long name or deployed name)
               pause JOB    pause one;  resume JOB: resume it
               delete-all   delete every job of the pack in ENV (asks "delete"; prod asks the project id too)
  A setting the jobs call (e.g. WORKER_URL) is the variable's value when set, else what the environments
  table says (the URL of a Cloud Run service); neither stops before any change.
USAGE
  exit 2
}

take_common_options "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
dry_run=false
positional=()
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=true ;;
    -h | --help) usage ;;
    --*) echo "error: unknown option '$arg'" >&2; usage ;;
    *) positional+=("$arg") ;;
  esac
done
[[ ${#positional[@]} -ge 2 ]] || usage
use_environment "${positional[0]}"
command="${positional[1]}"
wanted_job="${positional[2]:-}"
where=(--project "$PROJECT" --location "$REGION")

# http_ids: the ids of the pack's scheduled jobs whose call carries a Google ID token
http_ids() {
  job_rows | awk -F'\t' '$20 == "oidc" && $6 != "-" { print $1 }'
}
mapfile -t IDS < <(http_ids)
[[ ${#IDS[@]} -gt 0 ]] ||
  die "pack ${PACK} has no scheduled job whose call authenticates with a Google ID token: deploy it as Cloud Run Jobs (create-all-jobs.sh ${ENVIRONMENT} --pack ${PACK})"

# resolve_http JOB: resolve_job, for a Scheduler HTTP job only
resolve_http() {
  [[ -n "$1" ]] || usage
  resolve_job "$1"
  [[ "$JOB_AUTH" == oidc && "$JOB_SCHEDULE" != - ]] ||
    die "${JOB_ID} is not a Scheduler HTTP job of ${PACK} (its call does not carry a Google ID token, or it is manual): use run-job.sh --pack ${PACK}"
}

# wanted_http: sets WANTED to the managed fields of the current job's Scheduler HTTP job, one
# "flag=value" a line. The URL's ${SETTING}s are filled in; the audience is the URL's base, as the
# runtime's own ID tokens have it; the attempt deadline is the job's timeout (Cloud Scheduler: at most 30m).
wanted_http() {
  local uri="$JOB_URL" name rest
  if [[ "$JOB_SETTINGS" != - ]]; then
    for name in ${JOB_SETTINGS//,/ }; do
      setting_value "$name"
      uri="${uri//\$\{${name}\}/${SETTING}}"
    done
  fi
  [[ "$uri" != *"\${"* ]] || die "${JOB_ID}: ${uri}: a setting in it has no value in ${ENVIRONMENT}"
  rest="${uri#*://}"
  WANTED="$(printf '%s\n' "schedule=${JOB_SCHEDULE}" "time-zone=${JOB_TIME_ZONE}" "uri=${uri}" "http-method=${JOB_METHOD}" \
    "oidc-service-account-email=${SCHEDULER_SA}" "oidc-token-audience=${uri%%://*}://${rest%%/*}" \
    "attempt-deadline=$((JOB_TIMEOUT > 1800 ? 1800 : JOB_TIMEOUT))s" "max-retry-attempts=${JOB_RETRIES}" \
    "description=${JOB_DESCRIPTION} (${JOB_ID})")"
  if [[ "$JOB_BODY" != - ]]; then
    WANTED+=$'\n'"message-body=${JOB_BODY}"$'\n'"headers=Content-Type=application/json"
  fi
}

# existing_http: the same lines read from DESCRIBED (a Cloud Scheduler v1 Job, flattened; the body is
# base64 there, and a retry count of 0 is omitted)
existing_http() {
  local body
  printf '%s\n' "schedule=$(field schedule)" "time-zone=$(field timeZone)" "uri=$(field httpTarget.uri)" \
    "http-method=$(field httpTarget.httpMethod)" "oidc-service-account-email=$(field httpTarget.oidcToken.serviceAccountEmail)" \
    "oidc-token-audience=$(field httpTarget.oidcToken.audience)" "attempt-deadline=$(field attemptDeadline)" \
    "max-retry-attempts=$(field retryConfig.retryCount | sed 's/^$/0/')" "description=$(field description)"
  body="$(field httpTarget.body)"
  [[ -z "$body" ]] || printf 'message-body=%s\n' "$(base64 -d <<<"$body")"
  [[ -z "$(field httpTarget.headers.Content-Type)" ]] || echo "headers=Content-Type=$(field httpTarget.headers.Content-Type)"
}

# run_or_print COMMAND...: runs a planned gcloud command quietly (its message shown if it fails), or
# with --dry-run prints it
run_or_print() {
  if [[ "$dry_run" == true ]]; then
    shell_quote "$@"
    return 0
  fi
  local err
  err="$(mktemp)"
  if "$@" >"$err" 2>&1; then
    rm -f "$err"
    return 0
  fi
  sed 's/^/    /' "$err" >&2
  rm -f "$err"
  return 1
}

case "$command" in
  apply)
    # read every job and look up every setting first; then plan
    names=() verbs=() commands=()
    for id in "${IDS[@]}"; do
      resolve_http "$id"
      wanted_http
      if describe scheduler "$JOB_RESOURCE"; then
        if [[ -n "$(field httpTarget.oauthToken.serviceAccountEmail)" ]]; then
          die "${JOB_RESOURCE} is the trigger of a Cloud Run Job (create-all-jobs.sh): delete it first (delete-all-jobs.sh ${ENVIRONMENT} --pack ${PACK}) to run ${PACK} as Scheduler HTTP jobs. Nothing was changed."
        fi
        differences "$WANTED" "$(existing_http)"
        if [[ ${#DIFF_FLAGS[@]} -eq 0 ]]; then
          verbs+=(unchanged) commands+=("")
        else
          # a patch names its fields (updateMask): it never touches the paused/enabled state
          DIFF_FLAGS=("${DIFF_FLAGS[@]/#--headers/--update-headers}")
          changed="$(printf '%s, ' "${DIFF_NAMES[@]}")"
          verbs+=("updated (${changed%, })")
          commands+=("$(shell_quote gcloud scheduler jobs update http "$JOB_RESOURCE" "${where[@]}" "${DIFF_FLAGS[@]}" --quiet)")
        fi
      else
        create_flags "$WANTED"
        verbs+=(created) commands+=("$(shell_quote gcloud scheduler jobs create http "$JOB_RESOURCE" "${where[@]}" "${CREATE_FLAGS[@]}" --quiet)")
      fi
      names+=("$JOB_RESOURCE")
    done
    changes="$(printf '%s\n' "${commands[@]}" | grep -c . || true)"
    if [[ "$dry_run" == true ]]; then
      printf '%s\n' "${commands[@]}" | grep . || true
      echo "Dry run: ${changes} command(s) above not run; ${PACK} ${ENVIRONMENT} (${PROJECT}, ${REGION}) is unchanged."
      exit 0
    fi
    if [[ "$changes" -gt 0 && "$ENVIRONMENT" == prod ]]; then
      for i in "${!names[@]}"; do
        [[ -z "${commands[$i]}" ]] || printf '  %-45s to be %s\n' "${names[$i]}" "${verbs[$i]}" >&2
      done
      confirm_prod "${changes} Scheduler HTTP job change(s) above"
    fi
    failed=0
    for i in "${!names[@]}"; do
      verb="${verbs[$i]}"
      if [[ -n "${commands[$i]}" ]] && ! eval "run_or_print ${commands[$i]}"; then
        verb=FAILED failed=1
      fi
      printf 'scheduler %-45s %s\n' "${names[$i]}" "$verb"
    done
    if [[ $failed -ne 0 ]]; then
      echo "FAILED: ${PACK} ${ENVIRONMENT} (${PROJECT}, ${REGION}): see the FAILED lines; fix and re-run (what succeeded is kept)." >&2
      exit 1
    fi
    echo "Done: ${PACK} ${ENVIRONMENT} (${PROJECT}, ${REGION}): ${#names[@]} Scheduler HTTP jobs, ${changes} changed."
    ;;
  list)
    pattern=""
    for id in "${IDS[@]}"; do
      resolve_http "$id"
      pattern+="${pattern:+|}${JOB_RESOURCE}"
    done
    gcloud scheduler jobs list "${where[@]}" --filter "name ~ '/jobs/(${pattern})\$'" \
      --format 'table(name.basename():label=JOB,schedule,timeZone,state,scheduleTime:label=NEXT_RUN,lastAttemptTime:label=LAST_RUN)'
    ;;
  run | pause | resume)
    resolve_http "$wanted_job"
    describe scheduler "$JOB_RESOURCE" || die "${JOB_RESOURCE} does not exist in ${PACK} ${ENVIRONMENT}: create it with: $(basename "$0") --pack ${PACK} ${ENVIRONMENT} apply"
    state="$(field state)"
    if [[ "$command" == pause && "$state" == PAUSED ]] || [[ "$command" == resume && "$state" == ENABLED ]]; then
      echo "scheduler ${JOB_RESOURCE}: already ${state}"
      exit 0
    fi
    confirm_prod "${command} ${JOB_RESOURCE}"
    run_or_print gcloud scheduler jobs "$command" "$JOB_RESOURCE" "${where[@]}" --quiet || exit 1
    case "$command" in run) done_word=started ;; pause) done_word=paused ;; *) done_word=resumed ;; esac
    [[ "$dry_run" == true ]] || echo "scheduler ${JOB_RESOURCE}: ${done_word}"
    ;;
  delete-all)
    # only Scheduler HTTP jobs (an OIDC token): a Cloud Run Job's trigger of the same name is left alone
    if ! existing="$(gcloud scheduler jobs list "${where[@]}" --filter "name ~ /jobs/${PACK}-" \
      --format 'value(name.basename(),httpTarget.oidcToken.serviceAccountEmail)' </dev/null)"; then
      echo "error: could not list the Cloud Scheduler jobs of ${PROJECT} (${REGION}): stopped, nothing was deleted." >&2
      exit 1
    fi
    names=()
    for id in "${IDS[@]}"; do
      resolve_http "$id"
      oidc="$(awk -F'\t' -v n="$JOB_RESOURCE" '$1 == n { print ($2 == "" ? "no" : "yes") }' <<<"$existing")"
      case "$oidc" in
        yes) names+=("$JOB_RESOURCE") ;;
        no) echo "scheduler ${JOB_RESOURCE}: the trigger of a Cloud Run Job, left alone (delete-all-jobs.sh deletes those)" ;;
        *) echo "scheduler ${JOB_RESOURCE}: does not exist" ;;
      esac
    done
    if [[ ${#names[@]} -eq 0 ]]; then
      echo "Nothing to delete: ${PACK} has no Scheduler HTTP job in ${ENVIRONMENT} (${PROJECT}, ${REGION})."
      exit 0
    fi
    if [[ "$dry_run" == false ]]; then
      printf '  %s to be deleted\n' "${names[@]}" >&2
      confirm_typed "Delete these ${#names[@]} Scheduler HTTP jobs" delete
      [[ "$ENVIRONMENT" != prod ]] || confirm_typed "PROD: this deletes them in production. Type the project id" "$PROJECT"
    fi
    failed=0
    for name in "${names[@]}"; do
      if run_or_print gcloud scheduler jobs delete "$name" "${where[@]}" --quiet; then
        [[ "$dry_run" == true ]] || echo "scheduler ${name}: deleted"
      else
        echo "scheduler ${name}: FAILED"
        failed=1
      fi
    done
    exit "$failed"
    ;;
  *) echo "error: unknown command '${command}'" >&2; usage ;;
esac
