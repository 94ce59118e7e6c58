package ai.cloudact.jobs.http;

import java.net.ConnectException;
import java.util.Map;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What to check after a failed call is the pack's to say; without a hint the reason says it in general terms. */
class FailureReportTest {

    private static HttpOperationFailedException http(int status, String body) {
        return new HttpOperationFailedException("https://worker.example/api/v1/scheduled/x/", status, "status", null, Map.of(), body);
    }

    @Test
    void thePacksHintForTheStatusIsTheReasonWithTheAnswer() {
        Map<String, String> pack = Map.of("pack.hint.http.404", "check that WORKER_URL is the worker service",
                "pack.hint.unreachable", "check WORKER_URL");

        assertThat(FailureReport.explain(new RuntimeException(http(404, "{\"detail\":\"Not found.\"}")), pack::get))
                .isEqualTo("HTTP 404 from https://worker.example/api/v1/scheduled/x/: check that WORKER_URL is the worker service;"
                        + " it said: {\"detail\":\"Not found.\"}");
        assertThat(FailureReport.explain(new ConnectException("Connection refused"), pack::get))
                .isEqualTo("cannot connect (Connection refused): is the API up? check WORKER_URL");
    }

    @Test
    void withoutAHintTheReasonNamesNoOnesKey() {
        assertThat(FailureReport.explain(http(403, "")))
                .isEqualTo("HTTP 403 from https://worker.example/api/v1/scheduled/x/: the credentials were refused;"
                        + " check the job's secret (--help lists the pack's secrets)")
                .doesNotContain("CA_ROOT_API_KEY");
        assertThat(FailureReport.explain(http(404, ""), key -> null)).contains("no such endpoint; check the job's URL setting and path");
        // a status the pack has no hint for keeps the general reason
        assertThat(FailureReport.explain(http(503, "busy"), Map.of("pack.hint.http.404", "x")::get))
                .isEqualTo("HTTP 503 from https://worker.example/api/v1/scheduled/x/: the API kept failing after every retry; it said: busy");
    }
}
