package ai.cloudact.jobs.runtime;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Durations as operators write them: seconds ({@code 600}), {@code 90s}, {@code 10m}, {@code 1h}, {@code 90d}, or ISO-8601 ({@code PT10M}). */
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
            } else if (text.matches("\\d{1,9}(ms|[smhd])")) {
                String unit = text.replaceAll("\\d", "");
                long amount = Long.parseLong(text.substring(0, text.length() - unit.length()));
                parsed = switch (unit) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
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

    /** The shortest of 90d, 1h, 10m, 90s, 250ms that says it exactly. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
