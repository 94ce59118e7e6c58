package ai.cloudact.jobs.run;

/**
 * The process exit codes, the contract with Cloud Run Jobs and Kubernetes: any non-zero code is a
 * failed attempt; {@link #CONFIGURATION_ERROR} tells the platform (and the operator) that retrying
 * the same configuration cannot help. This enum is the only mapping.
 */
public enum ExitCode {
    SUCCESS(0),
    JOB_FAILED(1),
    CONFIGURATION_ERROR(2),
    /** Ctrl-C: 128 + SIGINT (2), as shells report it. */
    INTERRUPTED(130),
    /** The platform stopped the task: 128 + SIGTERM (15). */
    TERMINATED(143);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }
}
