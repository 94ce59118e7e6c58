package ai.cloudact.jobs.http;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.Locations;
import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.support.RouteHarness;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetBodyDefinition;
import org.apache.camel.model.SetHeaderDefinition;
import org.apache.camel.model.SetPropertyDefinition;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.requestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every job, of every pack, that makes one HTTP call: the request it sends (method, path, body,
 * credential headers, Idempotency-Key) and what it does with success, 4xx, 5xx and timeouts. Each
 * route runs as the runtime wires it, with AdviceWith replacing its trigger (and a Google ID token
 * step, which the end-to-end tests cover against a metadata-server stand-in), against WireMock. The
 * jobs are found in the pack directories: a new one-call job file is covered with no change here.
 */
class HttpJobRoutesTest {

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    /** The one-call jobs: one callUri in the file and no fan-out. */
    static Stream<Job> jobs() {
        return Jobs.all().filter(job -> {
            String text = Locations.read(job.location());
            return text.split("name: callUri", -1).length == 2 && !text.contains("- split:");
        });
    }

    /** What the route declares it sends, read from its definition with the same settings. */
    record Call(String method, String path, String body, Map<String, String> headers) {
    }

    private static RouteHarness start(Job job, Map<String, String> extra) throws Exception {
        Map<String, String> properties = new HashMap<>(RouteHarness.urlsOf(job, api.baseUrl()));
        properties.putAll(extra);
        RouteHarness harness = RouteHarness.start(job, properties);
        harness.stubGoogleIdToken(job, "Bearer test-id-token");
        return harness;
    }

    private static Call declared(RouteHarness harness, Job job) {
        RouteDefinition route = ((ModelCamelContext) harness.context).getRouteDefinition(job.id());
        Map<String, String> headers = new HashMap<>();
        String[] method = {"POST"};
        String[] uri = {null};
        String[] body = {null};
        walk(route.getOutputs(), step -> {
            if (step instanceof SetHeaderDefinition header) {
                String value = harness.context.resolvePropertyPlaceholders(header.getExpression().getExpression());
                if (header.getName().equals(Exchange.HTTP_METHOD)) {
                    method[0] = value;
                } else {
                    headers.put(header.getName(), value);
                }
            } else if (step instanceof SetPropertyDefinition property && property.getName().equals("callUri")) {
                uri[0] = harness.context.resolvePropertyPlaceholders(property.getExpression().getExpression());
            } else if (step instanceof SetBodyDefinition set) {
                body[0] = harness.context.resolvePropertyPlaceholders(set.getExpression().getExpression());
            }
        });
        headers.remove("Content-Type");
        return new Call(method[0], uri[0].substring(api.baseUrl().length()), body[0], headers);
    }

    private static void walk(List<ProcessorDefinition<?>> steps, java.util.function.Consumer<ExpressionNode> visit) {
        for (ProcessorDefinition<?> step : steps) {
            if (step instanceof ExpressionNode node && node.getExpression() != null) {
                visit.accept(node);
            }
            walk(step.getOutputs(), visit);
        }
    }

    private static RequestPatternBuilder expected(Call call) {
        RequestPatternBuilder request = requestedFor(call.method(), urlPathEqualTo(call.path()))
                .withHeader("Idempotency-Key", matching("[0-9a-f-]{36}"));
        call.headers().forEach((name, value) -> request.withHeader(name, equalTo(value)));
        return call.body() == null || call.body().isEmpty() ? request : request.withRequestBody(equalToJson(call.body()));
    }

