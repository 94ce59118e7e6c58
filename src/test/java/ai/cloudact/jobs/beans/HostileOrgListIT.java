package ai.cloudact.jobs.beans;

import ai.cloudact.jobs.support.JobProcess;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
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
 * Data from the API is data, never URL syntax: an org list full of hostile slugs, against the packaged
 * runtime. Only well-formed slugs reach {@code /admin/orgs/{slug}/sync}; every other entry is skipped
 * with its reason, and ok + failed + skipped equals the entries seen.
 */
class HostileOrgListIT {

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @Test
    void hostileSlugsNeverReachAnyOtherPath() throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).withQueryParam("page_token", absent()).willReturn(okJson("""
                {"orgs": [
                  {"org_slug": "acme"},
                  {"org_slug": "../../admin/bootstrap"},
                  {"org_slug": "a?x=1"},
                  {"org_slug": "a#b"},
                  {"org_slug": "a/b"},
                  {"org_slug": "a b"},
                  {"org_slug": ""},
                  {"org_slug": 42},
                  {"org_slug": null},
                  null,
                  7,
                  "just-a-string",
                  ["x"],
                  {"name": "no slug"},
                  {"org_slug": "%2e%2e"},
                  {"org_slug": "line\\nbreak"}
                ], "next_page_token": "p2"}""")));
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).withQueryParam("page_token", equalTo("p2"))
                .willReturn(okJson("{\"orgs\": [{\"org_slug\": \"Globex_2\"}, null]}")));
        api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(okJson("{\"status\":\"ok\"}")));

        Map<String, String> env = new HashMap<>(Map.of("JOB_ID", "org-sync-all", "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", "hostile-it-root-key-77", "RETRY_DELAY_MS", "20"));
        JobProcess.Result result = JobProcess.run(env);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("ok=2 failed=0 skipped=16", "outcome=SUCCESS")
                .contains("skipped page 1, entry 2: org_slug '../../admin/bootstrap' does not match")
                .contains("skipped page 1, entry 8: org_slug is not a string ('42')")
                .contains("skipped page 1, entry 10: the entry is null")
                .contains("skipped page 2, entry 2: the entry is null")
                .doesNotContain("hostile-it-root-key-77");
        List<String> paths = api.findAll(anyRequestedFor(anyUrl())).stream().map(LoggedRequest::getUrl)
                .filter(url -> !url.startsWith("/admin/orgs?")).toList();
        assertThat(paths).containsExactlyInAnyOrder("/admin/orgs/acme/sync", "/admin/orgs/Globex_2/sync");
    }
}
