package ai.cloudact.jobs;

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
 * {@code --validate [dir]}: checks job route files before they are deployed, without starting them.
 * Each file must parse as Camel YAML DSL, every {@code {{property}}} must resolve (in the local
 * environment, plus the file's own defaults), every simple expression must compile, and each job
 * route must have an id matching its file name, a quartz trigger with a valid cron (or
 * {@code trigger.repeatCount: 0} for a manual job), an authentication step before its HTTP calls,
 * and its calls inside a circuit breaker. Problems are reported as {@code file:line: problem}.
 */
final class RouteValidator {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]+)}}");
    private static final String CALL = "direct:outbound-call";

    private final List<String> problems = new ArrayList<>();

    /** Validates every {@code *.yaml} in {@code dir}, or the shipped routes (with ROUTES_DIR laid over) if null. */
    static List<String> validate(Path dir, JobCatalog catalog) throws IOException {
        RouteValidator validator = new RouteValidator();
        if (dir != null) {
            List<Path> sorted = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.yaml")) {
                files.forEach(sorted::add);
            }
            sorted.sort(null);
            {
                for (Path file : sorted) {
                    validator.check(file.toString(), "file:" + file.toAbsolutePath(),
                            Files.readString(file, StandardCharsets.UTF_8));
                }
            }
        } else {
            for (Job job : catalog.jobs()) {
                validator.check(job.routeLocation().replaceFirst("^(classpath|file):", ""), job.routeLocation(),
                        read(job.routeLocation()));
            }
        }
        return validator.problems;
    }

    private void check(String file, String location, String text) {
        String id = Path.of(file).getFileName().toString().replaceFirst("\\.yaml$", "");
        try (CamelContext context = new DefaultCamelContext()) {
            context.setSourceLocationEnabled(true);
            PropertiesComponent properties = context.getPropertiesComponent();
            properties.setLocation("classpath:application.properties,classpath:application-local.properties");
            checkPlaceholders(file, text, properties);
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
            Optional<RouteDefinition> job = routes.stream().filter(route -> id.equals(route.getId())).findFirst();
            if (job.isEmpty()) {
                problems.add(file + ":1: no route with id '" + id + "': a job's route id must match its file name");
            } else {
                checkJob(file, job.get(), routes, context);
            }
            for (RouteDefinition route : routes) {
                checkExpressions(file, route.getOutputs(), context);
            }
        } catch (Exception e) {
            problems.add(file + ": cannot be checked: " + oneLine(e));
        }
    }

    /** The job's route; its helper routes in the same file (direct:) count for calls, auth and breakers. */
    private void checkJob(String file, RouteDefinition route, List<RouteDefinition> routesOfFile, CamelContext context) {
        String where = file + ":" + route.getLineNumber() + ": ";
        String trigger = route.getInput().getEndpointUri();
        if (!trigger.startsWith("quartz:")) {
            problems.add(where + "the trigger must be a quartz endpoint, not " + trigger);
        } else {
            Map<String, String> parameters = queryOf(context.resolvePropertyPlaceholders(trigger));
            String cron = parameters.get("cron");
            if (cron == null && !"0".equals(parameters.get("trigger.repeatCount"))) {
                problems.add(where + "no cron on the quartz trigger (a manual job says trigger.repeatCount: 0)");
            } else if (cron != null && !CronExpression.isValidExpression(cron.replace('+', ' '))) {
                problems.add(where + "invalid Quartz cron '" + cron + "' (six fields, seconds first: 0 0 3 * * ?)");
            }
        }
        List<ProcessorDefinition<?>> steps = new ArrayList<>();
        routesOfFile.forEach(each -> collect(each.getOutputs(), steps));
        boolean calls = steps.stream().anyMatch(step -> step instanceof ToDefinition to && to.getUri().startsWith(CALL));
        boolean authenticates = steps.stream().anyMatch(step ->
                (step instanceof SetHeaderDefinition header
                        && ("X-CA-Root-Key".equalsIgnoreCase(header.getName()) || "Authorization".equalsIgnoreCase(header.getName())))
                || (step instanceof ProcessDefinition process && "googleIdToken".equals(process.getRef())));
        if (calls && !authenticates) {
            problems.add(where + "no authentication step: set the X-CA-Root-Key or Authorization header, "
                    + "or add `- process: {ref: googleIdToken}`");
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

    private static Map<String, String> queryOf(String uri) {
        int query = uri.indexOf('?');
        if (query < 0) {
            return Map.of();
        }
        try {
            Map<String, Object> parameters = org.apache.camel.util.URISupport.parseQuery(uri.substring(query + 1));
            Map<String, String> text = new java.util.HashMap<>();
            parameters.forEach((key, value) -> text.put(key, String.valueOf(value)));
            return text;
        } catch (Exception e) {
            return Map.of();
        }
    }

    private static String read(String location) throws IOException {
        if (location.startsWith("file:")) {
            return Files.readString(Path.of(location.substring("file:".length())), StandardCharsets.UTF_8);
        }
        try (var in = RouteValidator.class.getClassLoader().getResourceAsStream(location.substring("classpath:".length()))) {
            if (in == null) {
                throw new IOException(location + " does not exist");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
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
