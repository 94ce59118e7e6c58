/** What every part of a run shares: the run's state and counts, its outcome and exit code, and the two failure types. */
package ai.cloudact.jobs.run;
