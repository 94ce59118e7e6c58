package ai.cloudact.jobs.http;

import java.net.SocketTimeoutException;

/** A call that did not complete (connect, send, every read) within its deadline: a timeout, retried like one. */
public class CallDeadlineExceeded extends SocketTimeoutException {

    public CallDeadlineExceeded(String message) {
        super(message);
    }
}
