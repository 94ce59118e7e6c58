/**
 * The jobs a pack holds, read from their job files without starting Camel: identity, summary,
 * schedule and deploy facts ({@link ai.cloudact.jobs.catalog.JobSpec}); checks of job files before
 * deploy ({@code --validate}); the cron translations and fire times.
 */
package ai.cloudact.jobs.catalog;
