/**
 * Running jobs: the settings and their checks, Camel set up for a pack's job files, the one run path
 * every run takes (one-shot or service), the one-shot process with its exit code, deadline and
 * signals, and the command line.
 */
package ai.cloudact.jobs.runtime;
