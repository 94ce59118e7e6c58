package ai.cloudact.jobs.state;

import java.util.Locale;

/** What a run does when another live run holds its lease (OVERLAP_POLICY). */
public enum OverlapPolicy {
    /** End at once as SKIPPED, exit 0: the other run does the work (the default). */
    SKIP,
    /** End at once as FAILED, exit 1: the platform sees the overlap as a failed attempt. */
    FAIL,
    /** Take no lease at all: runs of the job may overlap. */
    ALLOW;

    public static OverlapPolicy parse(String value) {
        return value == null ? SKIP : valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
