package ai.cloudact.jobs.http;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.function.UnaryOperator;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.ExplainedFailure;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.CamelContext;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Turns the exception that failed a job into one line that says what went wrong and what to check.
 * What to check depends on the pack (which key, which URL setting, which IAM role): the pack says it in
 * its pack.properties as {@code pack.hint.http.<status>} (401, 403, 404...) and {@code pack.hint.unreachable}
 * (unknown host, connection refused); without a hint the line says what to check in general terms.
 */
public final class FailureReport {

    /** The pack property with what to check for an HTTP status: {@code pack.hint.http.403}. */
    public static final String HTTP_HINT = "pack.hint.http.";
    /** The pack property with what to check when the target cannot be reached. */
    public static final String UNREACHABLE_HINT = "pack.hint.unreachable";

    private static final int MAX_BODY_CHARS = 300;
    private static final UnaryOperator<String> NO_HINTS = key -> null;

    private FailureReport() {
    }

    /** The pack's hints as the job's Camel context has them (the pack's properties). */
    public static UnaryOperator<String> hints(CamelContext context) {
        return key -> context.getPropertiesComponent().resolveProperty(key).orElse(null);
    }

    /** The reason in general terms, without the pack's hints. */
    public static String explain(Throwable failure) {
        return explain(failure, NO_HINTS);
    }

    /**
     * The reason, with the pack's hint for what to check.
     *
     * @param hints a pack property by name ({@link #HTTP_HINT}{@code <status>}, {@link #UNREACHABLE_HINT}); null when unset
     */
    public static String explain(Throwable failure, UnaryOperator<String> hints) {
        if (failure == null) {
            return "(no failure)";
        }
        ExplainedFailure explained = find(failure, ExplainedFailure.class);
        if (explained != null) {
            return explained.getMessage();
        }
        // e.g. no Google credentials to mint an ID token with: its message says what to set
        ConfigurationException configuration = find(failure, ConfigurationException.class);
        if (configuration != null) {
            return configuration.getMessage();
        }
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        if (http != null) {
            return explainHttp(http, hints);
        }
        if (find(failure, CallNotPermittedException.class) != null) {
            return "circuit breaker open: the API failed repeatedly in this run, so further calls were not made";
        }
        if (find(failure, UnknownHostException.class) != null) {
            return "unknown host " + find(failure, UnknownHostException.class).getMessage()
                    + ": " + hint(hints, UNREACHABLE_HINT, "check the job's URL setting (--help lists them)");
        }
        if (find(failure, ConnectException.class) != null) {
            return "cannot connect (" + find(failure, ConnectException.class).getMessage()
                    + "): is the API up? " + hint(hints, UNREACHABLE_HINT, "check the job's URL setting (--help lists them)");
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

    private static String explainHttp(HttpOperationFailedException e, UnaryOperator<String> hints) {
        int status = e.getStatusCode();
        String call = "HTTP " + status + " from " + e.getUri();
        String packHint = hints.apply(HTTP_HINT + status);
        if (packHint != null && !packHint.isBlank()) {
            return call + ": " + packHint.trim() + answer(e);
        }
        if (status == 401 || status == 403) {
            return call + ": the credentials were refused; check the job's secret (--help lists the pack's secrets)" + answer(e);
        }
        if (status == 404) {
            return call + ": no such endpoint; check the job's URL setting and path" + answer(e);
        }
        if (status == 429 || status >= 500) {
            return call + ": the API kept failing after every retry" + answer(e);
        }
        return call + ": the API rejected the request" + answer(e);
    }

    private static String hint(UnaryOperator<String> hints, String key, String otherwise) {
        String hint = hints.apply(key);
        return hint == null || hint.isBlank() ? otherwise : hint.trim();
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
