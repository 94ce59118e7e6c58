#!/usr/bin/env bash
# A pack's jobs as plain Cloud Scheduler HTTP jobs that call their target directly with an OIDC token
# (validibot's current setup), instead of Cloud Run Jobs running this image. Generated from the same
# job files: the jobs of scripts/packs/<pack>.tsv whose call authenticates with a Google ID token
# (auth oidc), the environment's project, region, service account and lookups from
# scripts/packs/<pack>.environments.tsv (scripts/generate-deploy-files.sh writes both).
set -euo pipefail

usage() {
  cat >&2 <<USAGE
Usage: $(basename "$0") --pack NAME [--dry-run] ENV COMMAND [JOB]
  --pack NAME  the pack (e.g. validibot); only its jobs with an ID-token call are Scheduler HTTP jobs
  --dry-run    print the gcloud commands that would change something, change nothing
  ENV          test | stage | prod (the pack's own stage names: validibot's test is dev, stage is staging)
  COMMAND      apply        create or update every job (safe to re-run)
               list         the pack's Scheduler jobs in ENV (state, schedule, next run)
               run JOB      run one now (id, long name or deployed name)
               pause JOB    pause one;  resume JOB: resume it
               delete-all   delete every job of the pack in ENV (asks; prod asks twice)
  A setting the jobs call (e.g. WORKER_URL) is looked up as the environments table says (the URL of a
  Cloud Run service) unless it is set in the environment.
USAGE
  exit 2
}

die() {
  echo "error: $*" >&2
  exit 2
}

tables="$(cd "$(dirname "$0")" && pwd)/packs"
pack=""
dry_run=false
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --pack)
      [[ $# -ge 2 ]] || usage
      pack="$2"
      shift
      ;;
    --dry-run) dry_run=true ;;
    --help) usage ;;
    *) echo "error: unknown option '$1'" >&2; usage ;;
  esac
  shift
done
[[ -n "$pack" && $# -ge 2 ]] || usage
environment="${1/staging/stage}"
environment="${environment/production/prod}"
command="$2"
wanted="${3:-}"
jobs_tsv="${tables}/${pack}.tsv"
environments_tsv="${tables}/${pack}.environments.tsv"
[[ -f "$jobs_tsv" && -f "$environments_tsv" ]] || die "no pack '${pack}': ${jobs_tsv} is missing (scripts/generate-deploy-files.sh)"
case "$environment" in
  test | stage | prod) ;;
  local) die "'local' is not deployed: run a job on this machine with PACK=${pack} JOB_ID=<job> java -jar target/scheduler-jobs.jar" ;;
  *) die "unknown environment '$1': use test, stage or prod" ;;
esac

# the environment's row: environment stage project region image runtime_sa scheduler_sa secrets lookups
IFS=$'\t' read -r _ stage project region _ _ scheduler_sa _ lookups < <(grep -v '^#' "$environments_tsv" | awk -F'\t' -v e="$environment" '$1 == e')
[[ -n "${project:-}" ]] || die "${environments_tsv} has no row for ${environment}"
where=(--project "$project" --location "$region")

# gcloud for what changes something; with --dry-run it is only printed
change() {
  if [[ "$dry_run" == true ]]; then
    local line="gcloud" arg
    for arg in "$@"; do
      if [[ "$arg" =~ [[:space:]\*\"\{] ]]; then line+=" '${arg}'"; else line+=" ${arg}"; fi
    done
    echo "$line"
  else
    gcloud "$@"
  fi
}

# ask QUESTION ANSWER: goes on only when the answer typed (or piped) is ANSWER; a dry run asks nothing
ask() {
  [[ "$dry_run" == false ]] || return 0
  local answer=""
  printf '%s (%s, project %s): type %s to go on: ' "$1" "${pack}/${stage}" "$project" "$2" >&2
  IFS= read -r answer || true
  if [[ "$answer" != "$2" ]]; then
    echo >&2
    echo "Aborted: nothing was changed." >&2
    exit 1
  fi
}

# the settings the calls use, e.g. WORKER_URL: the environment's value, else the lookup
declare -A settings=()
resolve_settings() {
  local pair name source value
  [[ "$lookups" != - ]] || return 0
  for pair in ${lookups//,/ }; do
    name="${pair%%=*}"
    source="${pair#*=}"
    value="${!name:-}"
    if [[ -z "$value" ]]; then
      case "$source" in
        cloud-run-service:*)
          value=$(gcloud run services describe "${source#cloud-run-service:}" --project "$project" --region "$region" \
            --format 'value(status.url)' 2>/dev/null || true)
          [[ -n "$value" ]] || die "Cloud Run service ${source#cloud-run-service:} not found in ${project}/${region}: deploy it first, or set ${name}"
          ;;
        *) die "${environments_tsv}: unknown lookup '${source}' for ${name}" ;;
      esac
    fi
    settings[$name]="$value"
  done
}

# the url of a job with its ${SETTING}s filled in
fill() {
  local text="$1" name
  for name in "${!settings[@]}"; do
    text="${text//\$\{${name}\}/${settings[$name]}}"
  done
  [[ "$text" != *"\${"* ]] || die "${text}: a setting it needs is not known for ${environment}"
  echo "$text"
}

# the pack's Scheduler HTTP jobs: id long_name name schedule time_zone timeout retries method url body description
http_jobs() {
  local column
  case "$environment" in test) column=3 ;; stage) column=4 ;; prod) column=5 ;; esac
  grep -v '^#' "$jobs_tsv" | awk -F'\t' -v n="$column" 'BEGIN { OFS = "\t" }
    $18 == "oidc" && $6 != "-" { print $1, $2, $n, $6, $7, $8, $9, $15, $16, $17, $19 }'
}

