package ai.cloudact.jobs.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.catalog.RouteValidator;
import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.run.ExitCode;

/** The commands that only read: {@code --list [--next N]}, {@code --validate [dir]}, {@code --history}, {@code --help}. */
public final class Commands {

    /** A fire time on the schedule's clock: 2026-10-04 03:00 AEDT (+11:00). */
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm z (xxx)", java.util.Locale.ROOT);
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", java.util.Locale.ROOT);

    private final Settings settings;

    public Commands(Settings settings) {
        this.settings = settings;
    }

    private Pack pack() {
        return Pack.load(settings.value(Settings.PACK));
    }

    private Environment environment() {
        return Environment.parse(settings.value(Settings.ENVIRONMENT));
    }

    private JobCatalog catalog(Pack pack) {
        String routesDir = settings.value(Settings.ROUTES_DIR);
        return JobCatalog.load(pack, routesDir == null ? null : Path.of(routesDir));
    }

    /**
     * The jobs of the pack: id, deployed name in the environment, schedule, what it does; with
     * {@code next > 0} its next fire times, on the clock of the schedule's time zone (with its offset,
     * which changes with daylight saving time) and in UTC.
     */
    public ExitCode list(int next) {
        Pack pack = pack();
        Environment environment = environment();
        List<String> problems = new ArrayList<>();
        List<Job> jobs = catalog(pack).jobs(problems);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"JOB", "NAME (" + environment.id() + ")", "SCHEDULE", "WHAT"});
        for (Job job : jobs) {
            rows.add(new String[] {job.id(), pack.deployName(job, environment),
                    job.isManual() ? "manual" : job.schedule().toString(), job.summary()});
        }
        int[] widths = new int[3];
        rows.forEach(row -> {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        });
        String format = "%-" + widths[0] + "s  %-" + widths[1] + "s  %-" + widths[2] + "s  %s%n";
        StringBuilder out = new StringBuilder("Pack " + pack.name() + " (" + environment.id() + "), time zone "
                + pack.timeZone() + ":\n");
        Instant now = Instant.now();
        for (int r = 0; r < rows.size(); r++) {
            out.append(String.format(format, (Object[]) rows.get(r)));
            Job job = r == 0 ? null : jobs.get(r - 1);
            if (next > 0 && job != null && !job.isManual()) {
                for (Instant at : job.schedule().next(now, next)) {
                    out.append(String.format("%-" + widths[0] + "s    next: %s  = %s%n", "",
                            LOCAL_TIME.format(at.atZone(job.schedule().zone())), UTC_TIME.format(at.atZone(ZoneOffset.UTC))));
                }
            }
        }
        problems.forEach(problem -> out.append("UNREADABLE ").append(problem).append('\n'));
        System.out.print(out);
        return problems.isEmpty() ? ExitCode.SUCCESS : ExitCode.CONFIGURATION_ERROR;
    }

    /** {@code --validate [dir]}: every problem as file:line, exit 2 if there is any. */
    public ExitCode validate(Optional<Path> dir) {
        if (dir.isPresent() && !Files.isDirectory(dir.get())) {
            throw new ConfigurationException("--validate: " + dir.get() + " is not a directory");
        }
        Pack pack = pack();
        java.util.Map<String, String> properties = new java.util.HashMap<>(Settings.defaults());
        properties.putAll(pack.properties(Environment.LOCAL));
        RouteValidator.Report report = dir.isPresent() ? RouteValidator.validateDirectory(dir.get(), pack, properties)
                : RouteValidator.validate(catalog(pack), properties);
        report.notes().forEach(note -> System.out.println("note: " + note));
        report.problems().forEach(System.out::println);
        System.out.println(report.problems().isEmpty() ? "OK: every job file is valid (" + report.files() + " files)"
                : report.problems().size() + " problem(s)");
        return report.problems().isEmpty() ? ExitCode.SUCCESS : ExitCode.CONFIGURATION_ERROR;
    }

    /**
     * {@code --history [JOB] [--limit N] [--format text|json]}: the latest runs from the run state
     * store, newest first; a run whose process died shows as LOST once its lease has expired.
     */
    public ExitCode history(String job, int limit, String format, java.util.Map<String, String> env) {
        settings.check(Settings.STATE);
        java.util.Optional<ai.cloudact.jobs.state.RunControl> store = RunState.openExisting(settings, env);
        if (store.isEmpty()) {
            System.out.println(format.equals("json") ? "[]" : "No runs recorded: no STATE_DB_URL, and no run has created "
                    + RunState.stateDir(settings).toAbsolutePath().normalize() + " yet.");
            return ExitCode.SUCCESS;
        }
        try (ai.cloudact.jobs.state.RunControl control = store.get()) {
            String wanted = job;
            if (job != null) {
                // a long or deployed name means its job id, as JOB_ID does
                Pack pack = pack();
                wanted = catalog(pack).find(job, environment()).map(Job::id).orElse(job);
            }
            java.util.List<ai.cloudact.jobs.state.History.Row> rows = control.history(wanted, limit);
            System.out.print(format.equals("json") ? HistoryReport.json(rows) : rows.isEmpty()
                    ? "No runs recorded" + (wanted == null ? "" : " of " + wanted) + " in " + control.where() + ".\n"
                    : HistoryReport.text(rows));
            return ExitCode.SUCCESS;
        } catch (java.sql.SQLException e) {
            throw new ConfigurationException("--history: the run state store " + store.get().where() + " cannot be read: "
                    + e.getMessage());
        }
    }

    /** Usage, the exit codes, and every setting with its default and accepted form. */
    public ExitCode help() {
        StringBuilder out = new StringBuilder(usage()).append("\n\nSettings (environment variable, or -Dproperty=value):\n");
        Settings.RUNTIME.forEach(setting -> out.append(setting.help()).append('\n'));
        try {
            Pack pack = pack();
            Environment environment = environment();
            out.append("\nSettings of the pack ").append(pack.name()).append(" (").append(environment.id()).append("):\n");
            Settings.of(pack, environment).forEach(setting -> out.append(setting.help()).append('\n'));
        } catch (ConfigurationException e) {
            out.append("\n(pack settings not shown: ").append(e.getMessage()).append(")\n");
        }
        out.append(PLATFORM);
        System.out.print(out);
        return ExitCode.SUCCESS;
    }

    /** What the runtime reads from its platform besides the settings: named so an operator knows why a run looks as it does. */
    static final String PLATFORM = """

            Read from the platform (set by Cloud Run or Kubernetes, not by you):
              CLOUD_RUN_JOB, K_SERVICE, KUBERNETES_SERVICE_HOST  on a platform: logs default to JSON, one object a line
              CLOUD_RUN_EXECUTION, JOB_RUN_ID                   the execution in the run key, the logs and the history
                                                                (JOB_RUN_ID: the Kubernetes Job's name, from the generated manifests)
              CLOUD_RUN_TASK_ATTEMPT                            above 0: a retry of the task, which takes over its last attempt's lease
              JOB_RUN_ID (with retries)                         a pod that may replace a failed pod of the same Job: waits for its
                                                                lease to expire (a live twin's, or a run already done: SKIPPED)
              HOSTNAME                                          the lease holder and history host (on Kubernetes, the pod: its
                                                                execution in the history is "pod HOSTNAME")
              NO_COLOR                                          set: no colour in a terminal's log lines
            """;

    public static String usage() {
        return """
                Usage: java -jar scheduler-jobs.jar                  run the job named by JOB_ID (or -Dcamel.job) once
                       java -jar scheduler-jobs.jar --list [--next N] the pack's jobs [and their next N fire times]
                       java -jar scheduler-jobs.jar --validate [dir]  check job files (default: the pack's and ROUTES_DIR's)
                       java -jar scheduler-jobs.jar --history [JOB] [--limit N] [--format text|json]
                                                                      the latest runs (default 20), newest first
                       java -jar scheduler-jobs.jar --serve           serve the pack's jobs until SIGTERM: their triggers,
                                                                      POST /jobs/{id}/run, POST /cron/tick (settings: --serve)
                       java -jar scheduler-jobs.jar --help            this text and every setting
                  --pack NAME selects the pack (as PACK=NAME does).
                Exit codes: 0 success (or skipped), 1 the job failed, 2 configuration or usage error,
                            143 stopped by SIGTERM (--serve: 0, after its grace), 130 interrupted by SIGINT.""";
    }
}
