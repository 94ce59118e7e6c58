package ai.cloudact.jobs.catalog;

import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;

/**
 * A job set: the directory {@code packs/<name>/} of job files plus its {@code pack.properties}, the
 * pack's settings and defaults. A key applies in every environment; {@code %<environment>.key}
 * (local, test, stage, prod) applies only there and wins. The comment lines right above a key
 * describe it ({@code --help} prints them).
 */
public final class Pack {

    public static final String DEFAULT = "cloudact";
    public static final String ROOT = "classpath:packs/";
    public static final String PROPERTIES = "pack.properties";

    // compiled once, not once a line: every start reads the file (about a hundred lines)
    private static final Pattern SECTION = Pattern.compile("#+\\s*---.*");
    private static final Pattern COMMENT_MARK = Pattern.compile("^#+\\s*");
    private static final Pattern KEY_END = Pattern.compile("\\s*[=:]\\s*|\\s+");

    private final String name;
    private final Map<String, String> values;
    private final Map<String, String> descriptions;

    private Pack(String name, Map<String, String> values, Map<String, String> descriptions) {
        this.name = name;
        this.values = values;
        this.descriptions = descriptions;
    }

    /** The shipped packs. */
    public static List<String> names() {
        return Locations.directories(ROOT);
    }

    public static Pack load(String name) {
        String wanted = name == null || name.isBlank() ? DEFAULT : name.trim();
        String text = wanted.matches("[a-z0-9-]{1,40}") ? Locations.read(ROOT + wanted + "/" + PROPERTIES) : null;
        if (text == null) {
            throw new ConfigurationException("Unknown pack '" + wanted + "': set PACK to one of " + names());
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException(ROOT + wanted + "/" + PROPERTIES + ": " + e.getMessage());
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key).trim()));
        return new Pack(wanted, values, descriptions(text));
    }

    public String name() {
        return name;
    }

    /** Where its job files are. */
    public String directory() {
        return ROOT + name + "/";
    }

    /** The pack's settings in one environment: plain keys, overlaid by that environment's %-keys. */
    public Map<String, String> properties(Environment environment) {
        Map<String, String> resolved = new TreeMap<>();
        values.forEach((key, value) -> {
            if (!key.startsWith("%")) {
                resolved.put(key, value);
            }
        });
        String prefix = "%" + environment.id() + ".";
        values.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                resolved.put(key.substring(prefix.length()), value);
            }
        });
        return resolved;
    }

    /** Every key of the pack (without %-prefixes) with its comment, for --help. */
    public Map<String, String> described() {
        Map<String, String> keys = new LinkedHashMap<>();
        values.keySet().stream().map(key -> key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key)
                .distinct().sorted().forEach(key -> keys.put(key, descriptions.getOrDefault(key, "")));
        return keys;
    }

    /** The value of a key in an environment, or {@code fallback}. */
    public String get(String key, Environment environment, String fallback) {
        return properties(environment).getOrDefault(key, fallback);
    }

    /** The time zone of a job whose trigger names none. */
    public String timeZone() {
        return values.getOrDefault("pack.time.zone", "Etc/UTC");
    }

    /**
     * The job's deployed name in an environment, from {@code deploy.name} (default {@code {name}-{stage}},
     * and {@code {name}} in prod): {name} is the job's long name, {job} its id, {stage} the environment's
     * {@code deploy.stage} (default the environment's id).
     */
    public String deployName(Job job, Environment environment) {
        String pattern = get("deploy.name", environment, environment == Environment.PROD ? "{name}" : "{name}-{stage}");
        return pattern.replace("{name}", job.longName()).replace("{job}", job.id()).replace("{pack}", name)
                .replace("{stage}", get("deploy.stage", environment, environment.id()));
    }

    private static Map<String, String> descriptions(String text) {
        Map<String, String> descriptions = new TreeMap<>();
        StringBuilder comment = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.trim();
            if (SECTION.matcher(trimmed).matches()) {
                comment.setLength(0); // a section heading, not the description of the key below it
            } else if (trimmed.startsWith("#")) {
                comment.append(comment.isEmpty() ? "" : " ").append(COMMENT_MARK.matcher(trimmed).replaceFirst(""));
            } else if (trimmed.isEmpty()) {
                comment.setLength(0);
            } else {
                String key = KEY_END.split(trimmed, 2)[0];
                key = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
                if (!comment.isEmpty()) {
                    descriptions.putIfAbsent(key, comment.toString());
                }
                comment.setLength(0);
            }
        }
        return descriptions;
    }
}
