package ai.cloudact.jobs.beans;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.support.RouteHarness;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz: 250 generated hostile org lists (slugs that are paths, queries, fragments, control and
 * Unicode characters, huge strings, numbers, nulls, nested objects; page tokens that repeat, are
 * empty or huge) through the real org-sync-all route against WireMock. For each: it ends in time;
 * only {@code /admin/orgs/<slug>/sync} with a well-formed slug is ever called, once per accepted
 * entry; ok + failed + skipped equals the entries seen; a paging loop ends the run with a reason
 * that names it; no reason carries the root key. The seed is fixed, so a failure reproduces.
 */
class HostileOrgListFuzzTest {

    private static final int CASES = 250;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Object> HOSTILE = List.of("../../admin/bootstrap", "a?x=1", "a#b", "a/b", "a b", "", " ", "%2e%2e",
            "a%2Fb", "..", ".", "\u0000", "line\nbreak", "tab\tx", "\u202eevil", "ünïcödé", "x".repeat(65), "y".repeat(20_000),
            "${env:HOME}", "{{ca.api.url}}", "a;b", "a\\b", "-leading", "_x", 42, 3.5, true, List.of("x"), Map.of("nested", "y"));

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void hostileOrgListsNeverLeakLoopHangOrReachAnotherPath() throws Exception {
        Random random = new Random(20261129);
        try (RouteHarness route = RouteHarness.start("org-sync-all", Map.of("ca.api.url", api.baseUrl(),
                "org.sync.concurrency", "4", "org.sync.max.pages", "6", "retry.max.redeliveries", "0",
                "http.response.timeout.ms", "10000"))) {
            for (int i = 0; i < CASES; i++) {
                api.resetAll();
                api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(okJson("{}")));
                Generated list = generate(random, i);
                list.stub();

                Exchange result = route.fire();
                String as = "case " + i + ": " + list;
                List<LoggedRequest> syncs = api.findAll(anyRequestedFor(anyUrl())).stream()
                        .filter(request -> !request.getUrl().startsWith("/admin/orgs?")).toList();

                assertThat(syncs).as(as).allSatisfy(request ->
                        assertThat(request.getUrl()).matches("/admin/orgs/[A-Za-z0-9][A-Za-z0-9_-]{0,63}/sync"));
                assertThat(syncs).as(as).hasSize(route.run().ok());
                assertThat(new HashSet<>(syncs.stream().map(LoggedRequest::getUrl).toList())).as(as + ": no org twice").hasSize(syncs.size());
                if (list.loops) {
                    assertThat(FailureReport.explain(result.getException())).as(as).containsAnyOf("repeats next_page_token", "more than 6 pages");
                } else {
                    assertThat(result.getException()).as(as).isNull();
                    assertThat(route.run().items()).as(as + ": every entry counted once").isEqualTo(list.entries);
                    assertThat(route.run().ok()).as(as).isEqualTo(list.valid);
                }
                if (result.getException() != null) {
                    assertThat(FailureReport.explain(result.getException())).as(as).doesNotContain(RouteHarness.ROOT_KEY)
                            .doesNotContain("\n");
                }
            }
        }
    }

    /** One generated org list: its pages as JSON, and what a correct run of it does. */
    private record Generated(List<String> pages, int entries, int valid, boolean loops) {

        void stub() {
            for (int p = 0; p < pages.size(); p++) {
                api.stubFor(get(urlPathEqualTo("/admin/orgs"))
                        .withQueryParam("page_token", p == 0 ? absent() : equalTo("t" + p))
                        .willReturn(okJson(pages.get(p))));
            }
        }

        @Override
        public String toString() {
            String all = String.join(" | ", pages);
            return all.length() > 300 ? all.substring(0, 300) + "..." : all;
        }
    }

    private static Generated generate(Random random, int caseNumber) throws Exception {
        int pageCount = 1 + random.nextInt(4);
        boolean loops = random.nextInt(5) == 0;
        List<String> pages = new ArrayList<>();
        Set<String> slugs = new HashSet<>();
        int entries = 0;
        int valid = 0;
        for (int p = 0; p < pageCount; p++) {
            List<Object> orgs = new ArrayList<>();
            int size = random.nextInt(8);
            for (int e = 0; e < size; e++) {
                int kind = random.nextInt(10);
                if (kind < 4) {
                    String slug = "org-" + caseNumber + "-" + p + "-" + e;
                    slugs.add(slug);
                    orgs.add(Map.of("org_slug", slug));
                    valid++;
                } else if (kind < 8) {
                    Object hostile = HOSTILE.get(random.nextInt(HOSTILE.size()));
                    orgs.add(random.nextBoolean() ? mapOf("org_slug", hostile) : hostile);
                } else if (kind == 8) {
                    orgs.add(null);
                } else {
                    orgs.add(Map.of("name", "no slug"));
                }
                entries++;
            }
            Map<String, Object> page = new java.util.LinkedHashMap<>();
            page.put("orgs", orgs);
            boolean last = p == pageCount - 1;
            if (!last) {
                page.put("next_page_token", "t" + (p + 1));
            } else if (loops) {
                // back to an earlier page, or on for ever: both must end the walk
                page.put("next_page_token", random.nextBoolean() ? "t" + Math.max(1, p) : "t" + (p + 1));
            } else if (random.nextBoolean()) {
                page.put("next_page_token", random.nextBoolean() ? "" : null);
            }
            pages.add(JSON.writeValueAsString(page));
        }
        if (loops && pages.size() < 7) {
            // an endless walk: further pages keep pointing onwards until the page cap
            for (int p = pageCount; p < 8; p++) {
                pages.add(JSON.writeValueAsString(Map.of("orgs", List.of(), "next_page_token", "t" + (p + 1))));
            }
        }
        return new Generated(pages, entries, valid, loops);
    }

    private static Map<String, Object> mapOf(String key, Object value) {
        Map<String, Object> map = new java.util.HashMap<>();
        map.put(key, value);
        return map;
    }
}
