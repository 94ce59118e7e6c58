package ai.cloudact.jobs.deploy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.run.Environment;

/**
 * Where and as whom a pack's jobs are deployed in one environment, from the {@code deploy.*} keys of
 * its pack.properties ({@code {region}}, {@code {project}}, {@code {environment}}, {@code {stage}} and
 * {@code {pack}} are filled in): the facts the gcloud scripts and the kustomize overlays need besides
 * the jobs themselves.
 *
 * @param environment             test, stage or prod (ENVIRONMENT of the deployed jobs)
 * @param stage                   the pack's name for it ({@code deploy.stage}; validibot: dev, staging)
 * @param project                 the GCP project ({@code gcp.project.id})
 * @param region                  {@code deploy.region}
 * @param image                   {@code deploy.image}, with its tag
 * @param runtimeServiceAccount   {@code deploy.runtime.service.account}: the jobs run as it
 * @param schedulerServiceAccount {@code deploy.scheduler.service.account}: Cloud Scheduler calls as it
 * @param secrets                 variable to Secret Manager secret ({@code secret.NAME = gcp:<secret>})
 * @param lookups                 variable to where the deploy finds its value ({@code deploy.lookup.NAME}),
 *                                e.g. {@code WORKER_URL = cloud-run-service:validibot-worker-dev}
 */
public record PackDeploy(Environment environment, String stage, String project, String region, String image,
                         String runtimeServiceAccount, String schedulerServiceAccount, Map<String, String> secrets,
                         Map<String, String> lookups) {

    /** The environments that are deployed; local never is. */
    public static final List<Environment> DEPLOYED = List.of(Environment.TEST, Environment.STAGE, Environment.PROD);

    private static final String LOOKUP = "deploy.lookup.";

    public static PackDeploy of(Pack pack, Environment environment) {
        Map<String, String> values = pack.properties(environment);
        String stage = values.getOrDefault("deploy.stage", environment.id());
        String project = values.getOrDefault("gcp.project.id", "");
        String region = values.getOrDefault("deploy.region", "us-central1");
        java.util.function.UnaryOperator<String> fill = text -> text.replace("{region}", region).replace("{project}", project)
                .replace("{environment}", environment.id()).replace("{stage}", stage).replace("{pack}", pack.name());
        Map<String, String> secrets = new TreeMap<>();
        Map<String, String> lookups = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith("secret.") && value.startsWith("gcp:")) {
                secrets.put(key.substring("secret.".length()), value.substring("gcp:".length()));
            } else if (key.startsWith(LOOKUP)) {
                lookups.put(key.substring(LOOKUP.length()), fill.apply(value));
            }
        });
        return new PackDeploy(environment, stage, project, region,
                fill.apply(values.getOrDefault("deploy.image", "{region}-docker.pkg.dev/{project}/{pack}/cloudact-jobs:{environment}")),
                fill.apply(values.getOrDefault("deploy.runtime.service.account", "{pack}-jobs@{project}.iam.gserviceaccount.com")),
                fill.apply(values.getOrDefault("deploy.scheduler.service.account", "{pack}-scheduler@{project}.iam.gserviceaccount.com")),
                java.util.Collections.unmodifiableMap(secrets), java.util.Collections.unmodifiableMap(lookups));
    }

    /** The Kubernetes namespace of the pack's jobs in this environment: {@code <pack>-jobs-<stage>}. */
    public String namespace(Pack pack) {
        return pack.name() + "-jobs-" + stage;
    }

    /** The image without its tag, for a kustomize {@code images:} entry. */
    public String imageName() {
        int tag = image.lastIndexOf(':');
        return tag > image.lastIndexOf('/') ? image.substring(0, tag) : image;
    }

    /** The image's tag ({@code latest} when it has none). */
    public String imageTag() {
        int tag = image.lastIndexOf(':');
        return tag > image.lastIndexOf('/') ? image.substring(tag + 1) : "latest";
    }
}
