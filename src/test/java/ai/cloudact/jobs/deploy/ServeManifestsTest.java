package ai.cloudact.jobs.deploy;

import java.util.List;
import java.util.Map;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service-mode overlays (k8s/overlays/serve-*) render with kustomize into objects valid against
 * the official Kubernetes models: a Deployment of two --serve replicas with probes on the management
 * port, a termination grace longer than SHUTDOWN_GRACE, the run-state database and secrets from Secrets
 * (never values), and no CronJob beside it.
 */
class ServeManifestsTest {

    @ParameterizedTest
    @ValueSource(strings = {"stage", "prod"})
    void overlayRendersTwoProbedReplicasOfTheService(String env) throws Exception {
        String project = env.equals("prod") ? "cloudact-prod" : "cloudact-testing-1";
        List<Object> objects = KubernetesManifestsTest.validated(KubernetesManifestsTest.kustomize("k8s/overlays/serve-" + env));
        assertThat(objects).as("the service's objects only: no CronJob runs the same jobs").hasSize(5)
                .hasOnlyElementsOfTypes(V1Deployment.class, V1Service.class, V1ServiceAccount.class, V1ConfigMap.class,
                        V1PodDisruptionBudget.class);
        V1Deployment deployment = only(objects, V1Deployment.class);
        V1ConfigMap config = only(objects, V1ConfigMap.class);
        assertThat(deployment.getMetadata().getNamespace()).isEqualTo("cloudact-jobs-" + env);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
        assertThat(config.getData()).containsEntry("ENVIRONMENT", env).containsEntry("GCP_PROJECT_ID", project)
                .containsEntry("SERVE_AUTH", "bearer");
        assertThat(only(objects, V1ServiceAccount.class).getMetadata().getAnnotations())
                .containsEntry("iam.gke.io/gcp-service-account", "cloudact-jobs@" + project + ".iam.gserviceaccount.com");
        assertThat(only(objects, V1PodDisruptionBudget.class).getSpec().getMinAvailable()).isEqualTo(new IntOrString(1));

        V1PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        long grace = java.time.Duration.parse("PT" + config.getData().get("SHUTDOWN_GRACE").toUpperCase()).toSeconds();
        assertThat(pod.getTerminationGracePeriodSeconds()).as("SIGKILL comes after SHUTDOWN_GRACE, with room to spare")
                .isGreaterThanOrEqualTo(grace + 5);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getEnableServiceLinks()).isFalse();
        V1Container container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("us-central1-docker.pkg.dev/" + project + "/cloudact/cloudact-jobs:" + env);
        assertThat(container.getArgs()).containsExactly("--serve");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/ready");
        assertThat(container.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("management"));
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/live");
        assertThat(container.getLivenessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("management"));
        assertThat(container.getPorts()).anySatisfy(port -> {
            assertThat(port.getName()).isEqualTo("management");
            assertThat(port.getContainerPort()).isEqualTo(9876);
        });
        Map<String, String> secretOf = new java.util.HashMap<>();
        container.getEnv().stream().filter(e -> e.getValueFrom() != null)
                .forEach(e -> secretOf.put(e.getName(), e.getValueFrom().getSecretKeyRef().getName()));
        assertThat(secretOf).containsEntry("STATE_DB_URL", "cloudact-jobs-state").containsEntry("STATE_DB_PASSWORD", "cloudact-jobs-state")
                .containsEntry("CRON_SECRET", "cloudact-jobs-secrets").containsEntry("CA_ROOT_API_KEY", "cloudact-jobs-secrets");
        assertThat(container.getEnv()).filteredOn(e -> secretOf.containsKey(e.getName())).allSatisfy(e -> assertThat(e.getValue()).isNull());
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(only(objects, V1Service.class).getSpec().getPorts().get(0).getTargetPort()).isEqualTo(new IntOrString("http"));
    }

    private static <T> T only(List<Object> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).reduce((a, b) -> {
            throw new AssertionError("more than one " + type.getSimpleName());
        }).orElseThrow();
    }
}
