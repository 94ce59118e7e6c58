package ai.cloudact.jobs.run;

import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one summary line of a run:
 * {@code SUMMARY job=<id> [pack=<pack>] environment=<env> outcome=<OUTCOME> duration=1.234s [shard=i/N]
 * [attempts=N] [http_status=S] [ok= failed= skipped=] [results] [reason="..."]}.
 * The pack is named when it is not the default one. The reason is one line, with double quotes turned
 * into single ones so the line stays parseable.
 */
public final class Summary {

    public static final String DEFAULT_PACK = "cloudact";
    /** Its own logger, kept at INFO whatever LOG_LEVEL says (runtime.LogSetup): the run's record is always written. */
    private static final Logger LOG = LoggerFactory.getLogger("summary");

    private Summary() {
    }

    /** Writes the summary line. */
    public static void log(RunRecord record) {
        LOG.info(line(record));
    }

    public static String line(RunRecord record) {
        long millis = record.duration().toMillis();
        StringBuilder line = new StringBuilder("SUMMARY job=").append(record.job());
        if (record.pack() != null && !record.pack().equals(DEFAULT_PACK)) {
            line.append(" pack=").append(record.pack());
        }
        line.append(" environment=").append(record.environment()).append(" outcome=").append(record.outcome())
                .append(" duration=").append(millis / 1000).append('.').append(String.format("%03d", millis % 1000)).append('s');
        if (record.shard() != null) {
            line.append(" shard=").append(record.shard());
        }
        if (record.attempts() > 0) {
            line.append(" attempts=").append(record.attempts());
        }
        if (record.httpStatus() != null) {
            line.append(" http_status=").append(record.httpStatus());
        }
        if (record.fanOut()) {
            line.append(" ok=").append(record.ok()).append(" failed=").append(record.failed()).append(" skipped=").append(record.skipped());
        }
        new TreeMap<>(record.results()).forEach((name, value) -> line.append(' ').append(name).append('=').append(value));
        if (record.extra() != null && !record.extra().isBlank()) {
            line.append(' ').append(oneLine(record.extra()));
        }
        if (record.reason() != null) {
            line.append(" reason=\"").append(oneLine(record.reason())).append('"');
        }
        return line.toString();
    }

    public static String oneLine(String text) {
        return text.replace('"', '\'').replaceAll("\\s+", " ").trim();
    }
}
