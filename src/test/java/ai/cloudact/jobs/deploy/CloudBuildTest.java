package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.catalog.Job;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/** cloudbuild-jobs.yaml: builds the top-level Dockerfile and pushes the image with the tag and environment tags. */
class CloudBuildTest {

    /** The fields of a Cloud Build config file (cloud.google.com/build/docs/build-config-file-schema). */
    private static final Set<String> BUILD_FIELDS = Set.of("steps", "timeout", "queueTtl", "logsBucket", "options",
            "substitutions", "tags", "serviceAccount", "secrets", "availableSecrets", "artifacts", "images");
    private static final Set<String> STEP_FIELDS = Set.of("name", "args", "env", "dir", "id", "waitFor", "entrypoint",
            "secretEnv", "volumes", "timeout", "script", "automapSubstitutions", "allowFailure", "allowExitCodes");
    private static final Set<String> BUILT_IN = Set.of("PROJECT_ID", "BUILD_ID", "PROJECT_NUMBER", "LOCATION",
            "COMMIT_SHA", "SHORT_SHA", "REVISION_ID", "BRANCH_NAME", "TAG_NAME", "REPO_NAME", "REPO_FULL_NAME");

    @Test
    void buildsAndPushesTheImageWithEnvironmentAndTagSubstitutions() {
        String text = Repo.read("cloudbuild-jobs.yaml");
        Map<?, ?> build = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(text);
        assertThat(BUILD_FIELDS).containsAll(build.keySet().stream().map(Object::toString).toList());

        @SuppressWarnings("unchecked")
        Map<String, Object> substitutions = (Map<String, Object>) build.get("substitutions");
        assertThat(substitutions).containsKeys("_ENV", "_TAG");
        Set<String> used = new TreeSet<>();
        Matcher matcher = Pattern.compile("\\$\\{(\\w+)}").matcher(text.replaceAll("(?m)^\\s*#.*$", ""));
        while (matcher.find()) {
            used.add(matcher.group(1));
        }
        for (String name : used) {
            assertThat(substitutions.containsKey(name) || BUILT_IN.contains(name)).as("${" + name + "} is declared").isTrue();
        }

        List<?> steps = (List<?>) build.get("steps");
        for (Object step : steps) {
            assertThat(STEP_FIELDS).containsAll(((Map<?, ?>) step).keySet().stream().map(Object::toString).toList());
        }
        Map<?, ?> docker = steps.stream().map(Map.class::cast).filter(s -> "build".equals(s.get("id"))).findFirst().orElseThrow();
        List<Object> args = List.copyOf((List<?>) docker.get("args"));
        assertThat(args.get(0)).isEqualTo("build");
        assertThat(args.get(args.size() - 1)).as("the top-level Dockerfile, context = repository").isEqualTo(".");
        List<?> images = (List<?>) build.get("images");
        assertThat(images).hasSize(2).allSatisfy(image -> assertThat(args).contains("--tag=" + image));
        assertThat(images).anySatisfy(i -> assertThat(i.toString()).endsWith(":${_TAG}"))
                .anySatisfy(i -> assertThat(i.toString()).endsWith(":${_ENV}"));
        // the :<env> tag is the one scripts/create-all-jobs.sh and the k8s overlays deploy by default
        assertThat(images.get(1).toString())
                .isEqualTo("${_REGION}-docker.pkg.dev/${PROJECT_ID}/${_REPOSITORY}/cloudact-jobs:${_ENV}");
        assertThat(substitutions.get("_REGION")).isEqualTo("us-central1");
        assertThat(substitutions.get("_REPOSITORY")).isEqualTo("cloudact");
    }
}
