package ai.cloudact.jobs.deploy;

import java.util.List;
import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.run.Environment;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every pack but the default one deploys to Kubernetes from its generated kustomize tree: each overlay
 * renders with kustomize, every object is valid against the official Kubernetes API models, and the
 * CronJobs carry the pack's names, schedules and time zones, the pack (PACK), the environment and the
 * settings and secrets the jobs need. The packs are found in the pack directories.
 */
class PackManifestsTest {

    static Stream<Arguments> overlays() {
        return Pack.names().stream().filter(name -> !name.equals(Pack.DEFAULT))
                .flatMap(name -> PackDeploy.DEPLOYED.stream().map(environment -> Arguments.of(name, environment)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlays")
    void overlayRendersToValidObjectsWithThePacksNamesAndSchedules(String name, Environment environment) throws Exception {
        Pack pack = Pack.load(name);
        PackDeploy deploy = PackDeploy.of(pack, environment);
        List<Object> objects = KubernetesManifestsTest.validated(KubernetesManifestsTest.kustomize(PackManifests.overlay(pack, environment)));
        List<V1CronJob> cronJobs = objects.stream().filter(V1CronJob.class::isInstance).map(V1CronJob.class::cast).toList();
        V1ConfigMap config = objects.stream().filter(V1ConfigMap.class::isInstance).map(V1ConfigMap.class::cast).findFirst().orElseThrow();
        V1ServiceAccount account = objects.stream().filter(V1ServiceAccount.class::isInstance).map(V1ServiceAccount.class::cast)
                .findFirst().orElseThrow();
        assertThat(objects).as("a service account, the settings and the CronJobs: no Secret is committed").hasSize(cronJobs.size() + 2);
        assertThat(config.getData()).containsEntry("PACK", name).containsEntry("ENVIRONMENT", environment.id())
                .containsEntry("GCP_PROJECT_ID", deploy.project());
        assertThat(account.getMetadata().getName()).isEqualTo(name + "-jobs");
        assertThat(account.getMetadata().getAnnotations()).containsEntry("iam.gke.io/gcp-service-account", deploy.runtimeServiceAccount());

        List<Job> jobs = JobCatalog.load(pack, null).jobs();
        assertThat(cronJobs).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(
                jobs.stream().map(Job::longName).toList());
        for (Job job : jobs) {
            String as = name + " " + environment.id() + " " + job.id();
            V1CronJob cronJob = cronJobs.stream().filter(c -> c.getMetadata().getName().equals(job.longName())).findFirst().orElseThrow();
            assertThat(cronJob.getMetadata().getNamespace()).as(as).isEqualTo(name + "-jobs-" + deploy.stage());
            assertThat(cronJob.getSpec().getSchedule()).as(as).isEqualTo(job.isManual() ? DeployFiles.NEVER : job.schedule().unixCron());
            assertThat(cronJob.getSpec().getTimeZone()).as(as).isEqualTo(DeployFiles.timeZone(job));
            assertThat(cronJob.getSpec().getConcurrencyPolicy()).as(as).isEqualTo("Forbid");
            assertThat(cronJob.getSpec().getJobTemplate().getSpec().getPodReplacementPolicy()).as(as).isEqualTo("Failed");
            var pod = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
            assertThat(pod.getServiceAccountName()).as(as).isEqualTo(name + "-jobs");
            V1Container container = pod.getContainers().get(0);
            assertThat(container.getImage()).as(as).isEqualTo(deploy.image());
            assertThat(container.getEnv()).as(as).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("JOB_ID");
                assertThat(e.getValue()).isEqualTo(job.id());
            });
            assertThat(container.getEnvFrom()).as(as).extracting(V1EnvFromSource::getConfigMapRef).anySatisfy(ref ->
                    assertThat(ref.getName()).isEqualTo(config.getMetadata().getName()));
            // the settings the deploy gives (WORKER_URL, SUPABASE_URL) from a ConfigMap made per namespace
            boolean needsSettings = !PackTables.settings(pack, job).isEmpty();
            assertThat(container.getEnvFrom()).as(as + " settings").extracting(V1EnvFromSource::getConfigMapRef)
                    .filteredOn(ref -> ref.getName().equals(name + "-jobs-settings")).hasSize(needsSettings ? 1 : 0)
                    .allSatisfy(ref -> assertThat(ref.getOptional()).isTrue());
            for (String secret : job.secrets()) {
                var variable = container.getEnv().stream().filter(e -> e.getName().equals(secret)).findFirst().orElseThrow();
                assertThat(variable.getValue()).as(as + " no secret value in the manifest").isNull();
                assertThat(variable.getValueFrom().getSecretKeyRef().getName()).isEqualTo(name + "-jobs-secrets");
            }
        }
    }
}