    @ParameterizedTest(name = "{0}: sends its documented request and succeeds")
    @MethodSource("jobs")
    void sendsTheDocumentedRequestAndSucceeds(Job job) throws Exception {
        api.stubFor(any(com.github.tomakehurst.wiremock.client.WireMock.anyUrl())
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"completed\",\"output\":\"ok\"}")));
        Call call;
        try (RouteHarness route = start(job, Map.of())) {
            call = declared(route, job);
            route.done().expectedMessageCount(1);

            Exchange result = route.fire();

            assertThat(result.getException()).isNull();
            assertThat(result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(200);
            route.done().assertIsSatisfied();
        }
        assertThat(call.headers()).as("the route authenticates").isNotEmpty();
        api.verify(1, expected(call));
        assertThat(api.findAll(anyRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.anyUrl()))).hasSize(1);
    }

    @ParameterizedTest(name = "{0}: 401 fails at once, no retry")
    @MethodSource("jobs")
    void clientErrorFailsAtOnce(Job job) throws Exception {
        api.stubFor(any(com.github.tomakehurst.wiremock.client.WireMock.anyUrl())
                .willReturn(aResponse().withStatus(401).withBody("{\"detail\":\"bad key\"}")));
        try (RouteHarness route = start(job, Map.of())) {
            Call call = declared(route, job);
            Exchange result = route.fire();

            assertThat(httpFailure(result).getStatusCode()).isEqualTo(401);
            assertThat(FailureReport.explain(result.getException())).contains("HTTP 401");
            assertThat(route.done().getReceivedCounter()).isZero();
            api.verify(1, expected(call));
        }
    }

    @ParameterizedTest(name = "{0}: 503 twice then 200 succeeds on the third attempt")
    @MethodSource("jobs")
    void transientServerErrorIsRetried(Job job) throws Exception {
        stubSequence(503, 503, 200);
        try (RouteHarness route = start(job, Map.of())) {
            Call call = declared(route, job);
            Exchange result = route.fire();

            assertThat(result.getException()).isNull();
            assertThat(route.run().attempts()).isEqualTo(3);
            api.verify(3, expected(call));
        }
    }

    @ParameterizedTest(name = "{0}: 500 on every call fails after 1 + 3 retries")
    @MethodSource("jobs")
    void persistentServerErrorFailsAfterRetries(Job job) throws Exception {
        api.stubFor(any(com.github.tomakehurst.wiremock.client.WireMock.anyUrl())
                .willReturn(aResponse().withStatus(500).withBody("{\"detail\":\"db down\"}")));
        try (RouteHarness route = start(job, Map.of())) {
            Call call = declared(route, job);
            Exchange result = route.fire();

            assertThat(httpFailure(result).getStatusCode()).isEqualTo(500);
            assertThat(FailureReport.explain(result.getException())).contains("HTTP 500", "db down");
            api.verify(4, expected(call));
        }
    }

    @ParameterizedTest(name = "{0}: a slow answer is retried, then fails with the cause")
    @MethodSource("jobs")
    void timeoutIsRetriedThenFails(Job job) throws Exception {
        api.stubFor(any(com.github.tomakehurst.wiremock.client.WireMock.anyUrl())
                .willReturn(aResponse().withStatus(200).withFixedDelay(1500)));
        try (RouteHarness route = start(job, Map.of("http.response.timeout.ms", "200", "retry.max.redeliveries", "1"))) {
            Call call = declared(route, job);
            Exchange result = route.fire();

            assertThat(result.getException()).isNotNull();
            assertThat(FailureReport.explain(result.getException())).contains("no answer in time");
            api.verify(2, expected(call));
        }
    }

    /** The HTTP failure behind the exchange's exception (the circuit breaker wraps it). */
    static HttpOperationFailedException httpFailure(Exchange result) {
        HttpOperationFailedException failure = FailureReport.find(result.getException(), HttpOperationFailedException.class);
        assertThat(failure).as("HTTP failure behind %s", result.getException()).isNotNull();
        return failure;
    }

    private static void stubSequence(int... statuses) {
        String state = Scenario.STARTED;
        for (int i = 0; i < statuses.length; i++) {
            String next = i == statuses.length - 1 ? state : "after-" + (i + 1);
            MappingBuilder stub = any(com.github.tomakehurst.wiremock.client.WireMock.anyUrl()).inScenario("sequence")
                    .whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(statuses[i]).withBody("{\"status\":\"completed\",\"attempt\":" + (i + 1) + "}"))
                    .willSetStateTo(next);
            api.stubFor(stub);
            state = next;
        }
    }
}
