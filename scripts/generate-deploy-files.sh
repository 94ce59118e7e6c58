#!/usr/bin/env bash
# Regenerates the deploy files that repeat the schedules (scripts/jobs.tsv, k8s/base/cronjobs.yaml)
# from the job files under src/main/resources/packs/, their single source.
# Usage: scripts/generate-deploy-files.sh [--check]   (--check: write nothing, exit 1 if out of date)
# Extra Maven options (e.g. -o) can be passed in MAVEN_ARGS.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck disable=SC2086  # MAVEN_ARGS is a list of options
mvn -B -q ${MAVEN_ARGS:-} -DskipTests package
java -cp target/scheduler-jobs.jar ai.cloudact.jobs.deploy.DeployFiles "$@"
