#!/usr/bin/env bash
# Pauses the Cloud Scheduler trigger of a scheduled job of a pack (--pack NAME, default cloudact);
# the Cloud Run Job itself is untouched.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

trigger_verb pause "$@"
