package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.catalog.Job;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1CronJobSpec;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyRule;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every overlay under k8s/ renders with kustomize (kubectl kustomize), every rendered object is valid
 * against the Kubernetes API models of the official Java client (which reject unknown fields and
 * missing required ones), and every CronJob carries its route's schedule and the settings of the issue.
 */
class KubernetesManifestsTest {

    private static final Gson GSON = new Gson();
    private static final Map<String, Class<?>> MODELS = Map.of(
            "batch/v1/CronJob", V1CronJob.class,
            "v1/ServiceAccount", V1ServiceAccount.class,
            "v1/ConfigMap", V1ConfigMap.class,
            // service mode (k8s/serve, ServeManifestsTest)
            "apps/v1/Deployment", io.kubernetes.client.openapi.models.V1Deployment.class,
            "v1/Service", io.kubernetes.client.openapi.models.V1Service.class,
            "policy/v1/PodDisruptionBudget", io.kubernetes.client.openapi.models.V1PodDisruptionBudget.class);

    @ParameterizedTest
    @ValueSource(strings = {"stage", "prod"})
    void overlayRendersToValidObjectsWithTheRoutesSchedules(String env) throws Exception {
        String project = env.equals("prod") ? "cloudact-prod" : "cloudact-testing-1";
        List<Object> objects = validated(kustomize("k8s/overlays/" + env));

        List<V1CronJob> cronJobs = objects.stream().filter(V1CronJob.class::isInstance).map(V1CronJob.class::cast).toList();
        V1ServiceAccount account = objects.stream().filter(V1ServiceAccount.class::isInstance).map(V1ServiceAccount.class::cast)
                .findFirst().orElseThrow();
        V1ConfigMap config = objects.stream().filter(V1ConfigMap.class::isInstance).map(V1ConfigMap.class::cast)
                .findFirst().orElseThrow();
        assertThat(objects).as("only a service account, the settings and the CronJobs: no Secret is committed")
                .hasSize(cronJobs.size() + 2);
        assertThat(account.getMetadata().getAnnotations())
                .containsEntry("iam.gke.io/gcp-service-account", "cloudact-jobs@" + project + ".iam.gserviceaccount.com");
        assertThat(config.getData()).containsEntry("ENVIRONMENT", env).containsEntry("GCP_PROJECT_ID", project);

        List<Job> jobs = Jobs.defaultPack();
        assertThat(cronJobs).extracting(c -> c.getMetadata().getName())
                .as("one CronJob per catalog entry").containsExactlyInAnyOrderElementsOf(jobs.stream().map(Job::longName).toList());
        for (Job job : jobs) {
            V1CronJob cronJob = cronJobs.stream().filter(c -> c.getMetadata().getName().equals(job.longName())).findFirst().orElseThrow();
            checkCronJob(job, cronJob, env, project, config.getMetadata().getName());
        }
    }

