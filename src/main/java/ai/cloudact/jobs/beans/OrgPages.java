package ai.cloudact.jobs.beans;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.ExplainedFailure;
import ai.cloudact.jobs.run.Run;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import static ai.cloudact.jobs.run.Quoted.quote;

/**
 * The active orgs, streamed page by page for org-sync-all's split, each entry as an {@link OrgEntry}
 * (whatever the API sent, null included; {@link OrgSlugs} decides). Each page is fetched through the
 * route direct:org-list-page (its retries and circuit breaker), one page ahead: as soon as a page
 * arrives, the next one is requested in the background while the split takes the orgs of this one.
 * Why: the parallel split takes its next org only when a worker is free, so a page fetched on demand
 * is fetched when the last org of the page before is taken, by a worker that waits a round trip before
 * its own call, while no further org is taken. That cost a task of N (few of its orgs on each page)
 * almost the whole page walk's latency on top of its syncs (bench/shards.sh: one task of ten, 19.9 s
 * before, 14.4 s after). Memory holds at most two pages. A run that is one of N parallel tasks
 * walks every page too, and hands the split only its share ({@link ShardShare#only}).
 *
 * <p>The walk cannot loop: a {@code next_page_token} seen before, or more pages than
 * {@code maxPages}, stops it with a failure that names the token; no org is synced twice. A walk that
 * stops (a loop, a page that fails) ends the split normally, so every org already taken is synced and
 * counted; {@link #finish} then fails the job with the reason.
 */
public class OrgPages {

    /**
     * Job exchange property holding why the walk stopped early: a holder set before the split, whose
     * copies all share it, so the reason survives however the split copies its results back.
     */
    private static final String STOPPED = "orgListStopped";

    private String query = "status=active";
    private int maxPages = 10_000;
    /** One for every run of the job (a service runs it many times): its pool fetches the pages ahead. */
    private ProducerTemplate template;

    public void setQuery(String query) {
        this.query = query;
    }

    public void setMaxPages(int maxPages) {
        this.maxPages = maxPages;
    }

    /** After the split: fails the job when the walk stopped early (every org taken before has been counted). */
    public void finish(Exchange job) {
        @SuppressWarnings("unchecked")
        AtomicReference<ExplainedFailure> stopped = job.getProperty(STOPPED, AtomicReference.class);
        if (stopped != null && stopped.get() != null) {
            throw stopped.get();
        }
    }

    /** The entries of every page; of a run that is one of N parallel tasks, only its share of them. */
    public Iterator<OrgEntry> iterate(Exchange job) {
        Run.of(job).fanOut();
        AtomicReference<ExplainedFailure> stopped = new AtomicReference<>();
        job.setProperty(STOPPED, stopped);
        return ShardShare.only(pages(job, stopped), Run.of(job).shard(), OrgSlugs::shardKey);
    }

    private Iterator<OrgEntry> pages(Exchange job, AtomicReference<ExplainedFailure> stopped) {
        return new Iterator<>() {
            private final ProducerTemplate template = template(job.getContext());
            private final Set<String> tokensSeen = new HashSet<>();
            private Iterator<?> page = List.of().iterator();
            private int pageNumber;
            private int position;
            private String nextToken;
            private boolean started;
            /** The next page, requested when the current one arrived (null: not requested yet). */
            private Future<Exchange> ahead;
            @Override
            public boolean hasNext() {
                try {
                    while (!page.hasNext() && (!started || nextToken != null)) {
                        fetch();
                    }
                } catch (ExplainedFailure stopped) {
                    stop(stopped);
                }
                return page.hasNext();
            }

            /** Ends the walk here: the split finishes the orgs it has, then finish() fails the job. */
            private void stop(ExplainedFailure reason) {
                stopped.set(reason);
                nextToken = null;
                page = List.of().iterator();
            }

            @Override
            public OrgEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return new OrgEntry(pageNumber, ++position, page.next());
            }

            private void fetch() {
                started = true;
                int number = pageNumber + 1;
                if (number > maxPages) {
                    throw new ExplainedFailure("the org list has more than " + maxPages + " pages (next_page_token "
                            + quote(nextToken) + "): stopped, taking it for an API that pages forever; raise"
                            + " ORG_SYNC_MAX_PAGES if the list is really that long");
                }
                Exchange answer = ahead != null ? take(ahead) : template.send("direct:org-list-page", request());
                ahead = null;
                if (answer.getException() != null) {
                    throw new ExplainedFailure("page " + number + " of the org list failed, after "
                            + Run.of(job).items() + " orgs of earlier pages: " + FailureReport.explain(answer.getException(), FailureReport.hints(job.getContext())),
                            answer.getException());
                }
                Object body = answer.getMessage().getBody();
                if (!(body instanceof Map<?, ?> map) || !(map.get("orgs") instanceof List<?> orgs)) {
                    throw new ExplainedFailure("page " + number + " of the org list has no orgs[] array: " + quote(body)
                            + "; check CA_API_URL (is it the API?)");
                }
                page = orgs.iterator();
                pageNumber = number;
                position = 0;
                Object token = map.get("next_page_token");
                nextToken = token == null || token.toString().isEmpty() ? null : token.toString();
                if (nextToken != null && !tokensSeen.add(nextToken)) {
                    // this page's orgs are synced; the walk ends after them
                    stopped.set(new ExplainedFailure("the org list repeats next_page_token " + quote(nextToken)
                            + " (page " + number + "): stopped so no org is synced twice; the API's paging is broken"));
                    nextToken = null;
                }
                if (nextToken != null && number < maxPages) {
                    ahead = template.asyncSend("direct:org-list-page", request());
                }
            }

            /** A request for the page after the current one (the first page when there is none). */
            private Exchange request() {
                Exchange request = job.copy();
                request.getMessage().setBody(null);
                request.getMessage().setHeader(Exchange.HTTP_QUERY, nextToken == null ? query
                        : query + "&page_token=" + URLEncoder.encode(nextToken, StandardCharsets.UTF_8));
                return request;
            }

            private Exchange take(Future<Exchange> page) {
                try {
                    return page.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ExplainedFailure("the org list walk was interrupted (the run is stopping)", e);
                } catch (ExecutionException e) {
                    throw new ExplainedFailure("page " + (pageNumber + 1) + " of the org list failed: "
                            + FailureReport.explain(e.getCause(), FailureReport.hints(job.getContext())), e.getCause());
                }
            }
        };
    }

    private synchronized ProducerTemplate template(CamelContext context) {
        if (template == null) {
            template = context.createProducerTemplate();
        }
        return template;
    }
}
