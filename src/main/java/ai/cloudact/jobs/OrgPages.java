package ai.cloudact.jobs;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * The active orgs, streamed page by page for org-sync-all's split, each entry as an {@link OrgEntry}
 * (whatever the API sent, null included; {@link OrgSlugs} decides): the next page is fetched (through
 * the route direct:org-list-page, with its retries and circuit breaker) only when the split has taken
 * every org of the current one. So memory holds about one page, and the next page is fetched while
 * the current page's last orgs are still syncing instead of after them.
 */
public class OrgPages {

    private String query = "status=active";

    public void setQuery(String query) {
        this.query = query;
    }

    public Iterator<Object> iterate(Exchange job) {
        return new Iterator<>() {
            private final ProducerTemplate template = job.getContext().createProducerTemplate();
            private Iterator<?> page = List.of().iterator();
            private int pageNumber;
            private int position;
            private String nextToken;
            private boolean started;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && (!started || nextToken != null)) {
                    fetch();
                }
                return page.hasNext();
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return new OrgEntry(pageNumber, ++position, page.next());
            }

            private void fetch() {
                started = true;
                Exchange request = job.copy();
                request.getMessage().setBody(null);
                request.getMessage().setHeader(Exchange.HTTP_QUERY, nextToken == null ? query
                        : query + "&page_token=" + URLEncoder.encode(nextToken, StandardCharsets.UTF_8));
                Exchange answer = template.send("direct:org-list-page", request);
                if (answer.getException() != null) {
                    throw org.apache.camel.RuntimeCamelException.wrapRuntimeException(answer.getException());
                }
                Object body = answer.getMessage().getBody();
                if (!(body instanceof Map<?, ?> map) || !(map.get("orgs") instanceof List<?> orgs)) {
                    throw new IllegalStateException("the org list answer has no orgs[] array: " + abbreviate(body));
                }
                page = orgs.iterator();
                pageNumber++;
                position = 0;
                Object token = map.get("next_page_token");
                nextToken = token == null || token.toString().isEmpty() ? null : token.toString();
            }
        };
    }

    private static String abbreviate(Object body) {
        String text = String.valueOf(body);
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
