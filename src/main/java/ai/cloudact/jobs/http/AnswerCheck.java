package ai.cloudact.jobs.http;

import java.util.Locale;
import java.util.regex.Pattern;

import ai.cloudact.jobs.run.ExplainedFailure;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Looks at each successful answer before the job uses it: an HTML page where an API answer is
 * expected (a proxy's or a login page, a wrong URL) is a failure that says what came back, instead
 * of a success or a puzzling parse error. It also keeps a short one-line preview of the answer in the
 * exchange property {@value #PREVIEW} for log lines: a log line quotes at most LOG_MAX_BODY_CHARS of
 * an answer and says how long it was.
 */
public class AnswerCheck implements Processor {

    public static final String PREVIEW = "answer";
    /** Compiled once: every answer of a run is previewed (org-sync-all: one per org). */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private int maxChars = 2048;

    public void setMaxChars(int maxChars) {
        this.maxChars = maxChars;
    }

    @Override
    public void process(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        String text = body == null ? "" : body;
        exchange.getMessage().setBody(body); // read once: the route goes on with the text
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase(Locale.ROOT);
        // compared in place: an answer may be megabytes
        int start = 0;
        while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        if (contentType.startsWith("text/html") || text.regionMatches(true, start, "<!doctype html", 0, 14)
                || text.regionMatches(true, start, "<html", 0, 5)) {
            throw new ExplainedFailure("HTTP " + exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE) + " from "
                    + exchange.getProperty("callUri", "the call", String.class) + " answered "
                    + (contentType.isEmpty() ? "an HTML page" : contentType.split(";")[0]) + " (" + preview(text, 120)
                    + ") where the API answers JSON: check the URL setting (a proxy or login page?)");
        }
        exchange.setProperty(PREVIEW, preview(text, maxChars));
    }

    /** The text on one line, cut at {@code max} characters with its full length said. */
    public static String preview(String text, int max) {
        String oneLine = WHITESPACE.matcher(text).replaceAll(" ").trim();
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "...(" + text.length() + " chars)";
    }
}
