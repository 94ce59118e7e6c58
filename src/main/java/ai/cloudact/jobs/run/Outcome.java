package ai.cloudact.jobs.run;

/** How a run ended, as the summary line and the run history say it. */
public enum Outcome {
    SUCCESS(ExitCode.SUCCESS),
    FAILED(ExitCode.JOB_FAILED),
    /** Not run on purpose, e.g. another run of the job holds the lease. */
    SKIPPED(ExitCode.SUCCESS),
    CONFIGURATION_ERROR(ExitCode.CONFIGURATION_ERROR),
    TERMINATED(ExitCode.TERMINATED);

    public final ExitCode exitCode;

    Outcome(ExitCode exitCode) {
        this.exitCode = exitCode;
    }
}
