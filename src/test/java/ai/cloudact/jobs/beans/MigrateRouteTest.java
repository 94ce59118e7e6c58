package ai.cloudact.jobs.beans;

import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.support.RouteHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migrate route against a stand-in of the Supabase Management API (WireMock): the requests it
 * sends (Bearer token, JSON body with the SQL), the order, and what it does with a refusal. The real
 * database behaviour is proven end to end by MigrateJobIT on PostgreSQL.
 */
class MigrateRouteTest {

    private static final String TOKEN = "unit-test-supabase-token";
    private static final String QUERY = "/v1/projects/ref123/database/query";

    @RegisterExtension
    static WireMockExtension supabase = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @TempDir
    Path migrations;

    private RouteHarness start() throws Exception {
        Files.writeString(migrations.resolve("20260101000000_first.sql"), "create table a (id int);");
        Files.writeString(migrations.resolve("20260102000000_second.sql"), "create table b (id int);");
        return RouteHarness.start("migrate", Map.of("supabase.api.url", supabase.baseUrl(),
                "supabase.project.ref", "ref123", "SUPABASE_ACCESS_TOKEN", TOKEN,
                "migrations.dir", migrations.toString()));
    }

    @Test
    void appliesThePendingMigrationsInOrderWithTheToken() throws Exception {
        supabase.stubFor(post(urlPathEqualTo(QUERY)).willReturn(okJson("[]")));
        supabase.stubFor(post(urlPathEqualTo(QUERY)).withRequestBody(containing("select version, name"))
                .willReturn(okJson("[{\"version\":\"20260101000000\",\"name\":\"first\"}]")));

        try (RouteHarness route = start()) {
            route.done().expectedMessageCount(1);
            Exchange result = route.fire();

            assertThat(result.getException()).isNull();
            assertThat(result.getProperty(Run.RESULT_PROPERTY, String.class)).contains("applied=1", "skipped=1");
            route.done().assertIsSatisfied();
        }
        supabase.verify(3, postRequestedFor(urlPathEqualTo(QUERY)).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withHeader("Content-Type", containing("application/json")));
        supabase.verify(1, postRequestedFor(urlPathEqualTo(QUERY))
                .withRequestBody(matchingJsonPath("$.query", containing("create table b (id int);"))));
        supabase.verify(0, postRequestedFor(urlPathEqualTo(QUERY))
                .withRequestBody(matchingJsonPath("$.query", containing("create table a"))));
    }

    @Test
    void aRefusedTokenFailsAtOnceNamingIt() throws Exception {
        supabase.stubFor(post(urlPathEqualTo(QUERY)).willReturn(aResponse().withStatus(401).withBody("{\"message\":\"Unauthorized\"}")));

        try (RouteHarness route = start()) {
            Exchange result = route.fire();

            assertThat(result.getException()).isNotNull();
            assertThat(FailureReport.explain(result.getException())).contains("SUPABASE_ACCESS_TOKEN");
            assertThat(route.done().getReceivedCounter()).isZero();
        }
        supabase.verify(1, postRequestedFor(urlPathEqualTo(QUERY)));
    }
}
