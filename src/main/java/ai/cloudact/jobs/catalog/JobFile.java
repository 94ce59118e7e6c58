package ai.cloudact.jobs.catalog;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ai.cloudact.jobs.run.Quoted.quote;

/**
 * Reads a job file as plain YAML, without Camel: the route with the file's name as id (its
 * {@code description}, its quartz trigger's cron and time zone), the {@link JobSpec} bean named
 * {@code <id>-job}, and the secrets it reads. Every problem is an IllegalArgumentException whose
 * message says what to change.
 */
final class JobFile {

    static final String SPEC_TYPE = JobSpec.class.getName();
    private static final Pattern SECRET = Pattern.compile("\\{\\{secret:([A-Za-z0-9_]+)}}");

    private JobFile() {
    }

    static Job read(String id, String location, Pack pack) {
        String text = Locations.read(location);
        if (text == null) {
            throw new IllegalArgumentException("does not exist");
        }
        Object document = SafeYaml.load(text, location);
        if (!(document instanceof List<?> items)) {
            throw new IllegalArgumentException("a job file is a YAML list (- beans: ..., - route: ...), not "
                    + (document == null ? "empty" : document instanceof Map ? "a mapping" : "a " + document.getClass().getSimpleName()));
        }
        Map<?, ?> route = null;
        Map<?, ?> spec = null;
        for (Object item : items) {
            if (item instanceof Map<?, ?> map && map.get("route") instanceof Map<?, ?> candidate && id.equals(candidate.get("id"))) {
                route = candidate;
            }
            if (item instanceof Map<?, ?> map && map.get("beans") instanceof List<?> beans) {
                for (Object bean : beans) {
                    if (bean instanceof Map<?, ?> b && SPEC_TYPE.equals(b.get("type"))) {
                        if (!(id + "-job").equals(b.get("name"))) {
                            throw new IllegalArgumentException("the " + JobSpec.class.getSimpleName() + " bean must be named '"
                                    + id + "-job', not '" + b.get("name") + "'");
                        }
                        spec = b.get("properties") instanceof Map<?, ?> properties ? properties : Map.of();
                    }
                }
            }
        }
        if (route == null) {
            throw new IllegalArgumentException("no route with id '" + id + "': a job's route id must match its file name");
        }
        List<String> notes = new ArrayList<>();
        Object description = route.get("description");
        if (!(description instanceof String summary) || summary.isBlank()) {
            notes.add("the route has no description: add `description: \"what the job does\"` under `id: " + id + "`");
        }
        if (spec == null) {
            notes.add("no " + JobSpec.class.getSimpleName() + " bean: deployed with the defaults (add `- beans: [{name: " + id
                    + "-job, type: " + SPEC_TYPE + ", properties: {longName: ..., timeout: 10m, retries: 1}}]`)");
        }
        JobSpec facts = spec(spec);
        checkFanOut(facts, text);
        return new Job(id, pack.name(), location, description instanceof String s && !s.isBlank() ? s.trim() : "(no description)",
                facts, schedule(route, pack), secrets(text), List.copyOf(notes));
    }

    /** Parallel tasks only for a fan-out job, and a fan-out job keeps only its share (or every task would do everything). */
    private static void checkFanOut(JobSpec spec, String text) {
        if (spec.getShards() > 1 && !spec.isFanOut()) {
            throw new IllegalArgumentException(JobSpec.class.getSimpleName() + ": shards: " + spec.getShards()
                    + " needs fanOut: true (a job that is not a fan-out runs as one task)");
        }
        if (spec.isFanOut() && !text.replaceAll("(?m)#.*$", "").matches("(?s).*ref:\\s*shardShare\\b.*")) {
            throw new IllegalArgumentException(JobSpec.class.getSimpleName() + ": fanOut: true, but the route never keeps"
                    + " its share: add `- process: {ref: shardShare}` in its split, after setting the exchange property shardKey");
        }
    }

