package ai.cloudact.jobs.deploy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Locations;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;

/**
 * The deploy of the jobs in a ROUTES_DIR (job files kept outside the image, read by the runtime from the
 * directory ROUTES_DIR names), generated from those files by the same catalog code as the shipped jobs'
 * deploy files: {@value DeployFiles#COMMAND} --routes-dir DIR [--pack NAME] --out OUT writes into OUT
 * <ul>
 *   <li>{@code <pack>.tsv}: their table, with the columns of scripts/packs/&lt;pack&gt;.tsv (schedule,
 *   names, timeouts, settings... read from the files), which the gcloud scripts take with {@code --routes OUT};</li>
 *   <li>{@code component/}: a kustomize Component with their CronJobs and a ConfigMap
 *   {@code <pack>-jobs-routes} generated from their files ({@code component/routes/<id>.yaml}, which
 *   create-all-jobs.sh also uploads to Cloud Storage), mounted read-only at {@value #MOUNT} in each of
 *   their CronJobs, with {@code ROUTES_DIR=}{@value #MOUNT};</li>
 *   <li>{@code overlays/<env>/}: the pack's overlay of that environment in this repository with the
 *   component added: {@code kubectl apply -k OUT/overlays/<env>} deploys the shipped jobs and these.</li>
 * </ul>
 * Only new jobs: a file with the id or long name of a shipped job is refused, since both would deploy
 * under one name.
 */
final class RoutesDeploy {

    static final String COMPONENT = "component/";
    static final String FILES = COMPONENT + "routes/";
    static final String MOUNT = "/routes";
    /** A ConfigMap holds at most 1 MiB. */
    static final int MAX_BYTES = 1 << 20;

    private RoutesDeploy() {
    }

    /** The jobs of the ROUTES_DIR, read by the pack's catalog with the directory laid over; each one is new. */
    static List<Job> jobs(Pack pack, Path routesDir) {
        JobCatalog shipped = JobCatalog.load(pack, null);
        Set<String> names = shipped.jobs().stream().map(Job::longName).collect(Collectors.toCollection(HashSet::new));
        JobCatalog catalog = JobCatalog.load(pack, routesDir);
        List<Job> jobs = new ArrayList<>();
        for (String id : catalog.ids()) {
            if (!catalog.location(id).startsWith("file:")) {
                continue;
            }
            if (shipped.location(id) != null) {
                throw new ConfigurationException(routesDir.resolve(id + ".yaml") + ": " + pack.name() + " ships a job '" + id
                        + "': the deploy files are for new jobs; give this one another id (file name), or change the shipped job");
            }
            if (!id.matches("[-._a-zA-Z0-9]+")) {
                throw new ConfigurationException(routesDir.resolve(id + ".yaml") + ": a file name of letters, digits, '-', '_' and '.'"
                        + " only (it is a ConfigMap key)");
            }
            Job job = catalog.job(id);
            if (!names.add(job.longName())) {
                throw new ConfigurationException(routesDir.resolve(id + ".yaml") + ": the long name " + job.longName()
                        + " is another job's; set longName in its " + ai.cloudact.jobs.catalog.JobSpec.class.getSimpleName() + " bean");
            }
            jobs.add(job);
        }
        if (jobs.isEmpty()) {
            throw new ConfigurationException("ROUTES_DIR " + routesDir + " has no job file (<id>.yaml)");
        }
        return jobs;
    }

