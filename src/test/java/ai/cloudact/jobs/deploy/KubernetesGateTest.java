package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.kubernetes.client.openapi.models.V1CronJob;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The billing-endpoint gate on Kubernetes is a committed kustomize component, not a hand patch (a hand
 * patch would conflict with every later server-side apply): added to an overlay, it un-suspends exactly
 * the gated jobs of scripts/jobs.tsv and changes nothing else.
 */
class KubernetesGateTest {

    @Test
    void theGateComponentUnsuspendsExactlyTheGatedJobs() throws Exception {
        // a throw-away overlay under target/: the stage overlay plus the component
        Path overlay = Files.createDirectories(Repo.ROOT.resolve("target/k8s-gate-overlay"));
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../../k8s/overlays/stage
                components:
                  - ../../k8s/components/billing-endpoint-ready
                """);
        Map<String, Boolean> closed = suspended("k8s/overlays/stage");
        Map<String, Boolean> open = suspended(Repo.ROOT.relativize(overlay).toString());

        assertThat(open.keySet()).isEqualTo(closed.keySet());
        for (JobTable job : JobTable.load()) {
            assertThat(closed.get(job.name())).as(job.id() + " without the component").isEqualTo(job.manual() || job.gated());
            assertThat(open.get(job.name())).as(job.id() + " with the component").isEqualTo(job.manual());
        }
    }

    private static Map<String, Boolean> suspended(String dir) throws Exception {
        Map<String, Boolean> suspend = new HashMap<>();
        for (Object object : KubernetesManifestsTest.validated(KubernetesManifestsTest.kustomize(dir))) {
            if (object instanceof V1CronJob cronJob) {
                suspend.put(cronJob.getMetadata().getName(), cronJob.getSpec().getSuspend());
            }
        }
        return suspend;
    }
}
