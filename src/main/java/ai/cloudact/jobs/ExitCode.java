package ai.cloudact.jobs;

/**
 * The process exit codes, the contract with Cloud Run Jobs and Kubernetes: any non-zero code is a
 * failed attempt; {@link #CONFIGURATION_ERROR} tells the platform (and the operator) that retrying
 * the same configuration cannot help.
 */
public enum ExitCode {
    SUCCESS(0),
    JOB_FAILED(1),
    CONFIGURATION_ERROR(2);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }
}
