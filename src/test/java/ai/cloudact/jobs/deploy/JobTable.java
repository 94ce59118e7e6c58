package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import java.util.Arrays;
import java.util.List;

/**
 * scripts/jobs.tsv read the way the scripts read it: the deploy tests take their expectations from the
 * table the scripts are given (its columns are the contract), not from the Java code that generates it.
 */
record JobTable(String id, String name, String schedule, String timeZone, int timeoutSeconds, int retries,
        String memory, String cpu, List<String> secrets, String gate) {

    static final String PATH = "scripts/jobs.tsv";

    static List<JobTable> load() {
        return Repo.read(PATH).lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(JobTable::parse).toList();
    }

    static JobTable byId(String id) {
        return load().stream().filter(j -> j.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no job " + id + " in " + PATH));
    }

    private static JobTable parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 10) {
            throw new AssertionError(PATH + ": expected 10 tab-separated columns, got " + f.length + ": " + line);
        }
        return new JobTable(f[0], f[1], f[2], f[3], Integer.parseInt(f[4]), Integer.parseInt(f[5]), f[6], f[7],
                f[8].equals("-") ? List.of() : Arrays.asList(f[8].split(",")), f[9]);
    }

    boolean manual() {
        return schedule.equals("-");
    }

    boolean gated() {
        return !gate.equals("-");
    }

    /** The Cloud Run Job and Scheduler trigger name in an environment (test and stage share a project, hence the suffix). */
    String resource(String env) {
        return env.equals("prod") ? name : name + "-" + env;
    }

    /** JOB_TIMEOUT given to the runner: inside the task timeout, so its summary line is still written. */
    int runnerDeadline() {
        return Math.max(timeoutSeconds - 30, timeoutSeconds * 9 / 10);
    }
}
