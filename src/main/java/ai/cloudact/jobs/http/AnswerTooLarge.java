package ai.cloudact.jobs.http;

import java.io.IOException;

/**
 * An answer longer than HTTP_MAX_BODY_BYTES: the call fails at once (a retry would read the same
 * answer), and nothing more of it is read, so a huge answer cannot exhaust the memory.
 */
public class AnswerTooLarge extends IOException {

    public AnswerTooLarge(String message) {
        super(message);
    }
}
