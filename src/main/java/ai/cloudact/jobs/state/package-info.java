/** The run state store (one JDBC pool, its schema) and what it keeps: the overlap lease, the run history, its pruning. */
package ai.cloudact.jobs.state;
