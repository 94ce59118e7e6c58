package ai.cloudact.jobs.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.cloudact.jobs.support.AnswerGate;
import ai.cloudact.jobs.support.JobProcess;
import ai.cloudact.jobs.support.TestPostgres;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
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

/**
 * org-sync-all as N parallel tasks, each its own process (the packaged jar) with the index and count
 * the platforms give, all at once on one PostgreSQL run state store: every task walks every page, the
 * union of what they sync is every org exactly once, each summary says its shard and its counts, and
 * the leases are per shard. A job that is not a fan-out, started as N tasks, runs once.
 */
class ShardsIT {

    private static final int ORGS = 250;
    private static final Pattern COUNTS = Pattern.compile("SUMMARY job=org-sync-all environment=local outcome=SUCCESS"
            + " duration=\\S+ shard=(\\d)/3 attempts=\\d+(?: http_status=200)? ok=(\\d+) failed=0 skipped=(\\d+)");

    private static final AnswerGate GATE = new AnswerGate();

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().extensions(GATE)).build();

    @AfterEach
    void letHeldAnswersGo() {
        GATE.close();
    }

    private Map<String, String> env(String database, String... more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", "it-root-key-shards",
                "STATE_DB_URL", TestPostgres.url(database),
                "STATE_DB_USER", TestPostgres.USER));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    /** ORGS orgs over three pages, and one entry without a slug (skipped by exactly one task). */
    private static void orgList() {
        List<String> pages = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            StringBuilder orgs = new StringBuilder();
            for (int i = page * 100; i < Math.min(ORGS, (page + 1) * 100); i++) {
                orgs.append(orgs.length() == 0 ? "" : ",").append("{\"org_slug\":\"org-").append(i).append("\"}");
            }
            if (page == 1) {
                orgs.append(",{\"name\":\"no slug\"}");
            }
            pages.add(orgs.toString());
        }
        for (int page = 0; page < 3; page++) {
            String next = page < 2 ? ",\"next_page_token\":\"p" + (page + 2) + "\"" : "";
            api.stubFor(get(urlPathEqualTo("/admin/orgs")).withQueryParam("page_token", page == 0 ? absent() : equalTo("p" + (page + 1)))
                    .willReturn(okJson("{\"orgs\":[" + pages.get(page) + "]" + next + "}")));
        }
        api.stubFor(post(urlPathMatching("/admin/orgs/[^/]+/sync")).willReturn(okJson("{\"status\":\"ok\"}").withFixedDelay(20)));
    }

    @Test
    void threeTasksSyncEveryOrgExactlyOnceBetweenThem() throws Exception {
        orgList();
        String database = TestPostgres.createDatabase();
        List<JobProcess.Started> tasks = new ArrayList<>();
        for (int index = 0; index < 3; index++) {
            // a Kubernetes Indexed Job's pods; Cloud Run's tasks say the same with CLOUD_RUN_TASK_INDEX/COUNT
            tasks.add(JobProcess.start(index == 2
                    ? env(database, "JOB_ID", "org-sync-all", "CLOUD_RUN_TASK_INDEX", "2", "CLOUD_RUN_TASK_COUNT", "3",
                            "CLOUD_RUN_EXECUTION", "org-sync-all-x1")
                    : env(database, "JOB_ID", "org-sync-all", "JOB_COMPLETION_INDEX", Integer.toString(index), "TASK_COUNT", "3")));
        }
        int ok = 0;
        int skipped = 0;
        List<String> shards = new ArrayList<>();
        for (JobProcess.Started task : tasks) {
            JobProcess.Result result = task.finish();
            assertThat(result.exitCode()).as(result.output()).isZero();
            Matcher summary = COUNTS.matcher(result.output());
            assertThat(summary.find()).as(result.output()).isTrue();
            shards.add(summary.group(1));
            ok += Integer.parseInt(summary.group(2));
            skipped += Integer.parseInt(summary.group(3));
        }
        assertThat(shards).containsExactlyInAnyOrder("0", "1", "2");
        assertThat(ok).as("orgs synced by the three tasks together").isEqualTo(ORGS);
        assertThat(skipped).as("the entry without a slug, counted by one task").isEqualTo(1);

        List<LoggedRequest> syncs = api.findAll(postRequestedFor(urlPathMatching("/admin/orgs/[^/]+/sync")));
        assertThat(syncs).hasSize(ORGS);
        assertThat(syncs.stream().map(LoggedRequest::getUrl).distinct().count()).as("each org once").isEqualTo(ORGS);
        api.verify(9, getRequestedFor(urlPathEqualTo("/admin/orgs"))); // every task walks every page

        JobProcess.Result history = JobProcess.run(env(database), "--history", "org-sync-all");
        assertThat(history.output()).contains("0/3", "1/3", "2/3", "org-sync-all-x1/task-2");
    }

    @Test
    void aJobThatIsNotAFanOutRunsOnceWhenStartedAsThreeTasks() throws Exception {
        // the call of the task that takes the lease is held until the two others have ended
        api.stubFor(post(urlPathEqualTo("/admin/quota/reset-daily")).willReturn(okJson("{}").withTransformers(AnswerGate.NAME)));
        String database = TestPostgres.createDatabase();
        List<JobProcess.Started> tasks = new ArrayList<>();
        for (int index = 0; index < 3; index++) {
            tasks.add(JobProcess.start(env(database, "JOB_ID", "quota-reset", "JOB_COMPLETION_INDEX", Integer.toString(index),
                    "TASK_COUNT", "3")));
        }
        long until = System.currentTimeMillis() + 120_000;
        while (tasks.stream().filter(ShardsIT::ended).count() < 2 && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        GATE.open();
        List<String> outcomes = new ArrayList<>();
        for (JobProcess.Started task : tasks) {
            JobProcess.Result result = task.finish();
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).doesNotContain("shard=");
            outcomes.add(result.output().replaceAll("(?s).*outcome=(\\w+).*", "$1"));
        }
        assertThat(outcomes).containsExactlyInAnyOrder("SUCCESS", "SKIPPED", "SKIPPED");
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/quota/reset-daily")));
    }

    private static boolean ended(JobProcess.Started task) {
        try {
            return task.outputSoFar().contains("SUMMARY ");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void aTaskIndexOutsideTheCountIsAConfigurationError() throws Exception {
        JobProcess.Result result = JobProcess.run(env(TestPostgres.createDatabase(), "JOB_ID", "org-sync-all",
                "JOB_COMPLETION_INDEX", "3", "TASK_COUNT", "3"));
        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("task index 3 of 3 tasks", "outcome=CONFIGURATION_ERROR");
    }
}
