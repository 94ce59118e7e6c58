package ai.cloudact.jobs;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the outcome of each org's sync in org-sync-all's split: ok, failed, or skipped (an entry
 * without org_slug). A failed org is logged and counted, not rethrown, so one org's failure does not
 * stop the others; the route fails the job at the end when any org failed.
 */
public class OrgSyncTally implements AggregationStrategy {

    /** Set on an org's exchange that was not synced on purpose. */
    public static final String SKIPPED = "orgSyncSkipped";

    private static final Logger LOG = LoggerFactory.getLogger("org-sync-all");

    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private int progressEvery = 100;

    public void setProgressEvery(int progressEvery) {
        this.progressEvery = Math.max(1, progressEvery);
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        String org = newExchange.getProperty("orgSlug", "?", String.class);
        if (newExchange.getException() != null) {
            failed.incrementAndGet();
            LOG.warn("org {} failed: {}", org, FailureReport.explain(newExchange.getException()));
            newExchange.setException(null);
        } else if (newExchange.getProperty(SKIPPED, false, Boolean.class)) {
            skipped.incrementAndGet();
        } else {
            ok.incrementAndGet();
        }
        int done = getTotal();
        if (done % progressEvery == 0) {
            LOG.info("progress: {} orgs done ({})", done, summary());
        }
        // the split's result is copied back into the job's exchange: keep no org's marks on it
        Exchange result = oldExchange == null ? newExchange : oldExchange;
        result.removeProperty(SKIPPED);
        result.removeProperty(OrgSlugs.SKIP_REASON);
        return result;
    }

    public int getOk() {
        return ok.get();
    }

    public int getFailed() {
        return failed.get();
    }

    public int getSkipped() {
        return skipped.get();
    }

    public int getTotal() {
        return ok.get() + failed.get() + skipped.get();
    }

    public String summary() {
        return "ok=" + ok + " failed=" + failed + " skipped=" + skipped;
    }
}
