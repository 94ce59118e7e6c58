/** Service mode ({@code --serve}): the pack's jobs on their own triggers, clustered on PostgreSQL, and HTTP endpoints that run them. */
package ai.cloudact.jobs.serve;
