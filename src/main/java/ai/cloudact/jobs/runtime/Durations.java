package ai.cloudact.jobs.runtime;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Durations as operators write them: seconds ({@code 600}), {@code 90s}, {@code 10m}, {@code 1h}, or ISO-8601 ({@code PT10M}). */
public final class Durations {

    private Durations() {
    }

    /** A positive duration; IllegalArgumentException with the reason otherwise (including overflow). */
    public static Duration parse(String value) {
        String text = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration parsed;
            if (text.startsWith("pt")) {
                parsed = Duration.parse(text.toUpperCase(Locale.ROOT));
            } else if (text.matches("\\d{1,9}")) {
                parsed = Duration.ofSeconds(Long.parseLong(text));
            } else if (text.matches("\\d{1,9}(ms|[smh])")) {
                String unit = text.replaceAll("\\d", "");
                long amount = Long.parseLong(text.substring(0, text.length() - unit.length()));
                parsed = switch (unit) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            } else {
                throw new IllegalArgumentException("not a duration");
            }
            if (parsed.isZero() || parsed.isNegative()) {
                throw new IllegalArgumentException("not positive");
            }
            return parsed;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("not a duration");
        }
    }
}
