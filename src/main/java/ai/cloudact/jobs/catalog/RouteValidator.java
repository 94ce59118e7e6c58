package ai.cloudact.jobs.catalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.CircuitBreakerDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.FilterDefinition;
import org.apache.camel.model.LoopDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetHeaderDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
import org.apache.camel.spi.Language;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.quartz.CronExpression;

/**
 * {@code --validate [dir]}: checks job files before they are deployed, without starting them. Each
 * file must declare a job the catalog can read (route id = file name, a valid cron and time zone or
 * {@code trigger.repeatCount: 0}, a valid {@link JobSpec}), parse as Camel YAML DSL, resolve every
 * {@code {{property}}} (in the local environment, plus the file's own defaults) and compile every
 * simple expression; its route must authenticate before its HTTP calls, make them inside a circuit
 * breaker, and put secrets in {@code constant:} expressions only. Problems are reported as
 * {@code file:line: problem}; what the file leaves to defaults is a note.
 */
public final class RouteValidator {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]+)}}");
    private static final Pattern CREDENTIAL_HEADER = Pattern.compile("(?i)authorization|.*key.*|.*token.*");
    private static final String CALL = "direct:outbound-call";

    /** What --validate found: problems fail it, notes do not. */
    public record Report(int files, List<String> problems, List<String> notes) {
    }

    private final Pack pack;
    private final Map<String, String> properties;
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int files;

    private RouteValidator(Pack pack, Map<String, String> properties) {
        this.pack = pack;
        this.properties = properties;
    }

    /**
     * Every job file of the catalog (the pack's, with ROUTES_DIR laid over).
     *
     * @param properties the settings a job file may use, with their local values (the runtime's defaults
     *                   and the pack's); application.properties is read as well
     */
    public static Report validate(JobCatalog catalog, Map<String, String> properties) {
        RouteValidator validator = new RouteValidator(catalog.pack(), properties);
        for (String id : catalog.ids()) {
            validator.check(id, catalog.location(id));
        }
        return validator.report();
    }

    /** Every {@code *.yaml} job file in a directory. */
    public static Report validateDirectory(Path dir, Pack pack, Map<String, String> properties) {
        RouteValidator validator = new RouteValidator(pack, properties);
        for (String name : Locations.list(Locations.ofFile(dir))) {
            if (name.endsWith(".yaml") && !name.endsWith(".sandbox.yaml")) {
                validator.check(name.substring(0, name.length() - ".yaml".length()), Locations.ofFile(dir.resolve(name)));
            }
        }
        return validator.report();
    }

    private Report report() {
        return new Report(files, List.copyOf(problems), List.copyOf(notes));
    }

    private void check(String id, String location) {
        files++;
        String file = location.replaceFirst("^(classpath|file):", "");
        Job job;
        try {
            job = JobFile.read(id, location, pack);
            job.notes().forEach(note -> notes.add(file + ": " + note));
        } catch (RuntimeException e) {
            // the parser names the line where it gave up last
            String message = String.valueOf(e.getMessage()).replace(" in " + location + ",", " at").replace(location, file);
            Matcher line = Pattern.compile("line (\\d+)").matcher(message);
            String at = "1";
            while (line.find()) {
                at = line.group(1);
            }
            problems.add(file + ":" + at + ": " + message);
            return;
        }
        String text = Locations.read(location);
        try (CamelContext context = new DefaultCamelContext()) {
            context.setSourceLocationEnabled(true);
            PropertiesComponent resolver = context.getPropertiesComponent();
            resolver.setLocation("classpath:application.properties");
            java.util.Properties initial = new java.util.Properties();
            initial.putAll(properties);
            resolver.setInitialProperties(initial);
            // secrets are not read by a check: any value stands in for them
            resolver.addPropertiesFunction(new org.apache.camel.spi.PropertiesFunction() {
                @Override
                public String getName() {
                    return "secret";
                }

                @Override
                public String apply(String remainder) {
                    return "secret";
                }
            });
            checkPlaceholders(file, text, resolver);
            try {
                PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString(location, text));
            } catch (Exception e) {
                // the parser names the line where it gave up last
                Matcher line = Pattern.compile("line (\\d+)").matcher(oneLine(e));
                String at = "1";
                while (line.find()) {
                    at = line.group(1);
                }
                problems.add(file + ":" + at + ": does not parse as Camel YAML DSL: "
                        + oneLine(e).replace(location, "").replace(" in , ", " at ").replace(": : ", ": "));
                return;
            }
            List<RouteDefinition> routes = ((ModelCamelContext) context).getRouteDefinitions();
            Optional<RouteDefinition> route = routes.stream().filter(r -> id.equals(r.getId())).findFirst();
            if (route.isEmpty()) {
                problems.add(file + ":1: no route with id '" + id + "': a job's route id must match its file name");
            } else {
                checkJob(file, route.get(), routes);
            }
            for (RouteDefinition each : routes) {
                checkExpressions(file, each.getOutputs(), context);
            }
        } catch (Exception e) {
            problems.add(file + ": cannot be checked: " + oneLine(e));
        }
    }

    /** The job's route; its helper routes in the same file (direct:) count for calls, auth and breakers. */
    private void checkJob(String file, RouteDefinition route, List<RouteDefinition> routesOfFile) {
        String where = file + ":" + route.getLineNumber() + ": ";
        List<ProcessorDefinition<?>> steps = new ArrayList<>();
        routesOfFile.forEach(each -> collect(each.getOutputs(), steps));
        boolean calls = steps.stream().anyMatch(step -> step instanceof ToDefinition to && to.getUri().startsWith(CALL));
        boolean authenticates = steps.stream().anyMatch(step ->
                (step instanceof SetHeaderDefinition header && CREDENTIAL_HEADER.matcher(header.getName()).matches())
                || (step instanceof ProcessDefinition process && "googleIdToken".equals(process.getRef())));
        if (calls && !authenticates) {
            problems.add(where + "no authentication step: set a credential header (X-CA-Root-Key, Authorization, apikey),"
                    + " or add `- process: {ref: googleIdToken}`");
        }
        boolean anyCall = false;
        for (ProcessorDefinition<?> step : steps) {
            if (step instanceof ToDefinition to && isOutbound(to.getUri())) {
                anyCall = true;
                if (!insideCircuitBreaker(step)) {
                    problems.add(file + ":" + step.getLineNumber() + ": the call to " + to.getUri()
                            + " is not inside a circuitBreaker");
                }
            }
        }
        if (!anyCall) {
            problems.add(where + "no outbound call inside a circuitBreaker (to: " + CALL + ", or a google-bigquery endpoint)");
        }
    }

    /** Every {{placeholder}} in the file must resolve, unless it carries its own default. */
    private void checkPlaceholders(String file, String text, PropertiesComponent properties) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher placeholder = PLACEHOLDER.matcher(lines[i]);
            while (placeholder.find()) {
                String key = placeholder.group(1);
                if (key.contains(":")) {
                    continue; // {{key:default}} or a function such as {{env:NAME}}: resolves by construction
                }
                if (properties.resolveProperty(key).isEmpty()) {
                    problems.add(file + ":" + (i + 1) + ": unknown property {{" + key + "}}: define it in "
                            + "application.properties or give it a default ({{" + key + ":value}})");
                }
            }
        }
    }

    private void checkExpressions(String file, List<ProcessorDefinition<?>> steps, CamelContext context) {
        Language simple = context.resolveLanguage("simple");
        List<ProcessorDefinition<?>> all = new ArrayList<>();
        collect(steps, all);
        for (ProcessorDefinition<?> step : all) {
            if (!(step instanceof ExpressionNode node) || node.getExpression() == null) {
                continue;
            }
            ExpressionDefinition expression = node.getExpression();
            if (!"simple".equals(expression.getLanguage())) {
                continue;
            }
            if (expression.getExpression().contains("{{secret:")) {
                problems.add(file + ":" + step.getLineNumber() + ": a secret in a simple expression: simple would evaluate any"
                        + " ${...} inside the secret's value; use `constant:` (placeholders are still resolved there)");
                continue;
            }
            try {
                String text = context.resolvePropertyPlaceholders(expression.getExpression());
                if (isPredicate(step)) {
                    simple.createPredicate(text);
                } else {
                    simple.createExpression(text);
                }
            } catch (RuntimeException e) {
                problems.add(file + ":" + step.getLineNumber() + ": invalid simple expression: " + oneLine(e));
            }
        }
    }

    private static boolean isPredicate(Object step) {
        return step instanceof WhenDefinition || step instanceof FilterDefinition || step instanceof LoopDefinition;
    }

    private static void collect(List<ProcessorDefinition<?>> steps, List<ProcessorDefinition<?>> into) {
        for (ProcessorDefinition<?> step : steps) {
            into.add(step);
            collect(step.getOutputs(), into);
        }
    }

    private static boolean isOutbound(String uri) {
        return uri.startsWith(CALL) || uri.startsWith("google-bigquery") || uri.startsWith("http");
    }

    private static boolean insideCircuitBreaker(ProcessorDefinition<?> step) {
        Object parent = step.getParent();
        while (parent instanceof ProcessorDefinition<?> definition) {
            if (definition instanceof CircuitBreakerDefinition) {
                return true;
            }
            parent = definition.getParent();
        }
        return false;
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            if (root.getMessage() != null && !message.toString().contains(root.getMessage())) {
                message.append(": ").append(root.getMessage());
            }
        }
        return message.toString().replaceAll("\\s+", " ").trim();
    }
}
