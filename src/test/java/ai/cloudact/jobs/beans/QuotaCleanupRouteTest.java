package ai.cloudact.jobs.beans;

import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.support.RouteHarness;
import java.util.Map;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * quota-cleanup through the real Google BigQuery client, pointed at WireMock serving BigQuery's REST
 * API (the stubs of the local sandbox: a DML job that deleted 42 rows).
 */
class QuotaCleanupRouteTest {

    @RegisterExtension
    static WireMockExtension bigQuery = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    @org.junit.jupiter.api.BeforeEach
    void standIn() {
        ai.cloudact.jobs.sandbox.SandboxStubs.register(bigQuery, ai.cloudact.jobs.support.Jobs.cloudact("quota-cleanup"));
    }

    private static RouteHarness start(Map<String, String> extra) throws Exception {
        Map<String, String> properties = new java.util.HashMap<>(Map.of(
                "bigquery.emulator.host", bigQuery.baseUrl(), "gcp.project.id", "cloudact-testing-1"));
        properties.putAll(extra);
        return RouteHarness.start("quota-cleanup", properties);
    }

    @Test
    void deletesRowsOlderThanTheRetentionAndReportsTheCount() throws Exception {
        try (RouteHarness route = start(Map.of())) {
            route.done().expectedMessageCount(1);
            Exchange result = route.fire();

            assertThat(result.getException()).isNull();
            assertThat(result.getMessage().getBody(Long.class)).isEqualTo(42L);
            assertThat(result.getProperty(Run.RESULT_PROPERTY, String.class)).isEqualTo("rows_deleted=42");
            route.done().assertIsSatisfied();
        }
        bigQuery.verify(1, postRequestedFor(urlPathMatching("/bigquery/v2/projects/cloudact-testing-1/jobs"))
                .withRequestBody(matchingJsonPath("$.configuration.query.query", containing(
                        "DELETE FROM `cloudact-testing-1.organizations.org_usage_quotas` WHERE usage_date < "
                                + "DATE_SUB(CURRENT_DATE(), INTERVAL CAST(@retention_days AS INT64) DAY)")))
                .withRequestBody(matchingJsonPath("$.configuration.query.queryParameters[0].name", containing("retention_days")))
                .withRequestBody(matchingJsonPath("$.configuration.query.queryParameters[0].parameterValue.value", containing("90")))
                .withRequestBody(matchingJsonPath("$.configuration.query.useLegacySql", containing("false"))));
    }

    @Test
    void datasetTableColumnAndRetentionAreSettings() throws Exception {
        try (RouteHarness route = start(Map.of("quota.cleanup.dataset", "ops", "quota.cleanup.table", "quotas",
                "quota.cleanup.column", "day", "quota.cleanup.retention.days", "30"))) {
            assertThat(route.fire().getException()).isNull();
        }
        bigQuery.verify(1, postRequestedFor(urlPathMatching("/bigquery/v2/projects/.*/jobs"))
                .withRequestBody(matchingJsonPath("$.configuration.query.query",
                        containing("DELETE FROM `cloudact-testing-1.ops.quotas` WHERE day < ")))
                .withRequestBody(matchingJsonPath("$.configuration.query.queryParameters[0].parameterValue.value", containing("30"))));
    }

    @Test
    void bigQueryRefusalFailsTheJob() throws Exception {
        bigQuery.stubFor(post(urlPathMatching("/bigquery/v2/projects/.*/jobs")).atPriority(1).willReturn(aResponse()
                .withStatus(403).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":403,\"message\":\"Access Denied: Table org_usage_quotas\",\"status\":\"PERMISSION_DENIED\"}}")));
        try (RouteHarness route = start(Map.of())) {
            Exchange result = route.fire();

            assertThat(result.getException()).isNotNull();
            assertThat(FailureReport.explain(result.getException())).contains("Access Denied");
            assertThat(route.done().getReceivedCounter()).isZero();
        }
    }
}
