package ai.cloudact.jobs.beans;

import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.support.RouteHarness;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/** org-sync-all: pagination, per-org sync, one org's failure, skipped entries, the circuit breaker. */
class OrgSyncAllRouteTest {

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static RouteHarness start(Map<String, String> extra) throws Exception {
        Map<String, String> properties = new java.util.HashMap<>(Map.of("ca.api.url", api.baseUrl()));
        properties.putAll(extra);
        return RouteHarness.start("org-sync-all", properties);
    }

    private static void page(String token, String next, String... slugs) {
        String orgs = java.util.Arrays.stream(slugs).map(slug -> slug == null ? "{\"name\":\"no slug\"}"
                : "{\"org_slug\":\"" + slug + "\"}").collect(Collectors.joining(","));
        api.stubFor(get(urlPathEqualTo("/admin/orgs"))
                .withQueryParam("status", equalTo("active"))
                .withQueryParam("page_token", token == null ? absent() : equalTo(token))
                .withHeader("X-CA-Root-Key", equalTo(RouteHarness.ROOT_KEY))
                .willReturn(okJson("{\"orgs\":[" + orgs + "]" + (next == null ? "" : ",\"next_page_token\":\"" + next + "\"") + "}")));
    }

    @Test
    void followsEveryPageAndSyncsEachOrgOnce() throws Exception {
        page(null, "p2", "acme", "globex");
        page("p2", "p3", "initech");
        page("p3", null, "umbrella", "hooli");
        api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(okJson("{\"status\":\"ok\"}")));