    private static JobSpec spec(Map<?, ?> properties) {
        if (properties == null) {
            return new JobSpec();
        }
        for (Object value : properties.values()) {
            if (value instanceof String text && text.contains("{{")) {
                throw new IllegalArgumentException(JobSpec.class.getSimpleName() + ": '" + text
                        + "': deploy facts are literal values, not placeholders");
            }
        }
        JobSpec spec = new JobSpec();
        properties.forEach((name, value) -> set(spec, String.valueOf(name), value));
        return spec;
    }

    /**
     * One property through JobSpec's setter, which checks the value. Plain reflection, not a JSON
     * mapper: binding nine scalars is not worth Jackson's ObjectMapper (some 250 classes more) in the
     * start of every job, nor in the AOT cache that every run loads.
     */
    private static void set(JobSpec spec, String name, Object value) {
        Method setter = Arrays.stream(JobSpec.class.getMethods())
                .filter(m -> m.getParameterCount() == 1 && m.getName().equals("set" + capitalized(name)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(JobSpec.class.getSimpleName() + ": unknown property "
                        + quote(name) + "; the properties are " + String.join(", ", propertyNames())));
        try {
            setter.invoke(spec, scalar(name, value, setter.getParameterTypes()[0]));
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(JobSpec.class.getSimpleName() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The YAML value as the setter's type: text, a whole number or true/false; anything else is an error. */
    private static Object scalar(String name, Object value, Class<?> type) {
        String text = value == null ? "null" : String.valueOf(value).trim();
        if (type == String.class && (value instanceof String || value instanceof Number || value instanceof Boolean)) {
            return text;
        }
        if (type == int.class && (value instanceof Integer || value instanceof String) && text.matches("-?\\d{1,9}")) {
            return Integer.parseInt(text);
        }
        if (type == boolean.class && (value instanceof Boolean || text.equals("true") || text.equals("false"))) {
            return Boolean.parseBoolean(text);
        }
        String expected = type == int.class ? "a whole number" : type == boolean.class ? "true or false" : "a text";
        throw new IllegalArgumentException(JobSpec.class.getSimpleName() + ": " + name + ": " + quote(text) + " is not " + expected);
    }

    private static List<String> propertyNames() {
        return Arrays.stream(JobSpec.class.getMethods())
                .filter(m -> m.getParameterCount() == 1 && m.getName().startsWith("set"))
                .map(m -> Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4))
                .sorted()
                .toList();
    }

    private static String capitalized(String name) {
        return name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    /** The trigger's cron and time zone; null for a manual job ({@code trigger.repeatCount: 0}). */
    private static Schedule schedule(Map<?, ?> route, Pack pack) {
        if (!(route.get("from") instanceof Map<?, ?> from) || !(from.get("uri") instanceof String uri)) {
            throw new IllegalArgumentException("the route has no `from: {uri: ...}` trigger");
        }
        if (!uri.startsWith("quartz:")) {
            throw new IllegalArgumentException("the trigger must be a quartz endpoint, not " + uri);
        }
        Map<?, ?> parameters = from.get("parameters") instanceof Map<?, ?> map ? map : Map.of();
        Object cron = parameters.get("cron");
        if (cron == null) {
            if (!"0".equals(String.valueOf(parameters.get("trigger.repeatCount")))) {
                throw new IllegalArgumentException("no cron on the quartz trigger (a manual job says trigger.repeatCount: 0)");
            }
            return null;
        }
        Object zone = parameters.get("trigger.timeZone");
        String cronText = cron.toString();
        String zoneText = zone == null ? pack.timeZone() : zone.toString();
        if (cronText.contains("{{") || zoneText.contains("{{")) {
            throw new IllegalArgumentException("write the cron and trigger.timeZone literally, not as placeholders:"
                    + " the deploy files are generated from them");
        }
        return Schedule.of(cronText, zoneText);
    }

    private static List<String> secrets(String text) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        Matcher secret = SECRET.matcher(text.replaceAll("(?m)^\\s*#.*$", ""));
        while (secret.find()) {
            names.add(secret.group(1));
        }
        return List.copyOf(names);
    }
}
