package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1PodSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.catalog.QuartzCron;
import ai.cloudact.jobs.deploy.FakeGoogleApis.Request;
import ai.cloudact.jobs.deploy.RealGcloud.Result;
import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.support.Repo;

import static ai.cloudact.jobs.deploy.GcloudScriptsTest.envOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Jobs from a ROUTES_DIR deploy too: scripts/generate-deploy-files.sh --routes-dir writes their table and
 * a kustomize component and overlays ({@link RoutesDeploy}). On Kubernetes the overlay renders with
 * kustomize to objects valid against the Kubernetes models: the shipped CronJobs unchanged, one CronJob
 * per file whose schedule and zone are the file's, a ConfigMap generated from the files mounted at
 * /routes with ROUTES_DIR=/routes. On Cloud Run (the real gcloud against {@link FakeGoogleApis}),
 * create-all-jobs.sh --routes uploads the files to Cloud Storage and creates their Cloud Run Jobs with
 * the bucket mounted and ROUTES_DIR set; an identical re-run uploads and changes nothing.
 * The job files are src/test/resources/extra-routes/ (two jobs in the old format, without a JobSpec).
 */
class RoutesDeployTest {

    private static final Path EXTRA = Repo.ROOT.resolve("src/test/resources/extra-routes");
    private static final String BUCKET = "cloudact-testing-1-jobs-routes";

    @TempDir
    Path tmp;
    private FakeGoogleApis api;

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    @BeforeEach
    void generate() throws IOException {
        assertThat(DeployFiles.routes(Pack.load(Pack.DEFAULT), EXTRA, out(), Repo.ROOT, false)).isZero();
    }

    private Path out() {
        return tmp.resolve("out");
    }