    private static void checkCronJob(Job job, V1CronJob cronJob, String env, String project, String configName) {
        String as = env + " " + job.id();
        V1CronJobSpec spec = cronJob.getSpec();
        assertThat(cronJob.getMetadata().getNamespace()).as(as).isEqualTo("cloudact-jobs-" + env);
        // schedule and time zone: the route's (manual jobs: suspended, a schedule that never fires)
        assertThat(spec.getSchedule()).as(as).isEqualTo(job.isManual() ? DeployFiles.NEVER : job.schedule().unixCron());
        assertThat(spec.getTimeZone()).as(as).isEqualTo(DeployFiles.timeZone(job));
        assertThat(spec.getSuspend()).as(as + " suspended when manual or gated").isEqualTo(job.isManual() || (job.spec().getGate() != null));
        assertThat(spec.getConcurrencyPolicy()).as(as).isEqualTo("Forbid");
        assertThat(spec.getStartingDeadlineSeconds()).as(as).isPositive();
        assertThat(spec.getSuccessfulJobsHistoryLimit()).as(as).isPositive();
        assertThat(spec.getFailedJobsHistoryLimit()).as(as).isPositive();

        V1JobSpec run = spec.getJobTemplate().getSpec();
        assertThat(run.getBackoffLimit()).as(as).isEqualTo(job.spec().getRetries());
        assertThat(run.getActiveDeadlineSeconds()).as(as).isEqualTo(DeployFiles.timeoutSeconds(job) * (job.spec().getRetries() + 1));
        assertThat(run.getTtlSecondsAfterFinished()).as(as).isPositive();
        assertThat(run.getPodReplacementPolicy()).as(as + " a replacement pod takes the dead pod's lease over: only once it exited")
                .isEqualTo("Failed");
        V1PodFailurePolicyRule rule = run.getPodFailurePolicy().getRules().get(0);
        assertThat(rule.getAction()).as(as + " exit code 2 fails the Job at once").isEqualTo("FailJob");
        assertThat(rule.getOnExitCodes().getContainerName()).isEqualTo("job");
        assertThat(rule.getOnExitCodes().getOperator()).isEqualTo("In");
        assertThat(rule.getOnExitCodes().getValues()).containsExactly(2);

        V1PodSpec pod = run.getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).as(as).isEqualTo("Never");
        assertThat(pod.getServiceAccountName()).as(as).isEqualTo("cloudact-jobs");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(as).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).as(as).isPositive();
        assertThat(pod.getContainers()).hasSize(1);
        V1Container container = pod.getContainers().get(0);
        assertThat(container.getName()).isEqualTo("job");
        assertThat(container.getImage()).as(as).isEqualTo("us-central1-docker.pkg.dev/" + project + "/cloudact/cloudact-jobs:" + env);
        assertThat(container.getEnv()).as(as).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("JOB_ID");
            assertThat(e.getValue()).isEqualTo(job.id());
        });
        for (String secret : job.secrets()) {
            V1EnvVar var = container.getEnv().stream().filter(e -> e.getName().equals(secret)).findFirst().orElseThrow();
            assertThat(var.getValue()).as(as + " no secret value in the manifest").isNull();
            assertThat(var.getValueFrom().getSecretKeyRef().getName()).isEqualTo("cloudact-jobs-secrets");
        }
        assertThat(container.getEnvFrom()).as(as).anySatisfy(e -> assertThat(e.getConfigMapRef().getName()).isEqualTo(configName));
        assertThat(container.getResources().getRequests()).as(as).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits().get("memory").toSuffixedString()).as(as).isEqualTo(job.spec().getMemory());
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as(as).isFalse();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(as).isTrue();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).as(as).containsExactly("ALL");
        assertThat(container.getVolumeMounts()).as(as).singleElement().satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/tmp");
            assertThat(pod.getVolumes()).anySatisfy(v -> {
                assertThat(v.getName()).isEqualTo(m.getName());
                assertThat(v.getEmptyDir()).isNotNull();
            });
        });
    }

    /** The validation is strict: a misspelt field anywhere in a CronJob is an error, not ignored. */
    @Test
    void schemaRejectsUnknownFieldsAndWrongKinds() throws Exception {
        String rendered = kustomize("k8s/overlays/stage");
        String misspelt = rendered.replaceFirst("readOnlyRootFilesystem:", "readOnlyRootFileSystem:");
        assertThatThrownBy(() -> validated(misspelt)).hasMessageContaining("readOnlyRootFileSystem");
        String unknownTop = rendered.replaceFirst("concurrencyPolicy: Forbid", "concurrencyPolicy: Forbid\n  concurrency: 1");
        assertThatThrownBy(() -> validated(unknownTop)).hasMessageContaining("concurrency");
        assertThatThrownBy(() -> validated("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: x}\n"))
                .hasMessageContaining("no Kubernetes model");
    }

    /** Parses each YAML document and checks it against the official client's model of its kind. */
    static List<Object> validated(String yaml) throws Exception {
        List<Object> objects = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            if (document == null) {
                continue;
            }
            JsonElement json = GSON.toJsonTree(document);
            JsonObject object = json.getAsJsonObject();
            String type = object.get("apiVersion").getAsString() + "/" + object.get("kind").getAsString();
            Class<?> model = MODELS.get(type);
            if (model == null) {
                throw new AssertionError("no Kubernetes model for " + type + " in this test: add it to MODELS");
            }
            try {
                model.getMethod("validateJsonElement", JsonElement.class).invoke(null, json);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new AssertionError(type + " " + object.get("metadata") + ": " + e.getCause().getMessage(), e.getCause());
            }
            objects.add(model.getMethod("fromJson", String.class).invoke(null, json.toString()));
        }
        return objects;
    }

    /** {@code kubectl kustomize DIR}; without kubectl the test fails saying how to install it (it never skips). */
    static String kustomize(String dir) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", dir).directory(Repo.ROOT.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to render k8s/ with kustomize and is not on PATH: install the kubectl"
                    + " package (Google's or Kubernetes' apt repository, https://kubernetes.io/docs/tasks/tools/), then run the tests again", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize " + dir + ":\n" + output).isZero();
        return output;
    }
}
