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
 * API asked for, capped by {@code retry.after.max.ms}. Without the header the shared exponential
 * backoff applies. Runs as the onException's "exception occurred" step, before the delay is chosen.
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

    /** Retry-After as delay-seconds or as an HTTP date; null when absent or unreadable. */
    static Long retryAfterMs(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        String value = headers.entrySet().stream()
                .filter(header -> "Retry-After".equalsIgnoreCase(header.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(value.trim())) * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
