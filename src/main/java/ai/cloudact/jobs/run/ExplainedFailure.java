package ai.cloudact.jobs.run;

/**
 * A job failure whose message already says what went wrong and what to check, in the job's own
 * terms (for example which migration failed and what the database said). {@code FailureReport}
 * uses the message as it is instead of guessing from the cause; the cause is kept for the debug log
 * and for the summary's http_status.
 */
public class ExplainedFailure extends RuntimeException {

    public ExplainedFailure(String message) {
        super(message);
    }

    public ExplainedFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
