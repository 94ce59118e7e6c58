#!/usr/bin/env bash
# Creates or updates one Cloud Run Job per job of a pack (scripts/packs/<pack>.tsv, generated from its
# job files) and one Cloud Scheduler trigger per scheduled job, in one environment of
# scripts/packs/<pack>.environments.tsv. Made to be re-run every deploy:
#   1. it reads every job and trigger first (describe), and every setting a job needs that is looked up
#      (a Cloud Run service's URL); a failure other than NOT_FOUND, or a setting with no value, stops it
#      before anything is changed;
#   2. it compares the fields it manages and plans only what differs: create what is missing,
#      update the fields that differ (env vars and secrets with --update-*, so a value set by an
#      earlier run is never dropped), nothing for what already matches;
#   3. in prod it shows the plan and asks; then it applies it, one line per job and trigger, and
#      ends with a table. Exit 1 if any step failed.
# A trigger's paused or enabled state is only changed by an explicit flag (--billing-endpoint-ready).
# With --routes, the jobs from a ROUTES_DIR too: their files go to a Cloud Storage bucket that their
# Cloud Run Jobs mount at /routes.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat >&2 <<USAGE
Usage: $(basename "$0") ENV [--pack NAME] [--billing-endpoint-ready] [--image IMAGE] [--dry-run]
                         [--routes DIR --routes-bucket BUCKET]
  ENV                       test | stage | prod (prod shows what will change and asks: type or pipe "yes")
  --pack NAME               the pack to deploy (default cloudact): scripts/packs/NAME.tsv and
                            NAME.environments.tsv give its jobs, names, time zones, project and accounts
  --billing-endpoint-ready  the frontend's billing endpoint exists: open the billing-endpoint gate, i.e.
                            create the billing triggers (billing-retry, reconcile) or resume them if paused.
                            Without it they are not created (Cloud Scheduler cannot create a paused
                            trigger), and existing ones keep whatever state they have.
  --image IMAGE             image to deploy (default: the environment's, e.g. the ENV tag pushed by
                            cloudbuild-jobs.yaml); a previous tag rolls back (docs/deploy.md)
  --dry-run                 read what exists, print the exact gcloud commands that would change
                            something, run none of them
  --routes DIR              also the jobs from a ROUTES_DIR, as scripts/generate-deploy-files.sh
                            --routes-dir wrote them into DIR; their files are synchronised to
  --routes-bucket BUCKET    a Cloud Storage bucket of their own, mounted read-only at /routes
Settings a job needs (its settings column, e.g. WORKER_URL): the variable's value when set, else the
environment's lookup (the URL of a Cloud Run service); neither stops before any change.
Optional input: SUPABASE_PROJECT_REF (jobs that use Supabase's access token). Unset, the value already
on the job is kept; a job created without it exits 2 until it is set (a warning says so).
USAGE
  exit 2
}

take_common_options "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
[[ $# -ge 1 && "$1" != -h && "$1" != --help ]] || usage
env_name="$1"
shift
open_gates=" "
image=""
dry_run=false
bucket=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --billing-endpoint-ready) open_gates+="billing-endpoint " ;;
    --image)
      [[ $# -ge 2 ]] || usage
      image="$2"
      shift
      ;;
    --routes-bucket)
      [[ $# -ge 2 ]] || usage
      bucket="${2#gs://}"
      bucket="${bucket%/}"
      shift
      ;;
    --dry-run) dry_run=true ;;
    -h | --help) usage ;;
    *) echo "error: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

use_environment "$env_name"
image="${image:-$IMAGE}"
KNOWN_GATES=" billing-endpoint "
if [[ -n "${ROUTES_TSV:-}" && -z "$bucket" ]]; then
  die "--routes needs --routes-bucket BUCKET: the Cloud Storage bucket the jobs from ROUTES_DIR read their files from"
