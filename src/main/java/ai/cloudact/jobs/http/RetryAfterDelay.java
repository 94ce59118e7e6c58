package ai.cloudact.jobs.http;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Honours a {@code Retry-After} answer (429, 503): sets the delay of the next redelivery to what the
 * API asked for, capped by {@code retry.after.max.ms} (RETRY_AFTER_MAX_MS). Without the header, or with
 * one that is negative, in the past or unreadable, the shared exponential backoff applies. Runs as the onException's "exception occurred" step, before the delay is chosen.
 */
public class RetryAfterDelay implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(RetryAfterDelay.class);

    private long maxDelayMs = 60_000;

    public void setMaxDelayMs(long maxDelayMs) {
        this.maxDelayMs = maxDelayMs;
    }

    @Override
    public void process(Exchange exchange) {
        exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        Exception failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        HttpOperationFailedException http = FailureReport.find(failure, HttpOperationFailedException.class);
        if (http == null) {
            return;
        }
        Long askedMs = retryAfterMs(http.getResponseHeaders());
        if (askedMs != null) {
            long delay = Math.min(askedMs, maxDelayMs);
            LOG.warn("HTTP {} with Retry-After: waiting {} ms before the next attempt", http.getStatusCode(), delay);
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, delay);
        }
    }

    /**
     * Retry-After as delay-seconds or as an HTTP date, in ms; null (the normal backoff applies) when
     * absent, unreadable, negative or in the past. A huge value is returned as it is: the caller caps it.
     */
    static Long retryAfterMs(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        String value = headers.entrySet().stream()
                .filter(header -> "Retry-After".equalsIgnoreCase(header.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (value == null || value.isBlank() || value.length() > 64) {
            return null;
        }
        String text = value.trim();
        if (text.matches("\\d{1,18}")) {
            long seconds = Long.parseLong(text);
            return seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000;
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
            long ms = Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis();
            return ms > 0 ? ms : null;
        } catch (DateTimeParseException | ArithmeticException notADate) {
            return null;
        }
    }
}