        try (RouteHarness route = start(Map.of())) {
            route.done().expectedMessageCount(1);
            Exchange result = route.fire();

            assertThat(result.getException()).isNull();
            assertThat(route.run().counts()).isEqualTo("ok=5 failed=0 skipped=0");
            route.done().assertIsSatisfied();
        }
        api.verify(3, getRequestedFor(urlPathEqualTo("/admin/orgs")));
        for (String slug : new String[] {"acme", "globex", "initech", "umbrella", "hooli"}) {
            api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/" + slug + "/sync"))
                    .withHeader("X-CA-Root-Key", equalTo(RouteHarness.ROOT_KEY)));
        }
    }

    @Test
    void oneOfThreeTasksWalksEveryPageButSyncsOnlyItsShare() throws Exception {
        // CRC-32 mod 3: acme 2, globex 1, initech 0, umbrella 0, hooli 0; the entry without a slug is
        // keyed by its place ("page 1, entry 3") and so is counted as skipped by exactly one task
        page(null, "p2", "acme", "globex", null);
        page("p2", null, "initech", "umbrella", "hooli");
        api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(okJson("{\"status\":\"ok\"}")));

        Map<Integer, String> counts = new java.util.HashMap<>();
        try (RouteHarness route = start(Map.of())) {
            for (int index = 0; index < 3; index++) {
                Exchange result = route.fire(new ai.cloudact.jobs.run.Shard(index, 3));
                assertThat(result.getException()).isNull();
                counts.put(index, route.run().counts());
            }
        }
        int skippedBy = ai.cloudact.jobs.run.Shard.of("page 1, entry 3", 3);
        assertThat(counts.get(0)).isEqualTo("ok=3 failed=0 skipped=" + (skippedBy == 0 ? 1 : 0));
        assertThat(counts.get(1)).isEqualTo("ok=1 failed=0 skipped=" + (skippedBy == 1 ? 1 : 0));
        assertThat(counts.get(2)).isEqualTo("ok=1 failed=0 skipped=" + (skippedBy == 2 ? 1 : 0));
        api.verify(6, getRequestedFor(urlPathEqualTo("/admin/orgs")));
        for (String slug : new String[] {"acme", "globex", "initech", "umbrella", "hooli"}) {
            api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/" + slug + "/sync")));
        }
    }

    @Test
    void theNextPageIsRequestedWhileTheOrgsOfThisOneSync() throws Exception {
        // one worker, busy with acme for 1.5 s: the split takes globex (and so looks for page 2) only
        // after acme's answer, so only the read-ahead requests page 2 during acme's call
        page(null, "p2", "acme", "globex");
        page("p2", null, "initech");
        api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(okJson("{\"status\":\"ok\"}").withFixedDelay(1500)));

        try (RouteHarness route = start(Map.of("org.sync.concurrency", "1", "http.response.timeout.ms", "5000"))) {
            Exchange result = route.fire();
            assertThat(result.getException()).isNull();
            assertThat(route.run().counts()).isEqualTo("ok=3 failed=0 skipped=0");
        }
        long firstSync = api.findAll(postRequestedFor(urlPathEqualTo("/admin/orgs/acme/sync"))).get(0).getLoggedDate().getTime();
        long secondPage = api.findAll(getRequestedFor(urlPathEqualTo("/admin/orgs")).withQueryParam("page_token", equalTo("p2")))
                .get(0).getLoggedDate().getTime();
        assertThat(secondPage).as("page 2 requested during acme's sync").isLessThan(firstSync + 1500);
        api.verify(2, getRequestedFor(urlPathEqualTo("/admin/orgs")));
    }

    @Test
    void oneFailingOrgDoesNotStopTheOthersButFailsTheJob() throws Exception {
        page(null, "p2", "acme", "broken", null);
        page("p2", null, "hooli");
        api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(okJson("{\"status\":\"ok\"}")));
        api.stubFor(post(urlPathEqualTo("/admin/orgs/broken/sync")).willReturn(aResponse().withStatus(500)));

        try (RouteHarness route = start(Map.of())) {
            Exchange result = route.fire();

            assertThat(result.getException()).hasMessageContaining("1 of 4 orgs failed to sync");
            assertThat(route.run().counts()).isEqualTo("ok=2 failed=1 skipped=1");
            assertThat(route.done().getReceivedCounter()).isZero();
        }
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/acme/sync")));
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/hooli/sync")));
        api.verify(4, postRequestedFor(urlPathEqualTo("/admin/orgs/broken/sync")));
    }

    @Test
    void openCircuitMakesTheRemainingOrgsFailFast() throws Exception {
        String[] slugs = IntStream.range(0, 40).mapToObj(i -> "org-" + i).toArray(String[]::new);
        page(null, null, slugs);
        api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(aResponse().withStatus(503)));

        try (RouteHarness route = start(Map.of("org.sync.concurrency", "2"))) {
            Exchange result = route.fire();

            assertThat(result.getException()).hasMessageContaining("40 of 40 orgs failed");
        }
        int syncRequests = api.findAll(postRequestedFor(urlPathMatching("/admin/orgs/[^/]+/sync"))).size();
        // without the breaker: 40 orgs x 4 attempts = 160 requests; it opens after a handful of orgs
        assertThat(syncRequests).isLessThanOrEqualTo(10 * 4);
    }

    @Test
    void malformedOrgListFailsTheJobBeforeAnySync() throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).willReturn(okJson("{\"orgs\": [ {\"org_slug\": ")));

        try (RouteHarness route = start(Map.of())) {
            Exchange result = route.fire();

            assertThat(FailureReport.explain(result.getException())).startsWith("page 1 of the org list failed").contains("malformed JSON");
        }
        api.verify(0, postRequestedFor(urlPathMatching("/admin/orgs/.*")));
    }

    /**
     * Answers that are not an org list page, some built to hurt a parser: each fails the job before any
     * sync with a reason naming the page, never a stack overflow or a hang.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty answer                       | ''                                   | malformed JSON
            a JSON array                       | '[{"org_slug": "acme"}]'             | no orgs[] array
            orgs not an array                  | '{"orgs": {"org_slug": "acme"}}'     | no orgs[] array
            a key twice                        | '{"orgs": [], "orgs": []}'           | malformed JSON
            a bad escape                       | '{"orgs": [{"org_slug": "\\x"}]}'    | malformed JSON
            HTML                               | '<html><body>Bad gateway</body>'     | where the API answers JSON
            """)
    void answerThatIsNoOrgListPageFailsTheJobBeforeAnySync(String what, String answer, String reason) throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).willReturn(okJson(answer)));

        try (RouteHarness route = start(Map.of())) {
            Exchange result = route.fire();

            assertThat(FailureReport.explain(result.getException())).as(what).startsWith("page 1 of the org list").contains(reason);
        }
        api.verify(0, postRequestedFor(urlPathMatching("/admin/orgs/.*")));
    }

    @Test
    @Timeout(60) // a split worker that died of the Error would leave the split waiting: a hang
    void anErrorInOneOrgsSyncFailsThatOrgOnlyAndTheSplitFinishes() throws Exception {
        // an Error, not an Exception: what a class missing from the image at a rarely taken path throws
        page(null, null, "acme", "broken", "hooli");
        api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(okJson("{\"status\":\"ok\"}")));

        try (RouteHarness route = start(Map.of())) {
            AdviceWith.adviceWith(route.context, "outbound-call", call -> call.weaveAddFirst().process(exchange -> {
                if (exchange.getProperty("callUri", "", String.class).contains("/broken/")) {
                    throw new NoClassDefFoundError("com/example/Missing");
                }
            }));
            Exchange result = route.fire();

            assertThat(result.getException()).hasMessageContaining("1 of 3 orgs failed to sync");
            assertThat(route.run().counts()).isEqualTo("ok=2 failed=1 skipped=0");
        }
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/acme/sync")));
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/hooli/sync")));
        api.verify(0, postRequestedFor(urlPathEqualTo("/admin/orgs/broken/sync")));
    }

    @Test
    @Timeout(60) // what it guards against once was a split worker dying of StackOverflowError: a hang
    void deeplyNestedAnswerFailsTheJobWithoutAStackOverflow() throws Exception {
        // 200,000 nested arrays (400 kB): a parser without a depth limit would overflow a stack, its own or a later toString's
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).willReturn(okJson("{\"orgs\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}")));

        try (RouteHarness route = start(Map.of())) {
            Exchange result = route.fire();

            assertThat(FailureReport.explain(result.getException())).startsWith("page 1 of the org list")
                    .contains("malformed JSON", "nesting depth");
        }
        api.verify(0, postRequestedFor(urlPathMatching("/admin/orgs/.*")));
    }

    @Test
    void oddValuesInAnOrgEntryAreSkippedWithTheirReason() throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).willReturn(okJson(
                "{\"orgs\": [{\"org_slug\": 1e999999999}, {\"org_slug\": [\"acme\"]}, {\"org_slug\": \"acme\\u0000\"}, {\"org_slug\": \"globex\"}]}")));
        api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(okJson("{}")));

        try (RouteHarness route = start(Map.of())) {
            Exchange result = route.fire();

            assertThat(result.getException()).isNull();
            assertThat(route.run().counts()).isEqualTo("ok=1 failed=0 skipped=3");
        }
        api.verify(1, postRequestedFor(urlPathMatching("/admin/orgs/.*")));
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/globex/sync")));
    }

    @Test
    void answerWithoutOrgArrayFailsTheJob() throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).willReturn(okJson("{\"organisations\": []}")));

        try (RouteHarness route = start(Map.of())) {
            Exchange result = route.fire();

            assertThat(FailureReport.explain(result.getException())).contains("page 1 of the org list has no orgs[] array");
        }
    }
}