    @Test
    void kubernetesOverlayMountsTheFilesAndSchedulesEachJobAsItsFileSays() throws Exception {
        Map<String, String[]> files = extraFiles();
        for (String environment : List.of("stage", "prod")) {
            List<Object> base = KubernetesManifestsTest.validated(KubernetesManifestsTest.kustomize("k8s/overlays/" + environment));
            List<Object> objects = KubernetesManifestsTest.validated(
                    KubernetesManifestsTest.kustomize(out().resolve("overlays/" + environment).toString()));
            List<V1CronJob> cronJobs = objects.stream().filter(V1CronJob.class::isInstance).map(V1CronJob.class::cast).toList();
            V1ConfigMap routes = objects.stream().filter(V1ConfigMap.class::isInstance).map(V1ConfigMap.class::cast)
                    .filter(c -> c.getMetadata().getName().startsWith("cloudact-jobs-routes-")).findFirst().orElseThrow();
            assertThat(objects).as(environment + ": the overlay's objects, the ConfigMap of the files, a CronJob per file")
                    .hasSize(base.size() + 1 + files.size());
            // the ConfigMap holds the files as they are
            Map<String, String> expectedData = new LinkedHashMap<>();
            for (String file : files.keySet()) {
                expectedData.put(file, Files.readString(EXTRA.resolve(file)));
            }
            assertThat(routes.getData()).isEqualTo(expectedData);
            assertThat(routes.getMetadata().getNamespace()).isEqualTo("cloudact-jobs-" + environment);

            for (V1CronJob cronJob : cronJobs) {
                String id = cronJob.getMetadata().getLabels().get("cloudact.ai/job");
                String as = environment + " " + id;
                V1PodSpec pod = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
                V1Container container = pod.getContainers().get(0);
                String[] schedule = files.get(id + ".yaml");
                if (schedule == null) {
                    // a shipped job: as the overlay has it, without the files
                    assertThat(container.getEnv()).as(as).noneMatch(e -> e.getName().equals("ROUTES_DIR"));
                    assertThat(pod.getVolumes()).as(as).noneMatch(v -> v.getConfigMap() != null);
                    continue;
                }
                assertThat(cronJob.getMetadata().getName()).as(as).isEqualTo("cloudact-" + id);
                assertThat(cronJob.getMetadata().getNamespace()).as(as).isEqualTo("cloudact-jobs-" + environment);
                assertThat(cronJob.getSpec().getSchedule()).as(as + ": the file's cron").isEqualTo(schedule[0]);
                assertThat(cronJob.getSpec().getTimeZone()).as(as + ": the file's zone").isEqualTo(schedule[1]);
                assertThat(cronJob.getSpec().getSuspend()).as(as).isFalse();
                assertThat(cronJob.getSpec().getJobTemplate().getSpec().getPodReplacementPolicy()).as(as).isEqualTo("Failed");
                assertThat(container.getImage()).isEqualTo(PackDeploy.of(Pack.load(Pack.DEFAULT),
                        ai.cloudact.jobs.run.Environment.parse(environment)).image());
                assertThat(container.getEnv()).as(as).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("ROUTES_DIR");
                    assertThat(e.getValue()).isEqualTo("/routes");
                }).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("JOB_ID");
                    assertThat(e.getValue()).isEqualTo(id);
                });
                assertThat(container.getVolumeMounts()).as(as).anySatisfy(m -> {
                    assertThat(m.getMountPath()).isEqualTo("/routes");
                    assertThat(m.getReadOnly()).isTrue();
                    assertThat(pod.getVolumes()).anySatisfy(v -> {
                        assertThat(v.getName()).isEqualTo(m.getName());
                        assertThat(v.getConfigMap().getName()).isEqualTo(routes.getMetadata().getName());
                    });
                });
            }
            assertThat(cronJobs).extracting(c -> c.getMetadata().getLabels().get("cloudact.ai/job") + ".yaml").containsAll(files.keySet());
        }
        // and the gcloud scripts' table of the same jobs
        List<JobTable> table = JobTable.load(out().resolve("cloudact.tsv"));
        assertThat(table).extracting(JobTable::id).containsExactly("cron-secret", "private-ping");
        table.forEach(job -> assertThat(new String[] {job.schedule(), job.timeZone()}).isEqualTo(files.get(job.id() + ".yaml")));
    }

    @Test
    void onlyNewJobsAndRemovedFilesGo() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("routes"));
        Files.copy(EXTRA.resolve("private-ping.yaml"), dir.resolve("private-ping.yaml"));
        Files.copy(Repo.PACKS.resolve("cloudact/quota-reset.yaml"), dir.resolve("quota-reset.yaml"));
        assertThatThrownBy(() -> DeployFiles.routes(Pack.load(Pack.DEFAULT), dir, out(), Repo.ROOT, false))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("cloudact ships a job 'quota-reset'");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> DeployFiles.routes(Pack.load(Pack.DEFAULT), empty, out(), Repo.ROOT, false))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("has no job file");

        // a job whose file is gone leaves nothing behind that would still be mounted or uploaded
        Files.delete(dir.resolve("quota-reset.yaml"));
        assertThat(DeployFiles.routes(Pack.load(Pack.DEFAULT), dir, out(), Repo.ROOT, false)).isZero();
        try (var left = Files.list(out().resolve(RoutesDeploy.FILES))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("private-ping.yaml");
        }
        assertThat(DeployFiles.routes(Pack.load(Pack.DEFAULT), dir, out(), Repo.ROOT, true)).as("--check: up to date").isZero();
    }

    @Test
    void cloudRunJobsMountTheBucketTheFilesAreUploadedTo() throws Exception {
        api = new FakeGoogleApis();
        RealGcloud gcloud = new RealGcloud(api, tmp);
        api.putBucket(BUCKET);
        EnvironmentTable stage = EnvironmentTable.of(Pack.DEFAULT, "stage");
        String[] routes = {"--routes", out().toString(), "--routes-bucket", BUCKET};

        Result first = gcloud.run("", Map.of("SUPABASE_PROJECT_REF", "ref-test-123"), command("stage", routes));
        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(api.objects(BUCKET)).as("the bucket holds exactly the job files").containsOnlyKeys("cron-secret.yaml", "private-ping.yaml")
                .containsEntry("private-ping.yaml", Files.readString(EXTRA.resolve("private-ping.yaml")));
        assertThat(first.output()).containsPattern("(?m)^files +gs://" + BUCKET + " +synchronised \\(2 copied, 0 removed\\)$");
        int uploads = (int) api.requests().stream().filter(r -> r.path().startsWith("/upload/")).count();
        assertThat(uploads).isEqualTo(2);
        assertThat(firstUploadIndex()).as("the files are uploaded before any job is created").isLessThan(firstJobWriteIndex());
        for (JobTable job : JobTable.load(out().resolve("cloudact.tsv"))) {
            JsonNode stored = api.runJob(stage.project(), job.resource("stage"));
            JsonNode task = stored.at("/spec/template/spec/template/spec");
            assertThat(envOf(stored)).as(job.id()).containsEntry("ROUTES_DIR", "/routes").containsEntry("JOB_ID", job.id())
                    .containsEntry("PACK", Pack.DEFAULT);
            assertThat(task.at("/volumes/0/name").asText()).isEqualTo("routes");
            assertThat(task.at("/volumes/0/csi/driver").asText()).isEqualTo("gcsfuse.run.googleapis.com");
            assertThat(task.at("/volumes/0/csi/readOnly").asBoolean()).isTrue();
            assertThat(task.at("/volumes/0/csi/volumeAttributes/bucketName").asText()).isEqualTo(BUCKET);
            assertThat(task.at("/containers/0/volumeMounts/0/mountPath").asText()).isEqualTo("/routes");
            assertThat(task.at("/containers/0/volumeMounts/0/name").asText()).isEqualTo("routes");
            assertThat(api.schedulerJob(stage.trigger(job.resource("stage"))).path("schedule").asText()).isEqualTo(job.schedule());
        }
        // the shipped jobs do not mount it
        JsonNode shipped = api.runJob(stage.project(), JobTable.byId(Pack.DEFAULT, "alerts").resource("stage"));
        assertThat(shipped.at("/spec/template/spec/template/spec/volumes").isMissingNode()).isTrue();
        assertThat(envOf(shipped)).doesNotContainKey("ROUTES_DIR");

        // an identical re-run uploads nothing and changes nothing
        api.clearRequests();
        Result again = gcloud.run("", Map.of("SUPABASE_PROJECT_REF", "ref-test-123"), command("stage", routes));
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(api.requests()).filteredOn(Request::isWrite).isEmpty();
        assertThat(again.output()).containsPattern("(?m)^files +gs://" + BUCKET + " +unchanged$")
                .contains("ROUTES_DIR files in gs://" + BUCKET + ": unchanged");

        // without the bucket there is nothing to mount: refused before anything is read
        Result noBucket = gcloud.run("", Map.of(), command("stage", "--routes", out().toString()));
        assertThat(noBucket.exit()).isEqualTo(2);
        assertThat(noBucket.output()).contains("--routes needs --routes-bucket BUCKET");
    }

    // --- helpers

    private static String[] command(String environment, String... options) {
        List<String> command = new ArrayList<>(List.of("scripts/create-all-jobs.sh", environment));
        command.addAll(List.of(options));
        return command.toArray(String[]::new);
    }

    private int firstUploadIndex() {
        List<Request> requests = api.requests();
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).path().startsWith("/upload/")) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    private int firstJobWriteIndex() {
        List<Request> requests = api.requests();
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).isWrite() && requests.get(i).path().startsWith("/apis/")) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    /**
     * The job files of extra-routes/ and the schedule each one says, read as plain YAML here (not by the
     * catalog): file name to {five-field cron, time zone}.
     */
    private static Map<String, String[]> extraFiles() throws IOException {
        Map<String, String[]> files = new LinkedHashMap<>();
        try (var listing = Files.list(EXTRA)) {
            for (Path file : listing.sorted().toList()) {
                Object document = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
                Map<?, ?> route = (Map<?, ?>) ((Map<?, ?>) ((List<?>) document).get(0)).get("route");
                Map<?, ?> parameters = (Map<?, ?>) ((Map<?, ?>) route.get("from")).get("parameters");
                Object zone = parameters.get("trigger.timeZone");
                files.put(file.getFileName().toString(), new String[] {QuartzCron.toUnix(parameters.get("cron").toString()),
                        zone == null ? Pack.load(Pack.DEFAULT).timeZone() : zone.toString()});
            }
        }
        return files;
    }
}