    /**
     * The files to write under OUT: path relative to OUT to content. {@code root} is this repository, whose
     * overlays the generated ones extend (by a path relative to OUT: regenerate after moving either).
     */
    static Map<String, String> render(Pack pack, Path routesDir, Path out, Path root) {
        List<Job> jobs = jobs(pack, routesDir);
        Map<String, String> files = new LinkedHashMap<>();
        files.put(pack.name() + ".tsv", PackTables.jobs(pack, jobs, "the job files of the ROUTES_DIR " + routesDir.getFileName()
                + " (" + FILES + ") and packs/" + pack.name() + "/pack.properties"));
        long bytes = 0;
        for (Job job : jobs) {
            String text = Locations.read(job.location());
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
            files.put(FILES + job.id() + ".yaml", text);
        }
        if (bytes > MAX_BYTES * 9L / 10) {
            throw new ConfigurationException("the job files of " + routesDir + " hold " + bytes / 1024
                    + " KiB: a ConfigMap holds at most 1 MiB; split them into more than one ROUTES_DIR");
        }
        files.put(COMPONENT + "cronjobs.yaml", DeployFiles.cronJobs(jobs, "the job files of the ROUTES_DIR " + routesDir.getFileName()));
        files.put(COMPONENT + "kustomization.yaml", component(pack, jobs));
        for (Environment environment : PackDeploy.DEPLOYED) {
            String overlay = overlay(pack, environment);
            if (java.nio.file.Files.isDirectory(root.resolve(overlay))) {
                Path from = out.resolve("overlays/" + environment.id()).toAbsolutePath().normalize();
                String relative = from.relativize(root.resolve(overlay).toAbsolutePath().normalize()).toString().replace('\\', '/');
                files.put("overlays/" + environment.id() + "/kustomization.yaml", overlayKustomization(pack, PackDeploy.of(pack, environment),
                        relative, overlay));
            }
        }
        return files;
    }

    /** The pack's overlay of an environment in this repository (the default pack's are written by hand). */
    static String overlay(Pack pack, Environment environment) {
        return pack.name().equals(Pack.DEFAULT) ? "k8s/overlays/" + environment.id() : PackManifests.overlay(pack, environment);
    }

    private static String header() {
        return "# GENERATED by " + DeployFiles.COMMAND + " --routes-dir: do not edit; regenerate after changing a job file.\n";
    }

    private static String component(Pack pack, List<Job> jobs) {
        String routes = pack.name() + "-jobs-routes";
        StringBuilder out = new StringBuilder(header())
                .append("# The jobs of a ROUTES_DIR: their CronJobs, and their files in the ConfigMap ").append(routes).append(",\n")
                .append("# mounted read-only at ").append(MOUNT).append(" in each of them with ROUTES_DIR=").append(MOUNT).append(".\n")
                .append("apiVersion: kustomize.config.k8s.io/v1alpha1\n")
                .append("kind: Component\n")
                .append("resources:\n")
                .append("  - cronjobs.yaml\n")
                .append("configMapGenerator:\n")
                .append("  - name: ").append(routes).append('\n')
                .append("    files:\n");
        for (Job job : jobs) {
            out.append("      - routes/").append(job.id()).append(".yaml\n");
        }
        return out.append("patches:\n")
                .append("  - target:\n")
                .append("      kind: CronJob\n")
                .append("      labelSelector: cloudact.ai/job in (")
                .append(jobs.stream().map(Job::id).collect(Collectors.joining(","))).append(")\n")
                .append("    patch: |-\n")
                .append("      apiVersion: batch/v1\n")
                .append("      kind: CronJob\n")
                .append("      metadata:\n")
                .append("        name: any\n")
                .append("      spec:\n")
                .append("        jobTemplate:\n")
                .append("          spec:\n")
                .append("            template:\n")
                .append("              spec:\n")
                .append("                containers:\n")
                .append("                  - name: job\n")
                .append("                    env:\n")
                .append("                      - name: ROUTES_DIR\n")
                .append("                        value: ").append(MOUNT).append('\n')
                .append("                    volumeMounts:\n")
                .append("                      - name: routes\n")
                .append("                        mountPath: ").append(MOUNT).append('\n')
                .append("                        readOnly: true\n")
                .append("                volumes:\n")
                .append("                  - name: routes\n")
                .append("                    configMap:\n")
                .append("                      name: ").append(routes).append('\n')
                .toString();
    }

    private static String overlayKustomization(Pack pack, PackDeploy deploy, String relative, String overlay) {
        return header()
                + "# " + deploy.environment().id() + ": " + overlay + " with the jobs of the ROUTES_DIR: kubectl apply -k <this directory>\n"
                + "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                + "kind: Kustomization\n"
                + "namespace: " + deploy.namespace(pack) + "\n"
                + "resources:\n"
                + "  - " + relative + "\n"
                + "components:\n"
                + "  - ../../component\n"
                + "images:\n"
                + "  - name: cloudact-jobs\n"
                + "    newName: " + deploy.imageName() + "\n"
                + "    newTag: " + deploy.imageTag() + "\n";
    }
}
