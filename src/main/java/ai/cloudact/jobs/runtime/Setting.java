package ai.cloudact.jobs.runtime;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One setting the runtime reads: its environment variable, the property Camel knows it by, its
 * default and what values it accepts. The same definition checks the value at start (before the
 * first request) and writes the line of {@code --help}, so the two cannot drift apart.
 *
 * @param env         the environment variable
 * @param property    the property name ({@code -Dproperty=...}, and {@code {{property}}} in routes)
 * @param defaultText the default as shown by --help and given to Camel; null when there is none
 * @param accepted    the accepted form, for --help and error messages
 * @param description what it does
 * @param secret      its value is masked in every message and redacted from every output
 * @param check       null when the value is accepted, else why not
 */
public record Setting(String env, String property, String defaultText, String accepted, String description,
                      boolean secret, Function<String, String> check) {

    /** CA_API_URL from ca.api.url: upper case, '.' and '-' to '_' (Camel Main's own mapping). */
    public static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** A line of --help. */
    public String help() {
        return String.format("  %-28s %s%n  %-28s   accepted: %s; default: %s", env, description, "", accepted,
                defaultText == null || defaultText.isEmpty() ? "(none)" : secret ? "(set per environment)" : defaultText);
    }

    static Setting text(String env, String property, String defaultText, String description) {
        return new Setting(env, property, defaultText, "text", description, false, value -> null);
    }

    static Setting secret(String env, String description) {
        return new Setting(env, null, null, "text (a secret: never printed)", description, true, value -> null);
    }

    static Setting integer(String env, String property, long defaultValue, long min, long max, String description) {
        return new Setting(env, property, Long.toString(defaultValue), "an integer from " + min + " to " + max, description, false,
                value -> {
                    try {
                        long number = Long.parseLong(value.trim());
                        return number < min || number > max ? "out of range" : null;
                    } catch (NumberFormatException e) {
                        return "not an integer";
                    }
                });
    }

    static Setting decimal(String env, String property, String defaultValue, double min, double max, String description) {
        return new Setting(env, property, defaultValue, "a number from " + min + " to " + max, description, false,
                value -> {
                    try {
                        BigDecimal number = new BigDecimal(value.trim());
                        return number.compareTo(BigDecimal.valueOf(min)) < 0 || number.compareTo(BigDecimal.valueOf(max)) > 0
                                ? "out of range" : null;
                    } catch (NumberFormatException e) {
                        return "not a number";
                    }
                });
    }

    static Setting bool(String env, String property, boolean defaultValue, String description) {
        return new Setting(env, property, Boolean.toString(defaultValue), "true or false", description, false,
                value -> value.trim().equalsIgnoreCase("true") || value.trim().equalsIgnoreCase("false") ? null : "not true or false");
    }

    static Setting choice(String env, String property, String defaultValue, List<String> values, String description) {
        return new Setting(env, property, defaultValue, "one of " + String.join(", ", values), description, false,
                value -> values.stream().anyMatch(v -> v.equalsIgnoreCase(value.trim())) ? null : "not one of them");
    }

    static Setting duration(String env, String property, String defaultValue, Duration min, Duration max, String description) {
        return new Setting(env, property, defaultValue, "seconds (600), 90s, 10m, 1h, 90d or ISO-8601 (PT10M), from "
                + Durations.format(min) + " to " + Durations.format(max), description, false, value -> {
                    try {
                        Duration parsed = Durations.parse(value);
                        return parsed.compareTo(min) < 0 ? "shorter than " + Durations.format(min)
                                : parsed.compareTo(max) > 0 ? "longer than " + Durations.format(max) : null;
                    } catch (IllegalArgumentException e) {
                        return e.getMessage();
                    }
                });
    }

    /** A JDBC URL of a database the run state store supports; the value shown masked (it may hold a password). */
    static Setting jdbcUrl(String env, String property, String description) {
        return new Setting(env, property, null, "jdbc:postgresql://host:5432/database[?...] (or jdbc:h2:...)", description, false,
                value -> value.startsWith("jdbc:postgresql://") || value.startsWith("jdbc:h2:") ? null
                        : "not a PostgreSQL (or H2) JDBC URL");
    }

    static Setting duration(String env, String property, String defaultValue, Duration max, String description) {
        return new Setting(env, property, defaultValue, "seconds (600), 90s, 10m, 1h or ISO-8601 (PT10M), at most "
                + max.toHours() + "h", description, false, value -> {
                    try {
                        Duration parsed = Durations.parse(value);
                        return parsed.compareTo(max) > 0 ? "longer than " + max.toHours() + "h" : null;
                    } catch (IllegalArgumentException e) {
                        return e.getMessage();
                    }
                });
    }

    static Setting url(String env, String property, String defaultValue, String description) {
        return new Setting(env, property, defaultValue, "an http:// or https:// URL without user or password", description,
                false, Setting::urlProblem);
    }

    /** Null for a usable base URL; user-info is refused (it would be a password in a URL, logged with it). */
    static String urlProblem(String value) {
        try {
            URI uri = new URI(value.trim());
            if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
                return "not an http:// or https:// URL";
            }
            if (uri.getRawUserInfo() != null) {
                return "it carries a user and password; pass credentials as secrets, not in the URL";
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                return "no host";
            }
            // "http://h:" parses with no port, and the call would go to port 80 (or 443) unannounced
            if (uri.getPort() == -1 && uri.getRawAuthority().endsWith(":")) {
                return "a ':' with no port after it; give the port or leave out the ':'";
            }
            if (uri.getPort() == 0 || uri.getPort() > 65535) {
                return "port " + uri.getPort() + " is not a port (1 to 65535)";
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return "a base URL has no ?query or #fragment";
            }
            return null;
        } catch (URISyntaxException e) {
            return "not a URL (" + e.getReason() + ")";
        }
    }
}
