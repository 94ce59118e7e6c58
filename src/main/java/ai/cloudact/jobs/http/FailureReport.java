package ai.cloudact.jobs.http;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import ai.cloudact.jobs.run.ExplainedFailure;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.http.base.HttpOperationFailedException;

/** Turns the exception that failed a job into one line that says what went wrong and what to check. */
public final class FailureReport {

    private static final int MAX_BODY_CHARS = 300;

    private FailureReport() {
    }

    public static String explain(Throwable failure) {
        if (failure == null) {
            return "(no failure)";
        }
        ExplainedFailure explained = find(failure, ExplainedFailure.class);
        if (explained != null) {
            return explained.getMessage();
        }
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        if (http != null) {
            return explainHttp(http);
        }
        if (find(failure, CallNotPermittedException.class) != null) {
            return "circuit breaker open: the API failed repeatedly in this run, so further calls were not made";
        }
        if (find(failure, UnknownHostException.class) != null) {
            return "unknown host " + find(failure, UnknownHostException.class).getMessage()
                    + ": check CA_API_URL / CA_FRONTEND_URL";
        }
        if (find(failure, ConnectException.class) != null) {
            return "cannot connect (" + find(failure, ConnectException.class).getMessage()
                    + "): is the API up? check CA_API_URL / CA_FRONTEND_URL";
        }
        AnswerTooLarge tooLarge = find(failure, AnswerTooLarge.class);
        if (tooLarge != null) {
            return tooLarge.getMessage();
        }
        javax.net.ssl.SSLException tls = find(failure, javax.net.ssl.SSLException.class);
        if (tls != null) {
            return "TLS failure, not retried: " + rootMessage(tls) + "; check the server's certificate and host name";
        }
        if (find(failure, SocketTimeoutException.class) != null) {
            return "no answer in time (" + find(failure, SocketTimeoutException.class).getMessage()
                    + "): the API is slow or hung; see HTTP_RESPONSE_TIMEOUT_MS";
        }
        JsonProcessingException json = find(failure, JsonProcessingException.class);
        if (json != null) {
            return "malformed JSON in the answer: " + json.getOriginalMessage();
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootCause = root.getClass().getSimpleName() + ": " + root.getMessage();
        if (root instanceof RuntimeException && mentions(root, "com.google.cloud.bigquery")) {
            // the client is lenient: a truncated or garbled answer surfaces as a missing field
            return "malformed or incomplete JSON answer from BigQuery (" + rootCause + ")";
        }
        return rootCause;
    }

    private static String explainHttp(HttpOperationFailedException e) {
        int status = e.getStatusCode();
        String call = "HTTP " + status + " from " + e.getUri();
        if (status == 401 || status == 403) {
            return call + ": the root key was refused; check CA_ROOT_API_KEY or its Secret Manager secret"
                    + " (ca-root-api-key-<suffix>)";
        }
        if (status == 404) {
            return call + ": no such endpoint; check CA_API_URL / CA_FRONTEND_URL and the job's path setting"
                    + answer(e);
        }
        if (status == 429 || status >= 500) {
            return call + ": the API kept failing after every retry" + answer(e);
        }
        return call + ": the API rejected the request" + answer(e);
    }

    private static String answer(HttpOperationFailedException e) {
        String body = e.getResponseBody();
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return "; it said: " + (oneLine.length() > MAX_BODY_CHARS ? oneLine.substring(0, MAX_BODY_CHARS) + "..." : oneLine);
    }

    /** The innermost cause's message (what actually went wrong), one line. */
    public static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage()).replaceAll("\\s+", " ").trim();
    }

    private static boolean mentions(Throwable failure, String packageFragment) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().contains(packageFragment)) {
                    return true;
                }
            }
        }
        return false;
    }

    public static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
