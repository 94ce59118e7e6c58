package ai.cloudact.jobs;

import java.util.Map;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The route of every job that makes one HTTP call to the API or the frontend: the request it sends
 * and what it does with success, 4xx, 5xx and timeouts. Each route runs as the runner wires it, with
 * AdviceWith replacing its quartz trigger, against a real HTTP server (WireMock).
 */
class HttpJobRoutesTest {

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    /** job id, path it calls, JSON body it sends (null: none). */
    static Stream<Arguments> jobs() {
        return Stream.of(
                Arguments.of("bootstrap", "/admin/bootstrap", null),
                Arguments.of("bootstrap-sync", "/admin/bootstrap/sync", null),
                Arguments.of("stale-cleanup", "/admin/quota/cleanup-stale", null),
                Arguments.of("quota-reset", "/admin/quota/reset-daily", null),
                Arguments.of("quota-monthly", "/admin/quota/reset-monthly", null),
                Arguments.of("alerts", "/admin/alerts/process-all", null),
                Arguments.of("billing-retry", "/api/cron/billing-sync", "{\"mode\":\"retry\"}"),
                Arguments.of("reconcile", "/api/cron/billing-sync", "{\"mode\":\"reconcile\"}"));
    }

    private static RouteHarness start(String job) throws Exception {
        // API and frontend on different paths of one server: each job must pick the right base URL
        return RouteHarness.start(job, Map.of(
                "ca.api.url", api.baseUrl(),
                "ca.frontend.url", api.baseUrl()));
    }

    private static RequestPatternBuilder expectedRequest(String path, String body) {
        RequestPatternBuilder request = postRequestedFor(urlPathEqualTo(path))
                .withHeader("X-CA-Root-Key", equalTo(RouteHarness.ROOT_KEY));
        return body == null ? request : request.withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson(body));
    }

    @ParameterizedTest(name = "{0} sends POST {1} with the root key")
    @MethodSource("jobs")
    void sendsTheDocumentedRequestAndSucceeds(String job, String path, String body) throws Exception {
        api.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200).withBody("{\"status\":\"ok\"}")));
        try (RouteHarness route = start(job)) {
            route.done().expectedMessageCount(1);

            Exchange result = route.fire();

            assertThat(result.getException()).isNull();
            assertThat(result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(200);
            route.done().assertIsSatisfied();
        }
        api.verify(1, expectedRequest(path, body));
        assertThat(api.getAllServeEvents()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}: 401 fails at once, no retry")
    @MethodSource("jobs")
    void clientErrorFailsAtOnce(String job, String path, String body) throws Exception {
        api.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(401).withBody("{\"detail\":\"bad key\"}")));
        try (RouteHarness route = start(job)) {
            Exchange result = route.fire();

            assertThat(httpFailure(result).getStatusCode()).isEqualTo(401);
            assertThat(FailureReport.explain(result.getException())).contains("root key", "CA_ROOT_API_KEY");
            assertThat(route.done().getReceivedCounter()).isZero();
        }
        api.verify(1, expectedRequest(path, body));
    }

    @ParameterizedTest(name = "{0}: 503 twice then 200 succeeds on the third attempt")
    @MethodSource("jobs")
    void transientServerErrorIsRetried(String job, String path, String body) throws Exception {
        stubSequence(path, 503, 503, 200);
        try (RouteHarness route = start(job)) {
            Exchange result = route.fire();

            assertThat(result.getException()).isNull();
            assertThat(route.context.getRegistry().lookupByNameAndType("callStats", CallStats.class).getAttempts())
                    .isEqualTo(3);
        }
        api.verify(3, expectedRequest(path, body));
    }

    @ParameterizedTest(name = "{0}: 500 on every call fails after 1 + 3 retries")
    @MethodSource("jobs")
    void persistentServerErrorFailsAfterRetries(String job, String path, String body) throws Exception {
        api.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(500).withBody("{\"detail\":\"db down\"}")));
        try (RouteHarness route = start(job)) {
            Exchange result = route.fire();

            assertThat(httpFailure(result).getStatusCode()).isEqualTo(500);
            assertThat(FailureReport.explain(result.getException())).contains("HTTP 500", "db down");
        }
        api.verify(4, expectedRequest(path, body));
    }

    @ParameterizedTest(name = "{0}: a read timeout is retried, then fails with the cause")
    @MethodSource("jobs")
    void timeoutIsRetriedThenFails(String job, String path, String body) throws Exception {
        api.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200).withFixedDelay(1500)));
        try (RouteHarness route = RouteHarness.start(job, Map.of(
                "ca.api.url", api.baseUrl(), "ca.frontend.url", api.baseUrl(),
                "http.response.timeout.ms", "200", "retry.max.redeliveries", "1"))) {
            Exchange result = route.fire();

            assertThat(result.getException()).isNotNull();
            assertThat(FailureReport.explain(result.getException())).contains("no answer in time");
        }
        api.verify(2, expectedRequest(path, body));
    }

    /** The HTTP failure behind the exchange's exception (the circuit breaker wraps it). */
    static HttpOperationFailedException httpFailure(Exchange result) {
        HttpOperationFailedException failure = FailureReport.find(result.getException(), HttpOperationFailedException.class);
        assertThat(failure).as("HTTP failure behind %s", result.getException()).isNotNull();
        return failure;
    }

    private static void stubSequence(String path, int... statuses) {
        String state = Scenario.STARTED;
        for (int i = 0; i < statuses.length; i++) {
            String next = i == statuses.length - 1 ? state : "after-" + (i + 1);
            MappingBuilder stub = post(urlPathEqualTo(path)).inScenario("sequence").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(statuses[i]).withBody("{\"attempt\":" + (i + 1) + "}"))
                    .willSetStateTo(next);
            api.stubFor(stub);
            state = next;
        }
    }
}
