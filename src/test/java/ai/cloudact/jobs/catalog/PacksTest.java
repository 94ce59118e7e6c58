package ai.cloudact.jobs.catalog;

import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.support.Jobs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped packs and how their names are formed per environment; JOB_ID takes every form of a name. */
class PacksTest {

    @Test
    void theImageShipsThreePacksAndCloudactIsTheDefault() {
        assertThat(Pack.names()).contains("cloudact", "validibot", "capmatch");
        assertThat(Pack.load(null).name()).isEqualTo("cloudact");
        assertThat(Pack.load("validibot").timeZone()).isEqualTo("Australia/Sydney");
        assertThat(Pack.load("capmatch").timeZone()).isEqualTo("Etc/UTC");
    }

    @Test
    void validibotNamesCarryItsStagesDevAndStagingButNotProd() {
        Pack pack = Pack.load("validibot");
        Job job = Jobs.of("validibot", "clear-sessions");
        assertThat(job.longName()).isEqualTo("validibot-clear-sessions");
        assertThat(pack.deployName(job, Environment.PROD)).isEqualTo("validibot-clear-sessions");
        assertThat(pack.deployName(job, Environment.TEST)).isEqualTo("validibot-clear-sessions-dev");
        assertThat(pack.deployName(job, Environment.STAGE)).isEqualTo("validibot-clear-sessions-staging");
        assertThat(Pack.load("capmatch").deployName(Jobs.of("capmatch", "notify-fan-out"), Environment.STAGE)).isEqualTo("capmatch-notify-fan-out-stage");
    }

    @Test
    void jobIdTakesTheIdTheLongNameAndTheNameDeployedInTheEnvironment() {
        JobCatalog validibot = JobCatalog.load(Pack.load("validibot"), null);
        for (String name : new String[] {"clear-sessions", "validibot-clear-sessions", "validibot-clear-sessions-dev"}) {
            assertThat(validibot.find(name, Environment.TEST)).as(name).map(Job::id).hasValue("clear-sessions");
        }
        assertThat(validibot.find("validibot-clear-sessions-staging", Environment.STAGE)).map(Job::id).hasValue("clear-sessions");
        assertThat(validibot.find("validibot-clear-sessions", Environment.PROD)).map(Job::id).hasValue("clear-sessions");
        // another stage's name is not this environment's job
        assertThat(validibot.find("validibot-clear-sessions-dev", Environment.PROD)).isEmpty();
    }

    @Test
    void aPackWithoutJavaDeclaresItsCallsInItsJobFiles() {
        HttpCall worker = HttpCall.of(Jobs.of("validibot", "cleanup-stuck-runs")).orElseThrow();
        assertThat(worker.method()).isEqualTo("POST");
        assertThat(worker.uri()).isEqualTo("{{worker.url}}/api/v1/scheduled/cleanup-stuck-runs/");
        assertThat(worker.googleIdToken()).isTrue();
        assertThat(worker.expectedStatus()).isEqualTo("completed");
        HttpCall function = HttpCall.of(Jobs.of("capmatch", "email-notifications-hourly")).orElseThrow();
        assertThat(function.headers()).containsEntry("Authorization", "Bearer {{secret:SUPABASE_SERVICE_ROLE_KEY}}")
                .containsEntry("apikey", "{{secret:SUPABASE_SERVICE_ROLE_KEY}}");
        assertThat(function.body()).isEqualTo("{\"mode\":\"hourly\"}");
        // a fan-out or several calls: no single call to declare
        assertThat(HttpCall.of(Jobs.cloudact("org-sync-all"))).isEmpty();
        assertThat(HttpCall.of(Jobs.cloudact("quota-cleanup"))).isEmpty();
    }
}
