package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of scripts/packs/&lt;pack&gt;.environments.tsv, read the way the scripts read it: where and as whom
 * a pack's jobs are deployed in one environment, the Secret Manager secret of each secret variable and
 * where each setting is looked up.
 */
record EnvironmentTable(String environment, String stage, String project, String region, String image, String runtimeServiceAccount,
        String schedulerServiceAccount, Map<String, String> secrets, Map<String, String> lookups) {

    static EnvironmentTable of(String pack, String environment) {
        String path = PackTables.DIRECTORY + pack + ".environments.tsv";
        return Repo.read(path).lines().filter(l -> !l.startsWith("#") && l.startsWith(environment + "\t")).findFirst()
                .map(EnvironmentTable::parse).orElseThrow(() -> new AssertionError(path + " has no row for " + environment));
    }

    private static EnvironmentTable parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 9) {
            throw new AssertionError("expected 9 tab-separated columns, got " + f.length + ": " + line);
        }
        return new EnvironmentTable(f[0], f[1], f[2], f[3], f[4], f[5], f[6], pairs(f[7]), pairs(f[8]));
    }

    private static Map<String, String> pairs(String column) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (!column.equals("-")) {
            Arrays.stream(column.split(",")).forEach(pair -> pairs.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1)));
        }
        return pairs;
    }

    /** Where the run endpoints and triggers of this environment are: the Cloud Run namespace path and the Scheduler parent. */
    String runJobs() {
        return "/apis/run.googleapis.com/v1/namespaces/" + project + "/jobs";
    }

    String triggers() {
        return "/v1/projects/" + project + "/locations/" + region + "/jobs";
    }

    String trigger(String name) {
        return "projects/" + project + "/locations/" + region + "/jobs/" + name;
    }
}
