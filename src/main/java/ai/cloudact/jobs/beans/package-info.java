/**
 * Helpers of particular CloudAct jobs that YAML cannot say: org-sync-all's org pages, slugs and
 * tally, migrate's Supabase migrations, quota-cleanup's BigQuery connection. A job file names them
 * as beans; the runtime knows none of them.
 */
package ai.cloudact.jobs.beans;
