package ai.cloudact.jobs.runtime;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.Locations;
import ai.cloudact.jobs.http.JobsHttpComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.component.direct.DirectComponent;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.SimpleMainShutdownStrategy;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;

/**
 * Camel Main for a set of jobs: the runtime's defaults, the pack's settings for the environment,
 * {@code {{secret:NAME}}}, the shared configuration ({@code shared/*.yaml}), the jobs' own files and
 * the shared steps they call ({@code steps/}) only, so a broken or slow file of another job
 * cannot affect them.
 *
 * <p>Each job route's quartz trigger (which documents the schedule and feeds the deploy files) is
 * swapped for {@code direct:job-<id>} before the route starts: the runtime fires a job itself, one
 * exchange per run, on the same path whatever started it (the platform's scheduler, the service's
 * own triggers, an HTTP request).
 */
public final class CamelSetup {

    private static final String SHARED = "classpath:shared/";
    private static final String STEPS = "classpath:steps/";
    private static final Pattern DIRECT = Pattern.compile("direct:([A-Za-z0-9-]+)");

    private CamelSetup() {
    }

    /** The endpoint a job's run is sent to. */
    public static String entry(String jobId) {
        return "direct:job-" + jobId;
    }

    /**
     * @param properties the pack's settings for the environment, then the runtime's overrides (they win
     *                   over application.properties; the environment variables and -D win over them)
     */
    public static Main newMain(Collection<Job> jobs, Settings settings, Map<String, String> properties) {
        Main main = new Main();
        // no graceful-hangup hook: the runtime handles SIGTERM itself (summary, exit code)
        main.setShutdownStrategy(new SimpleMainShutdownStrategy());
        // Camel's http and https components, without their start-up costs: TLS set up at the first https
        // connection only, no cookie specifications (JobsHttpComponent)
        main.bind("http", new JobsHttpComponent());
        main.bind("https", new JobsHttpComponent());
        // each file by its name: Camel resolves a wildcard (shared/*.yaml) by reading the whole jar that
        // holds the directory, entry by entry (0.015 s of every start)
        main.configure().withRoutesIncludePattern(Stream.of(shared(), jobs.stream().map(Job::location), steps(jobs).stream())
                .flatMap(locations -> locations).collect(Collectors.joining(",")));
        // No Camel bean post-processing: it looks for Camel's injection annotations (@PropertyInject,
        // @BeanInject, ...) on every method of every bean, up to Object, and no class here uses them;
        // reading the JDK's annotations on the way (@IntrinsicCandidate) costs a proxy class each. Off
        // before the YAML beans are made (beforeConfigure), and kept off by the main setting.
        main.configure().withBeanPostProcessorEnabled(false);
        Settings.defaults().forEach(main::addInitialProperty);
        properties.forEach(main::addOverrideProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configured) {
                CamelContext context = configured.getCamelContext();
                PluginHelper.getBeanPostProcessor(context).setEnabled(false);
                context.getPropertiesComponent().addPropertiesFunction(new SecretFunction(context, settings, properties));
            }

            @Override
            public void afterConfigure(BaseMainSupport configured) {
                jobs.forEach(job -> fireByHand(configured.getCamelContext(), job.id()));
            }
        });
        return main;
    }

    /**
     * Reads the annotations that Camel Main reads when it builds the components every job uses (http
     * and https, direct): the JDK makes a proxy class for each annotation type at its first read
     * (@Component, @Metadata, and their own @Retention and @Target), about 0.01 s. Called on another
     * thread before Camel Main starts (OneShot.prepareInBackground).
     */
    public static void prepare() {
        HttpComponent.class.getAnnotations();
        DirectComponent.class.getAnnotations();
    }

    /** The shared configuration every job loads: the YAML files in {@code shared/}. */
    private static Stream<String> shared() {
        return Locations.list(SHARED).stream().filter(name -> name.endsWith(".yaml")).map(name -> SHARED + name);
    }

    /**
     * The shared steps the jobs' files call ({@code to: direct:<name>}) that live in
     * {@code steps/<name>.yaml}: loaded only for the jobs that use them, so a step one pack
     * needs costs the others nothing at start.
     */
    static List<String> steps(Collection<Job> jobs) {
        List<String> available = Locations.list(STEPS);
        Set<String> steps = new TreeSet<>();
        for (Job job : jobs) {
            String text = Locations.read(job.location());
            Matcher call = DIRECT.matcher(text == null ? "" : text);
            while (call.find()) {
                if (available.contains(call.group(1) + ".yaml")) {
                    steps.add(STEPS + call.group(1) + ".yaml");
                }
            }
        }
        return List.copyOf(steps);
    }

    private static void fireByHand(CamelContext context, String routeId) {
        RouteDefinition route = ((ModelCamelContext) context).getRouteDefinition(routeId);
        if (route != null && route.getInput().getEndpointUri().startsWith("quartz:")) {
            route.getInput().setUri(entry(routeId));
        }
    }
}
