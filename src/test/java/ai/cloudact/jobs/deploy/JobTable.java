package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One row of a job table, scripts/packs/&lt;pack&gt;.tsv (or the table of a ROUTES_DIR), read the way the
 * scripts read it: the deploy tests take their expectations from the table the scripts are given (its
 * columns are the contract), not from the Java code that generates it.
 */
record JobTable(String id, String name, Map<String, String> names, String schedule, String timeZone, int timeoutSeconds,
        int runnerDeadline, int retries, String memory, String cpu, int tasks, List<String> secrets, String gate, List<String> settings,
        String method, String url, String body, String auth, String description) {

    static final int COLUMNS = 21;

    static String path(String pack) {
        return PackTables.DIRECTORY + pack + ".tsv";
    }

    static List<JobTable> load(String pack) {
        return load(Repo.ROOT.resolve(path(pack)));
    }

    static List<JobTable> load(Path table) {
        try {
            return Files.readAllLines(table).stream().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> parse(table, l)).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static JobTable byId(String pack, String id) {
        return load(pack).stream().filter(j -> j.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no job " + id + " in " + path(pack)));
    }

    private static JobTable parse(Path table, String line) {
        String[] f = line.split("\t", -1);
        if (f.length != COLUMNS) {
            throw new AssertionError(table + ": expected " + COLUMNS + " tab-separated columns, got " + f.length + ": " + line);
        }
        return new JobTable(f[0], f[1], Map.of("test", f[2], "stage", f[3], "prod", f[4]), f[5], f[6], Integer.parseInt(f[7]),
                Integer.parseInt(f[8]), Integer.parseInt(f[9]), f[10], f[11], Integer.parseInt(f[12]), list(f[13]), f[14], list(f[15]), f[16], f[17], f[18],
                f[19], f[20]);
    }

    private static List<String> list(String column) {
        return column.equals("-") ? List.of() : Arrays.asList(column.split(","));
    }

    boolean manual() {
        return schedule.equals("-");
    }

    boolean gated() {
        return !gate.equals("-");
    }

    /** The Cloud Run Job and Scheduler trigger name in an environment: the name_&lt;env&gt; column. */
    String resource(String env) {
        return names.get(env);
    }
}
