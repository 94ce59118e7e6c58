package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.run.ConfigurationException;

/**
 * Generates the deploy files that repeat what the job files say (schedules, names, deploy facts), so
 * that the job files stay their single source:
 * <ul>
 *   <li>for every pack, {@code scripts/packs/<pack>.tsv} and {@code scripts/packs/<pack>.environments.tsv}
 *   ({@link PackTables}): the tables the gcloud scripts read to deploy it (Cloud Run Jobs, Cloud Scheduler);</li>
 *   <li>{@code k8s/base/cronjobs.yaml}: one Kubernetes CronJob per job of the default pack;</li>
 *   <li>for every other pack, its kustomize base and overlays under {@code k8s/packs/<pack>/}
 *   ({@link PackManifests}).</li>
 * </ul>
 * Run from the repository root: {@value #COMMAND} [--pack NAME] [--check]. With {@code --check} it
 * writes nothing and exits 1 when a committed file differs from what the job files give (the tests do
 * the same); {@code --pack} limits it to one pack. With {@code --routes-dir DIR --out OUT} it writes
 * instead the deploy files of the jobs in a ROUTES_DIR into OUT ({@link RoutesDeploy}); a job file it
 * cannot deploy is one line on stderr and exit 2.
 */
public final class DeployFiles {

    public static final String COMMAND = "scripts/generate-deploy-files.sh";
    public static final String CRONJOBS_YAML = "k8s/base/cronjobs.yaml";

    /** Never fires (there is no 31 February): a CronJob needs a schedule even when suspended. */
    static final String NEVER = "0 0 31 2 *";

    private DeployFiles() {
    }

    public static void main(String[] args) throws IOException {
        List<String> arguments = List.of(args);
        boolean check = arguments.contains("--check");
        String packName = option(arguments, "--pack");
        String routesDir = option(arguments, "--routes-dir");
        String out = option(arguments, "--out");
        Path root = Path.of(".");
        int stale;
        try {
            if (routesDir != null) {
                if (out == null) {
                    throw new ConfigurationException("--routes-dir needs --out OUT: the directory to write the ROUTES_DIR's deploy files to");
                }
                stale = routes(Pack.load(packName), Path.of(routesDir), Path.of(out), root, check);
            } else {
                stale = 0;
                for (String name : packName == null ? Pack.names() : List.of(packName)) {
                    Pack pack = Pack.load(name);
                    stale += write(root, render(pack, JobCatalog.load(pack, null).jobs()), check, COMMAND);
                }
            }
        } catch (ConfigurationException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(stale == 0 ? 0 : 1);
    }

    /**
     * Writes (or with {@code check} compares) the deploy files of the jobs in {@code routesDir} under
     * {@code out} ({@link RoutesDeploy}), removing the job files of jobs no longer there; the number out of date.
     */
    static int routes(Pack pack, Path routesDir, Path out, Path root, boolean check) throws IOException {
        int stale = write(out, RoutesDeploy.render(pack, routesDir, out, root), check, COMMAND + " --routes-dir");
        return stale + removeStale(out.resolve(RoutesDeploy.FILES), RoutesDeploy.jobs(pack, routesDir), check);
    }

    private static String option(List<String> arguments, String name) {
        int at = arguments.indexOf(name);
        return at >= 0 && at + 1 < arguments.size() ? arguments.get(at + 1) : null;
    }

    /** Writes the files that differ under {@code root} (with --check: only counts them); the number out of date. */
    private static int write(Path root, Map<String, String> files, boolean check, String command) throws IOException {
        int stale = 0;
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = root.resolve(file.getKey());
            boolean same = Files.exists(path) && Files.readString(path).equals(file.getValue());
            if (check && !same) {
                System.err.println(path + " is out of date: run " + command);
                stale++;
            } else if (!check && !same) {
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
                System.out.println("wrote " + path);
            }
        }
        return stale;
    }

    /** A job file left in the generated directory by a job that is gone would still be uploaded and mounted: removed. */
    private static int removeStale(Path files, List<Job> jobs, boolean check) throws IOException {
        if (!Files.isDirectory(files)) {
            return 0;
        }
        java.util.Set<String> wanted = new java.util.HashSet<>();
        jobs.forEach(job -> wanted.add(job.id() + ".yaml"));
        int stale = 0;
        try (var listing = Files.list(files)) {
            for (Path file : listing.filter(f -> !wanted.contains(f.getFileName().toString())).toList()) {
                if (check) {
                    System.err.println(file + " belongs to no job any more");
                    stale++;
                } else {
                    Files.delete(file);
                    System.out.println("removed " + file);
                }
            }
        }
        return stale;
    }

    /** The deploy files of the pack these jobs belong to (the default pack when there are none): path to content. */
    public static Map<String, String> render(List<Job> jobs) {
        return render(Pack.load(jobs.isEmpty() ? Pack.DEFAULT : jobs.get(0).pack()), jobs);
    }