fi
[[ -z "$bucket" || -n "${ROUTES_TSV:-}" ]] || die "--routes-bucket goes with --routes DIR"

# wanted_job: sets WANTED to the managed fields of the current job (JOB_* from resolve_job), one
# "key=value" a line; the key is the gcloud flag, or env:/secret: and the variable name. In this shell,
# not a subshell: a setting looked up once serves every job, and a missing one stops the script here.
wanted_job() {
  local name
  WANTED="$(printf '%s\n' "image=${image}" "service-account=${RUNTIME_SA}" "tasks=${JOB_TASKS}" "parallelism=${JOB_TASKS}" "max-retries=${JOB_RETRIES}" \
    "task-timeout=${JOB_TIMEOUT}s" "memory=${JOB_MEMORY}" "cpu=${JOB_CPU}" \
    "env:PACK=${PACK}" "env:JOB_ID=${JOB_ID}" "env:ENVIRONMENT=${ENVIRONMENT}" "env:GCP_PROJECT_ID=${PROJECT}" \
    "env:JOB_TIMEOUT=${JOB_DEADLINE}")"
  # the settings the job's calls need (WORKER_URL...): the operator's value or the environment's lookup
  if [[ "$JOB_SETTINGS" != - ]]; then
    for name in ${JOB_SETTINGS//,/ }; do
      setting_value "$name"
      WANTED+=$'\n'"env:${name}=${SETTING}"
    done
  fi
  # jobs that talk to Supabase need its project: not a secret, but it differs per environment
  if [[ ",${JOB_SECRETS}," == *",SUPABASE_ACCESS_TOKEN,"* && -n "${SUPABASE_PROJECT_REF:-}" ]]; then
    WANTED+=$'\n'"env:SUPABASE_PROJECT_REF=${SUPABASE_PROJECT_REF}"
  fi
  if [[ "$JOB_SECRETS" != - ]]; then
    for name in ${JOB_SECRETS//,/ }; do
      secret_of "$name"
      WANTED+=$'\n'"secret:${name}=${SECRET}:latest"
    done
  fi
  # a job from ROUTES_DIR reads its file from the bucket, mounted read-only
  if [[ "$JOB_FROM_ROUTES" == true ]]; then
    WANTED+=$'\n'"env:ROUTES_DIR=/routes"
    WANTED+=$'\n'"add-volume=name=routes,type=cloud-storage,bucket=${bucket},readonly=true"
    WANTED+=$'\n'"add-volume-mount=volume=routes,mount-path=/routes"
  fi
}

# existing_job: the same lines read from DESCRIBED (a Cloud Run Admin v1 Job, flattened). JSON omits
# zero values, so a missing maxRetries or parallelism is 0 and a missing taskCount 1; "1000m" CPU is 1. A Cloud Storage
# volume and a volume mount read back as the --add-volume and --add-volume-mount values that make them.
existing_job() {
  awk '
    function put(k, v) { out[k] = v }
    { i = index($0, ": "); if (i == 0) { i = index($0, ":"); key = substr($0, 1, i - 1); val = "" }
      else { key = substr($0, 1, i - 1); val = substr($0, i + 2) } }
    key == "spec.template.spec.taskCount" { put("tasks", val) }
    key == "spec.template.spec.parallelism" { put("parallelism", val) }
    key == "spec.template.spec.template.spec.maxRetries" { put("max-retries", val) }
    key == "spec.template.spec.template.spec.timeoutSeconds" { put("task-timeout", val "s") }
    key == "spec.template.spec.template.spec.serviceAccountName" { put("service-account", val) }
    match(key, /^spec\.template\.spec\.template\.spec\.volumes\[[0-9]+\]\./) {
      n = substr(key, 1, RLENGTH); sub(/^.*\]\./, "", key); volume[n, key] = val; volumes[n] = 1
    }
    index(key, "spec.template.spec.template.spec.containers[0].") == 1 {
      sub(/^spec\.template\.spec\.template\.spec\.containers\[0\]\./, "", key)
      if (key == "image") put("image", val)
      else if (key == "resources.limits.memory") put("memory", val)
      else if (key == "resources.limits.cpu") put("cpu", (val ~ /^[0-9]+000m$/) ? substr(val, 1, length(val) - 4) : val)
      else if (match(key, /^env\[[0-9]+\]\./)) {
        n = substr(key, 5, RLENGTH - 6); sub(/^env\[[0-9]+\]\./, "", key); env[n, key] = val; envs[n] = 1
      }
      else if (match(key, /^volumeMounts\[[0-9]+\]\./)) {
        n = substr(key, 1, RLENGTH); sub(/^volumeMounts\[[0-9]+\]\./, "", key); mount[n, key] = val; mounts[n] = 1
      }
    }
    END {
      if (!("tasks" in out)) out["tasks"] = 1
      if (!("max-retries" in out)) out["max-retries"] = 0
      if (!("parallelism" in out)) out["parallelism"] = 0
      for (k in out) print k "=" out[k]
      for (n in envs) {
        if ((n, "valueFrom.secretKeyRef.name") in env)
          print "secret:" env[n, "name"] "=" env[n, "valueFrom.secretKeyRef.name"] ":" env[n, "valueFrom.secretKeyRef.key"]
        else print "env:" env[n, "name"] "=" env[n, "value"]
      }
      for (n in volumes) {
        if (volume[n, "csi.driver"] == "gcsfuse.run.googleapis.com")
          print "add-volume=name=" volume[n, "name"] ",type=cloud-storage,bucket=" volume[n, "csi.volumeAttributes.bucketName"] \
            ",readonly=" (tolower(volume[n, "csi.readOnly"]) == "true" ? "true" : "false")
      }
      for (n in mounts) print "add-volume-mount=volume=" mount[n, "name"] ",mount-path=" mount[n, "mountPath"]
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

# The plan: parallel arrays, one entry per step. STEP_ROW indexes the table rows (ROW_*), or is "files"
# for the ROUTES_DIR files; STEP_KIND is job, trigger or files, STEP_VERB the result word once done
# (created, updated (...), resumed, unchanged...), STEP_CMD the gcloud command (shell-quoted; empty when
# there is nothing to do).
ROW_ID=() ROW_RESOURCE=() ROW_JOB=() ROW_TRIGGER=()
STEP_ROW=() STEP_KIND=() STEP_VERB=() STEP_CMD=()
WARNINGS=()
writes=0
files_status=""

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

# resource_of STEP: what a step changes, for its line.
resource_of() {
  if [[ "${STEP_KIND[$1]}" == files ]]; then echo "gs://${bucket}"; else echo "${ROW_RESOURCE[${STEP_ROW[$1]}]}"; fi
}

# --- the files of the jobs from ROUTES_DIR: the bucket holds exactly them. A dry run of the
# synchronisation reads what differs, so that an identical re-run uploads nothing.
if [[ -n "$bucket" ]]; then
  sync=(gcloud storage rsync "$ROUTES_FILES" "gs://${bucket}" --delete-unmatched-destination-objects --checksums-only)
  if ! preview="$("${sync[@]}" --dry-run 2>&1 </dev/null)"; then
    if grep -q "gs://${bucket} not found" <<<"$preview"; then
      die "the bucket gs://${bucket} does not exist: create it (gcloud storage buckets create gs://${bucket} --project ${PROJECT} --location ${REGION} --uniform-bucket-level-access) and let ${RUNTIME_SA} read it (roles/storage.objectViewer). Nothing was changed."
    fi
    echo "$preview" >&2
    echo "error: could not read gs://${bucket}: stopped, nothing was changed." >&2
    exit 1
  fi
  copies="$(grep -c '^Would copy ' <<<"$preview" || true)"
  removals="$(grep -c '^Would remove ' <<<"$preview" || true)"
  if [[ $((copies + removals)) -eq 0 ]]; then
    plan files files unchanged
  else
    plan files files "synchronised (${copies} copied, ${removals} removed)" "${sync[@]}" --quiet
  fi
fi

row=0
run_where=(--project "$PROJECT" --region "$REGION")
scheduler_where=(--project "$PROJECT" --location "$REGION")
while IFS=$'\t' read -r id _; do
  resolve_job "$id"
  [[ "$JOB_GATE" == - || "$KNOWN_GATES" == *" $JOB_GATE "* ]] || die "${PACK}: unknown gate '$JOB_GATE' for $JOB_ID (known:${KNOWN_GATES})"
  ROW_ID+=("$JOB_ID") ROW_RESOURCE+=("$JOB_RESOURCE") ROW_JOB+=("") ROW_TRIGGER+=("")
  wanted_job
  wanted="$WANTED"

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
      if [[ -n "$(field httpTarget.oidcToken.serviceAccountEmail)" ]]; then
        die "${JOB_RESOURCE} is a plain Cloud Scheduler HTTP job (scheduler-http-jobs.sh): delete it first (scheduler-http-jobs.sh --pack ${PACK} ${ENVIRONMENT} delete-all) to run ${PACK} as Cloud Run Jobs. Nothing was changed."
      fi
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

# the widths of the lines and the table: the longest id and name
id_width=15 name_width=40
for r in "${!ROW_ID[@]}"; do
  [[ ${#ROW_ID[$r]} -lt $id_width ]] || id_width=$((${#ROW_ID[$r]} + 1))
  [[ ${#ROW_RESOURCE[$r]} -lt $name_width ]] || name_width=$((${#ROW_RESOURCE[$r]} + 1))
done

if [[ "$dry_run" == false && $writes -gt 0 && "$ENVIRONMENT" == prod ]]; then
  for i in "${!STEP_CMD[@]}"; do
    [[ -z "${STEP_CMD[$i]}" ]] || printf '  %-7s %-*s %s\n' "${STEP_KIND[$i]}" "$name_width" "$(resource_of "$i")" "to be ${STEP_VERB[$i]}"
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
  elif [[ -n "$cmd" ]] && ! eval "$cmd" >"$err" 2>&1; then
    verb=FAILED message="$(sed 's/^/    /' "$err")" # gcloud's own message, shown under the line
    failed=1
  fi
  case "$kind" in
    job) ROW_JOB[r]="$verb" ;;
    trigger) ROW_TRIGGER[r]="$verb" ;;
    files) files_status="$verb" ;;
  esac
  [[ "$dry_run" == true ]] || printf '%-7s %-*s %s\n' "$kind" "$name_width" "$(resource_of "$i")" "$verb"
  [[ -z "$message" ]] || echo "$message" >&2
done

for warning in ${WARNINGS[@]+"${WARNINGS[@]}"}; do
  echo "warning: $warning" >&2
done

# --- the final table
echo
printf '%-*s %-*s %-28s %s\n' "$id_width" JOB "$name_width" "CLOUD RUN JOB" "JOB STATUS" TRIGGER
for r in "${!ROW_ID[@]}"; do
  printf '%-*s %-*s %-28s %s\n' "$id_width" "${ROW_ID[$r]}" "$name_width" "${ROW_RESOURCE[$r]}" "${ROW_JOB[$r]}" "${ROW_TRIGGER[$r]}"
done
[[ -z "$files_status" ]] || echo "ROUTES_DIR files in gs://${bucket}: ${files_status}"
if [[ $failed -ne 0 ]]; then
  echo "FAILED: ${PACK} ${ENVIRONMENT} (${PROJECT}, ${REGION}): see the FAILED lines; fix and re-run (what succeeded is kept)." >&2
  exit 1
fi
echo "Done: ${PACK} ${ENVIRONMENT} (${PROJECT}, ${REGION}), image ${image}."
