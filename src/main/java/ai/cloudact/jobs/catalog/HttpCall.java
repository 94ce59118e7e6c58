package ai.cloudact.jobs.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one HTTP call a job file declares, read as plain YAML without Camel, as the file writes it
 * ({@code {{placeholders}}} left in): what a plain Cloud Scheduler HTTP job would send instead of the
 * runtime, and what a test expects to arrive. Only a job whose file sets {@code callUri} once and
 * fans out nothing has one; fan-outs, several calls or BigQuery have none.
 *
 * @param method         the {@code CamelHttpMethod} header (POST when the file sets none)
 * @param uri            the {@code callUri}, e.g. {@code {{worker.url}}/api/v1/scheduled/clear-sessions/}
 * @param body           the request body, or null
 * @param headers        the headers the file sets, by name (Content-Type and credentials included)
 * @param googleIdToken  the call carries a Google ID token ({@code - process: {ref: googleIdToken}})
 * @param expectedStatus the status the answer must report ({@code direct:expect-status}), or null
 */
public record HttpCall(String method, String uri, String body, Map<String, String> headers, boolean googleIdToken,
                       String expectedStatus) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]+)}}");

    /** The call the job's file declares; empty when it does not declare exactly one. */
    public static Optional<HttpCall> of(Job job) {
        String text = Locations.read(job.location());
        if (text == null) {
            return Optional.empty();
        }
        List<Map<?, ?>> steps = new ArrayList<>();
        collectSteps(SafeYaml.load(text, job.location()), steps);
        List<String> uris = new ArrayList<>();
        Map<String, String> headers = new LinkedHashMap<>();
        String method = "POST";
        String body = null;
        String expectedStatus = null;
        boolean idToken = false;
        for (Map<?, ?> step : steps) {
            if (step.containsKey("split")) {
                return Optional.empty();
            }
            if (step.get("setHeader") instanceof Map<?, ?> header && header.get("constant") != null) {
                String name = String.valueOf(header.get("name"));
                if (name.equals("CamelHttpMethod")) {
                    method = String.valueOf(header.get("constant"));
                } else {
                    headers.put(name, String.valueOf(header.get("constant")));
                }
            }
            if (step.get("setProperty") instanceof Map<?, ?> property && property.get("constant") != null) {
                if ("callUri".equals(property.get("name"))) {
                    uris.add(String.valueOf(property.get("constant")));
                } else if ("expectedStatus".equals(property.get("name"))) {
                    expectedStatus = String.valueOf(property.get("constant"));
                }
            }
            if (step.get("setBody") instanceof Map<?, ?> set && set.get("constant") != null) {
                body = String.valueOf(set.get("constant"));
            }
            if (step.get("process") instanceof Map<?, ?> process && "googleIdToken".equals(process.get("ref"))) {
                idToken = true;
            }
        }
        return uris.size() == 1 ? Optional.of(new HttpCall(method, uris.get(0), body, Map.copyOf(headers), idToken, expectedStatus))
                : Optional.empty();
    }

    /** Every {@code callUri} the job's file sets, as written (a fan-out or a helper route may set several). */
    public static List<String> callUris(Job job) {
        String text = Locations.read(job.location());
        List<Map<?, ?>> steps = new ArrayList<>();
        collectSteps(text == null ? null : SafeYaml.load(text, job.location()), steps);
        List<String> uris = new ArrayList<>();
        for (Map<?, ?> step : steps) {
            if (step.get("setProperty") instanceof Map<?, ?> property && "callUri".equals(property.get("name"))) {
                Object uri = property.get("constant") != null ? property.get("constant") : property.get("simple");
                if (uri != null) {
                    uris.add(String.valueOf(uri));
                }
            }
        }
        return uris;
    }

    /** The same call with every {@code {{placeholder}}} replaced by what {@code value} gives for its name. */
    public HttpCall resolve(UnaryOperator<String> value) {
        Map<String, String> resolved = new LinkedHashMap<>();
        headers.forEach((name, text) -> resolved.put(name, replace(text, value)));
        return new HttpCall(method, replace(uri, value), body == null ? null : replace(body, value), resolved, googleIdToken,
                expectedStatus);
    }

    /** The names in {@code {{...}}} of the URI, e.g. {@code worker.url}. */
    public List<String> uriPlaceholders() {
        List<String> names = new ArrayList<>();
        Matcher placeholder = PLACEHOLDER.matcher(uri);
        while (placeholder.find()) {
            names.add(placeholder.group(1));
        }
        return names;
    }

    private static String replace(String text, UnaryOperator<String> value) {
        Matcher placeholder = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (placeholder.find()) {
            placeholder.appendReplacement(out, Matcher.quoteReplacement(value.apply(placeholder.group(1))));
        }
        return placeholder.appendTail(out).toString();
    }

    /** Every step mapping of the file's routes, depth first, in file order. */
    private static void collectSteps(Object node, List<Map<?, ?>> steps) {
        if (node instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> map) {
                    steps.add(map);
                }
                collectSteps(item, steps);
            }
        } else if (node instanceof Map<?, ?> map) {
            map.values().forEach(value -> collectSteps(value, steps));
        }
    }
}