    /** Repository-relative path to content, for one pack. */
    public static Map<String, String> render(Pack pack, List<Job> jobs) {
        Map<String, String> files = new LinkedHashMap<>();
        if (pack.name().equals(Pack.DEFAULT)) {
            files.put(CRONJOBS_YAML, cronJobs(jobs));
        } else {
            files.putAll(PackManifests.render(pack, jobs));
        }
        files.put(PackTables.jobsPath(pack), PackTables.jobs(pack, jobs));
        files.put(PackTables.environmentsPath(pack), PackTables.environments(pack));
        return files;
    }

    static String cronJobs(List<Job> jobs) {
        return cronJobs(jobs, jobs.isEmpty() || jobs.get(0).pack().equals(Pack.DEFAULT) ? "the job files in src/main/resources/packs/"
                : "the job files in src/main/resources/packs/" + jobs.get(0).pack() + "/");
    }

    /** One CronJob per job, generated {@code from} (what the header names). */
    static String cronJobs(List<Job> jobs, String from) {
        StringBuilder out = new StringBuilder()
                .append("# GENERATED by ").append(COMMAND).append(" from ").append(from).append(": do not edit.\n")
                .append("# One CronJob per job. Manual jobs are suspended CronJobs that never fire; run one with\n")
                .append("#   kubectl create job --from=cronjob/<name> <name>-$(date +%s)\n");
        for (Job job : jobs) {
            out.append(cronJob(job));
        }
        return out.toString();
    }

    private static String cronJob(Job job) {
        String prefix = job.pack() + "-jobs";
        List<String> settings = PackTables.settings(Pack.load(job.pack()), job);
        String trigger = job.isManual() ? "manual" : "scheduled";
        String suspendWhy = job.isManual() ? "  # manual job: started by hand only\n"
                : job.spec().getGate() != null ? "  # gate " + job.spec().getGate() + ": resume once it exists (docs/deploy.md, go-live checklist)\n" : "\n";
        return "---\n"
                + "apiVersion: batch/v1\n"
                + "kind: CronJob\n"
                + "metadata:\n"
                + "  name: " + job.longName() + "\n"
                + "  labels:\n"
                + "    app.kubernetes.io/name: " + prefix + "\n"
                + "    cloudact.ai/job: " + job.id() + "\n"
                + "    cloudact.ai/trigger: " + trigger + "\n"
                + "spec:\n"
                + "  schedule: \"" + (job.isManual() ? NEVER : job.schedule().unixCron()) + "\"\n"
                + "  timeZone: " + timeZone(job) + "\n"
                + "  suspend: " + (job.isManual() || job.spec().getGate() != null) + suspendWhy
                + "  concurrencyPolicy: Forbid\n"
                + "  startingDeadlineSeconds: " + startingDeadlineSeconds(job) + "\n"
                + "  successfulJobsHistoryLimit: 3\n"
                + "  failedJobsHistoryLimit: 3\n"
                + "  jobTemplate:\n"
                + "    metadata:\n"
                + "      labels:\n"
                + "        cloudact.ai/job: " + job.id() + "\n"
                + "    spec:\n"
                + indexed(job)
                + "      backoffLimit: " + job.spec().getRetries() + "\n"
                + "      # a failed pod is replaced only once it has exited (also implied by podFailurePolicy); the\n"
                + "      # replacement, the same run (JOB_RUN_ID), waits for the dead pod's lease to expire, then runs\n"
                + "      podReplacementPolicy: Failed\n"
                + "      activeDeadlineSeconds: " + timeoutSeconds(job) * (job.spec().getRetries() + 1) + "\n"
                + "      ttlSecondsAfterFinished: 259200\n"
                + "      podFailurePolicy:\n"
                + "        rules:\n"
                + "          # exit code 2 is a configuration error: retrying the same configuration cannot help\n"
                + "          - action: FailJob\n"
                + "            onExitCodes:\n"
                + "              containerName: job\n"
                + "              operator: In\n"
                + "              values: [2]\n"
                + "      template:\n"
                + "        metadata:\n"
                + "          labels:\n"
                + "            cloudact.ai/job: " + job.id() + "\n"
                + "        spec:\n"
                + "          restartPolicy: Never\n"
                + "          serviceAccountName: " + prefix + "\n"
                + "          securityContext:\n"
                + "            runAsNonRoot: true\n"
                + "            runAsUser: 10001\n"
                + "            runAsGroup: 10001\n"
                + "            seccompProfile:\n"
                + "              type: RuntimeDefault\n"
                + "          containers:\n"
                + "            - name: job\n"
                + "              image: cloudact-jobs\n"
                + "              env:\n"
                + "                - name: JOB_ID\n"
                + "                  value: " + job.id() + "\n"
                + "                # the runner's own deadline, inside the pod's, so the summary line is still written\n"
                + "                - name: JOB_TIMEOUT\n"
                + "                  value: \"" + runnerDeadlineSeconds(job) + "\"\n"
                + taskCount(job)
                + "                # one Idempotency-Key per Job, the same for each of its pod attempts\n"
                + "                - name: JOB_RUN_ID\n"
                + "                  valueFrom:\n"
                + "                    fieldRef:\n"
                + "                      fieldPath: metadata.labels['batch.kubernetes.io/job-name']\n"
                + secretEnv(job)
                + "              envFrom:\n"
                + "                - configMapRef:\n"
                + "                    name: " + prefix + "-config\n"
                + settingsFrom(prefix, settings)
                + "              resources:\n"
                + "                # the JVM bursts at start, then mostly waits on HTTP: request little CPU, cap at the job's\n"
                + "                requests:\n"
                + "                  cpu: 250m\n"
                + "                  memory: " + job.spec().getMemory() + "\n"
                + "                limits:\n"
                + "                  cpu: \"" + job.spec().getCpu() + "\"\n"
                + "                  memory: " + job.spec().getMemory() + "\n"
                + "              securityContext:\n"
                + "                allowPrivilegeEscalation: false\n"
                + "                privileged: false\n"
                + "                readOnlyRootFilesystem: true\n"
                + "                capabilities:\n"
                + "                  drop: [ALL]\n"
                + "              volumeMounts:\n"
                + "                - name: tmp\n"
                + "                  mountPath: /tmp\n"
                + "          volumes:\n"
                + "            - name: tmp\n"
                + "              emptyDir:\n"
                + "                sizeLimit: 256Mi\n";
    }

