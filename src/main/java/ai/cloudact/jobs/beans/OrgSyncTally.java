package ai.cloudact.jobs.beans;

import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.Run;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the outcome of each org's sync in org-sync-all's split on the run ({@link Run}): ok, failed,
 * or skipped (an entry refused by {@link OrgSlugs}); an org of another parallel task's share
 * ({@link ShardShare}) is not counted at all. A failed org is logged and counted, not
 * rethrown, so one org's failure does not stop the others; the route fails the job at the end when
 * any org failed. The counts live on the run, so the summary has them however the run ends.
 */
public class OrgSyncTally implements AggregationStrategy {

    /** Set on an org's exchange that was not synced on purpose. */
    public static final String SKIPPED = "orgSyncSkipped";

    private static final Logger LOG = LoggerFactory.getLogger("org-sync-all");

    private int progressEvery = 100;

    public void setProgressEvery(int progressEvery) {
        this.progressEvery = Math.max(1, progressEvery);
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Run run = Run.of(newExchange);
        if (ShardShare.notMine(newExchange)) {
            return clean(oldExchange == null ? newExchange : oldExchange);
        }
        if (newExchange.getException() != null) {
            run.itemFailed();
            LOG.warn("org {} failed: {}", newExchange.getProperty("orgSlug", "?", String.class),
                    FailureReport.explain(newExchange.getException(), FailureReport.hints(newExchange.getContext())));
            newExchange.setException(null);
        } else if (newExchange.getProperty(SKIPPED, false, Boolean.class)) {
            run.itemSkipped();
        } else {
            run.itemOk();
        }
        int done = run.items();
        if (done % progressEvery == 0) {
            LOG.info("progress: {} orgs done ({})", done, run.counts());
        }
        return clean(oldExchange == null ? newExchange : oldExchange);
    }

    /** The split's result is copied back into the job's exchange: keep no org's marks on it. */
    private static Exchange clean(Exchange result) {
        result.removeProperty(SKIPPED);
        result.removeProperty(OrgSlugs.SKIP_REASON);
        result.removeProperty("orgSlug");
        result.removeProperty(ShardShare.KEY);
        result.removeProperty(ShardShare.NOT_MINE);
        return result;
    }
}
