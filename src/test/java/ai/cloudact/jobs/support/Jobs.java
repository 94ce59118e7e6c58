package ai.cloudact.jobs.support;

import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;

/** Every job the project ships, found in the pack directories: the tests that cover "all jobs" iterate these. */
public final class Jobs {

    private Jobs() {
    }

    public static Stream<Job> all() {
        return Pack.names().stream().flatMap(name -> JobCatalog.load(Pack.load(name), null).jobs().stream());
    }

    public static Job of(String pack, String id) {
        return JobCatalog.load(Pack.load(pack), null).job(id);
    }

    /** The jobs of the default pack. */
    public static java.util.List<Job> defaultPack() {
        return JobCatalog.load(Pack.load(Pack.DEFAULT), null).jobs();
    }

    public static Job cloudact(String id) {
        return of(Pack.DEFAULT, id);
    }
}