    /** A fan-out job's N tasks: an Indexed Job, each pod with its JOB_COMPLETION_INDEX. */
    private static String indexed(Job job) {
        int shards = job.spec().getShards();
        if (shards <= 1) {
            return "";
        }
        return "      # " + shards + " parallel tasks, each syncing its share (JOB_COMPLETION_INDEX of TASK_COUNT)\n"
                + "      completionMode: Indexed\n"
                + "      completions: " + shards + "\n"
                + "      parallelism: " + shards + "\n";
    }

    private static String taskCount(Job job) {
        int shards = job.spec().getShards();
        return shards <= 1 ? "" : "                - name: TASK_COUNT\n                  value: \"" + shards + "\"\n";
    }

    /**
     * From the Secret when it exists; optional, so that without it the job reads Secret Manager itself
     * through the service account's Workload Identity.
     */
    private static String secretEnv(Job job) {
        StringBuilder out = new StringBuilder();
        for (String secret : job.secrets()) {
            out.append("                - name: ").append(secret).append('\n')
                    .append("                  valueFrom:\n")
                    .append("                    secretKeyRef:\n")
                    .append("                      name: ").append(job.pack()).append("-jobs-secrets\n")
                    .append("                      key: ").append(secret).append('\n')
                    .append("                      optional: true\n");
        }
        return out.toString();
    }

    /**
     * The settings the deploy gives the job (WORKER_URL...): from the ConfigMap {@code <pack>-jobs-settings}
     * that the operator creates per namespace; optional, so that without it the job says which is missing.
     */
    private static String settingsFrom(String prefix, List<String> settings) {
        return settings.isEmpty() ? "" : "                # " + String.join(", ", settings) + ": kubectl create configmap " + prefix
                + "-settings --from-literal=...\n"
                + "                - configMapRef:\n"
                + "                    name: " + prefix + "-settings\n"
                + "                    optional: true\n";
    }

    /**
     * How late a missed run may still start: a job that runs more often than hourly is covered by its
     * next run, so only a short delay; a daily or monthly job is still worth running an hour late.
     */
    static int startingDeadlineSeconds(Job job) {
        if (job.isManual()) {
            return 3600;
        }
        boolean hourlyOrMore = job.schedule().unixCron().split(" ")[1].equals("*");
        return hourlyOrMore ? (int) Math.min(120, timeoutSeconds(job)) : 3600;
    }

    public static long timeoutSeconds(Job job) {
        return job.spec().timeoutDuration().toSeconds();
    }

    /** The time zone of a scheduled job; a manual job's CronJob needs one too. */
    public static String timeZone(Job job) {
        return job.isManual() ? "Etc/UTC" : job.schedule().zone().getId();
    }

    /** JOB_TIMEOUT for the runner: the platform's per-attempt timeout less a margin to log the summary. */
    public static long runnerDeadlineSeconds(Job job) {
        long timeout = timeoutSeconds(job);
        return Math.max(timeout - 30, timeout * 9 / 10);
    }
}
