#!/usr/bin/env bash
# Regenerates the deploy files that repeat what the job files say (schedules, names, deploy facts) from
# the job files under src/main/resources/packs/, their single source: for every pack
# scripts/packs/<pack>.tsv and <pack>.environments.tsv (what the gcloud scripts read), k8s/base/cronjobs.yaml
# (the default pack) and k8s/packs/<pack>/ (the others).
# Usage: scripts/generate-deploy-files.sh [--pack NAME] [--check]   (--check: write nothing, exit 1 if out of date)
#        scripts/generate-deploy-files.sh --routes-dir DIR [--pack NAME] --out OUT [--check]
#          the deploy files of the jobs in a ROUTES_DIR, written into OUT: their table (OUT/<pack>.tsv, for
#          create-all-jobs.sh --routes OUT) and kustomize overlays (OUT/overlays/<env>); docs/deploy.md
# Extra Maven options (e.g. -o) can be passed in MAVEN_ARGS.
set -euo pipefail

# directories given relative to where the command is run, before moving to the repository
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --routes-dir | --out)
      [[ $# -ge 2 ]] || { echo "error: $1 needs a directory" >&2; exit 2; }
      args+=("$1" "$(realpath -m -- "$2")")
      shift
      ;;
    *) args+=("$1") ;;
  esac
  shift
done
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086  # MAVEN_ARGS is a list of options
mvn -B -q ${MAVEN_ARGS:-} -DskipTests package
java -cp target/scheduler-jobs.jar ai.cloudact.jobs.deploy.DeployFiles ${args[@]+"${args[@]}"}