# resolve JOB: sets job_name to the deployed name of the job whose id, long name or deployed name it is
resolve() {
  local id long name
  [[ -n "$wanted" ]] || usage
  while IFS=$'\t' read -r id long name _; do
    if [[ "$wanted" == "$id" || "$wanted" == "$long" || "$wanted" == "$name" ]]; then
      job_name="$name"
      return 0
    fi
  done < <(http_jobs)
  echo "error: no Scheduler HTTP job '${wanted}' in ${pack}. Jobs:" >&2
  http_jobs | cut -f1,3 | sed 's/^/  /' >&2
  exit 2
}

[[ -n "$(http_jobs)" ]] || die "pack ${pack} has no job whose call authenticates with a Google ID token: deploy it as Cloud Run Jobs"

case "$command" in
  apply)
    [[ "$environment" != prod ]] || ask "create or update every Scheduler HTTP job" yes
    resolve_settings
    while IFS=$'\t' read -r id _ name schedule time_zone timeout retries method url body description; do
      uri=$(fill "$url")
      # the audience is the target's base URL, as the runtime's own ID tokens have it
      rest="${uri#*://}"
      audience="${uri%%://*}://${rest%%/*}"
      deadline=$((timeout > 1800 ? 1800 : timeout))
      flags=("${where[@]}" --schedule "$schedule" --time-zone "$time_zone" --uri "$uri" --http-method "$method"
        --oidc-service-account-email "$scheduler_sa" --oidc-token-audience "$audience"
        --attempt-deadline "${deadline}s" --max-retry-attempts "$retries" --description "$description (${id})")
      [[ "$body" == - ]] || flags+=(--message-body "$body")
      if gcloud scheduler jobs describe "$name" "${where[@]}" --format 'value(name)' >/dev/null 2>&1; then
        echo "Scheduler job ${name} (${schedule} ${time_zone}): update" >&2
        [[ "$body" == - ]] || flags+=(--update-headers Content-Type=application/json)
        change scheduler jobs update http "$name" "${flags[@]}" --quiet
      else
        echo "Scheduler job ${name} (${schedule} ${time_zone}): create" >&2
        [[ "$body" == - ]] || flags+=(--headers Content-Type=application/json)
        change scheduler jobs create http "$name" "${flags[@]}" --quiet
      fi
    done < <(http_jobs)
    ;;
  list)
    gcloud scheduler jobs list "${where[@]}" --filter "name ~ /jobs/${pack}-" \
      --format 'table(name.basename():label=JOB,schedule,timeZone,state,scheduleTime:label=NEXT_RUN,lastAttemptTime:label=LAST_RUN)'
    ;;
  run | pause | resume)
    resolve
    [[ "$environment" != prod ]] || ask "${command} ${job_name}" yes
    change scheduler jobs "$command" "$job_name" "${where[@]}"
    ;;
  delete-all)
    mapfile -t names < <(http_jobs | cut -f3)
    ask "delete ${#names[@]} Scheduler jobs: ${names[*]}" delete
    [[ "$environment" != prod ]] || ask "PROD: delete them in production" "$project"
    for name in "${names[@]}"; do
      if gcloud scheduler jobs describe "$name" "${where[@]}" --format 'value(name)' >/dev/null 2>&1; then
        change scheduler jobs delete "$name" "${where[@]}" --quiet
      else
        echo "Scheduler job ${name}: does not exist" >&2
      fi
    done
    ;;
  *) echo "error: unknown command '${command}'" >&2; usage ;;
esac
