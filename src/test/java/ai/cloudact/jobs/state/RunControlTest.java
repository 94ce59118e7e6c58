package ai.cloudact.jobs.state;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import ai.cloudact.jobs.run.Outcome;
import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.run.RunRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Run control on PostgreSQL and H2: lease per OVERLAP_POLICY, one history row per run, LOST, pruning. */
class RunControlTest {

    private static final Duration TTL = Duration.ofMinutes(5);

    private static RunControl control(StateStore store, OverlapPolicy policy) {
        return RunControl.on(store, TTL, policy, Duration.ofDays(90), "host-1", "pid 42");
    }

    private static Run run(String job) {
        return new Run(job, job + ":key-" + System.nanoTime());
    }

    private static RunRecord record(Run run, Outcome outcome, String extra, String reason) {
        run.end();
        return RunRecord.of(run, "cloudact", "local", Instant.now(), outcome, extra, null, reason);
    }

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void aSecondRunIsSkippedWhileTheFirstHoldsTheLeaseAndBothAreInTheHistory(String kind) throws Exception {
        try (RunControl control = control(Stores.open(kind), OverlapPolicy.SKIP)) {
            Run first = run("quota-reset");
            assertThat(control.begin(first, "cloudact", "local", null, Instant.now())).isEmpty();
            assertThat(control.history("quota-reset", 10)).singleElement().satisfies(row -> {
                assertThat(row.outcome()).isEqualTo(History.RUNNING);
                assertThat(row.ended()).isNull();
                assertThat(row.execution()).isEqualTo("pid 42");
            });

            Run second = run("quota-reset");
            Optional<RunControl.Refusal> refused = control.begin(second, "cloudact", "local", null, Instant.now());
            assertThat(refused).get().satisfies(refusal -> {
                assertThat(refusal.outcome()).isEqualTo(Outcome.SKIPPED);
                assertThat(refusal.reason()).matches("already running: pid 42 on host-1 since \\S+Z, lease until \\S+Z");
            });
            control.end(second, record(second, Outcome.SKIPPED, null, refused.get().reason()));
            control.end(first, record(first, Outcome.SUCCESS, null, null));

            List<History.Row> rows = control.history("quota-reset", 10);
            assertThat(rows).extracting(History.Row::outcome).containsExactlyInAnyOrder("SUCCESS", "SKIPPED");
            assertThat(rows).allSatisfy(row -> assertThat(row.ended()).isNotNull());
            // released at the end: the next run goes ahead
            Run third = run("quota-reset");
            assertThat(control.begin(third, "cloudact", "local", null, Instant.now())).isEmpty();
            control.end(third, record(third, Outcome.SUCCESS, null, null));
        }
    }

    /** Only a platform's retry of the same run (same run key, marked as a retry) takes a live lease over. */
    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void aRetryOfTheSameRunTakesItsEarlierAttemptsLiveLeaseOverAndNothingElseDoes(String kind) throws Exception {
        try (RunControl control = control(Stores.open(kind), OverlapPolicy.SKIP)) {
            Run attempt0 = new Run("reconcile", "reconcile:exec-1:0");
            assertThat(control.begin(attempt0, "cloudact", "local", null, Instant.now())).isEmpty();

            Run sameKeyNotARetry = new Run("reconcile", "reconcile:exec-1:0");
            assertThat(control.begin(sameKeyNotARetry, "cloudact", "local", null, Instant.now())).as("two processes of one slot")
                    .get().extracting(RunControl.Refusal::outcome).isEqualTo(Outcome.SKIPPED);
            Run retryOfAnotherRun = new Run("reconcile", "reconcile:exec-2:0");
            retryOfAnotherRun.retryOfEarlierAttempt();
            assertThat(control.begin(retryOfAnotherRun, "cloudact", "local", null, Instant.now())).as("another run's retry")
                    .get().extracting(RunControl.Refusal::outcome).isEqualTo(Outcome.SKIPPED);

            Run attempt1 = new Run("reconcile", "reconcile:exec-1:0");
            attempt1.retryOfEarlierAttempt();
            assertThat(control.begin(attempt1, "cloudact", "local", null, Instant.now())).as("the retry of the same run").isEmpty();
            // the earlier attempt, were it still alive, no longer holds the lease: its end does not release the retry's
            control.end(attempt0, record(attempt0, Outcome.FAILED, null, "killed"));
            assertThat(control.begin(new Run("reconcile", "reconcile:exec-3:0"), "cloudact", "local", null, Instant.now()))
                    .as("still held by the retry").isPresent();
            control.end(attempt1, record(attempt1, Outcome.SUCCESS, null, null));
            assertThat(control.begin(new Run("reconcile", "reconcile:exec-4:0"), "cloudact", "local", null, Instant.now()))
                    .as("released by the retry").isEmpty();
        }
    }

    /**
     * A recovered firing (its replica taken for dead, maybe only stalled) never takes a live lease: it
     * waits until the holder gives it up, or gives up itself once a renewing holder proves alive.
     */
    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void aRunThatWaitsForTheLeaseRunsOnceItIsFreeAndIsSkippedWhileTheHolderLives(String kind) throws Exception {
        try (StateStore store = Stores.open(kind)) {
            RunControl control = RunControl.on(store, Duration.ofSeconds(3), OverlapPolicy.SKIP, Duration.ofDays(90), "host-1", "pid 42");
            Run holder = new Run("alerts", "alerts:slot-1");
            assertThat(control.begin(holder, "cloudact", "local", null, Instant.now())).isEmpty();
            Run recovered = new Run("alerts", "alerts:slot-1");
            recovered.waitForLease();
            java.util.concurrent.CompletableFuture<Optional<RunControl.Refusal>> waiting = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> control.begin(recovered, "cloudact", "local", null, Instant.now()));
            Thread.sleep(1500);
            assertThat(waiting).as("still waiting while the holder runs").isNotDone();
            control.end(holder, record(holder, Outcome.SUCCESS, null, null));
            assertThat(waiting.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("runs once the lease is given up").isEmpty();

            // a holder that keeps renewing: the waiting run gives up after LEASE_TTL and a renewal, skipped
            Run waiter = new Run("alerts", "alerts:slot-2");
            waiter.waitForLease();
            long asked = System.nanoTime();
            Optional<RunControl.Refusal> refused = control.begin(waiter, "cloudact", "local", null, Instant.now());
            long waitedMs = (System.nanoTime() - asked) / 1_000_000;
            assertThat(refused).get().extracting(RunControl.Refusal::outcome).isEqualTo(Outcome.SKIPPED);
            assertThat(waitedMs).as("waited about LEASE_TTL + LEASE_TTL/3").isBetween(3_500L, 10_000L);
            control.end(recovered, record(recovered, Outcome.SUCCESS, null, null));
            control.close();
        }
    }

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void failPolicyFailsTheSecondRunAndAllowTakesNoLease(String kind) throws Exception {
        try (StateStore store = Stores.open(kind)) {
            RunControl fail = control(store, OverlapPolicy.FAIL);
            Run first = run("alerts");
            assertThat(fail.begin(first, "cloudact", "local", null, Instant.now())).isEmpty();
            assertThat(fail.begin(run("alerts"), "cloudact", "local", null, Instant.now()))
                    .get().extracting(RunControl.Refusal::outcome).isEqualTo(Outcome.FAILED);

            RunControl allow = control(store, OverlapPolicy.ALLOW);
            Run overlapping = run("alerts");
            assertThat(allow.begin(overlapping, "cloudact", "local", null, Instant.now())).isEmpty();
            allow.end(overlapping, record(overlapping, Outcome.SUCCESS, null, null));
            fail.end(first, record(first, Outcome.SUCCESS, null, null));
            assertThat(fail.history("alerts", 10)).extracting(History.Row::outcome).containsOnly("SUCCESS");
        }
    }

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void aRunThatNeverBeganStillGetsItsRowWithCountsAndRowsDeleted(String kind) throws Exception {
        try (RunControl control = control(Stores.open(kind), OverlapPolicy.SKIP)) {
            Run configurationError = run("no-such-job");
            control.end(configurationError, record(configurationError, Outcome.CONFIGURATION_ERROR, null, "Unknown job 'no-such-job'"));

            Run cleanup = run("quota-cleanup");
            assertThat(control.begin(cleanup, "cloudact", "local", null, Instant.now())).isEmpty();
            control.end(cleanup, record(cleanup, Outcome.SUCCESS, "rows_deleted=42", null));

            Run sync = run("org-sync-all");
            assertThat(control.begin(sync, "cloudact", "local", "1/3", Instant.now())).isEmpty();
            sync.itemOk();
            sync.itemOk();
            sync.itemFailed();
            sync.end();
            control.end(sync, RunRecord.of(sync, "cloudact", "local", Instant.now(), Outcome.FAILED, null, "1/3", "1 of 3 orgs failed"));

            assertThat(control.history("no-such-job", 10)).singleElement().satisfies(row -> {
                assertThat(row.outcome()).isEqualTo("CONFIGURATION_ERROR");
                assertThat(row.exitCode()).isEqualTo(2);
                assertThat(row.reason()).isEqualTo("Unknown job 'no-such-job'");
            });
            assertThat(control.history("quota-cleanup", 10)).singleElement().satisfies(row -> {
                assertThat(row.rowsDeleted()).isEqualTo(42L);
                assertThat(row.ok()).isNull();
            });
            assertThat(control.history("org-sync-all", 10)).singleElement().satisfies(row -> {
                assertThat(row.shard()).isEqualTo("1/3");
                assertThat(List.of(row.ok(), row.failed(), row.skipped())).containsExactly(2, 1, 0);
                assertThat(row.exitCode()).isEqualTo(1);
            });
            assertThat(control.history(null, 2)).hasSize(2);
            assertThat(control.history(null, 10)).extracting(History.Row::job).first().isEqualTo("org-sync-all");
        }
    }

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void aRunWithoutAnEndIsLostOnceItsLeaseHasExpired(String kind) throws Exception {
        try (StateStore store = Stores.open(kind); RunControl control = control(store, OverlapPolicy.SKIP)) {
            Run died = run("reconcile");
            Instant started = Instant.now();
            assertThat(control.begin(died, "cloudact", "local", null, started)).isEmpty();
            try (Connection connection = store.connection()) {
                assertThat(History.latest(connection, "reconcile", 10, started.plus(TTL).minusSeconds(10)))
                        .singleElement().extracting(History.Row::outcome).isEqualTo("RUNNING");
                assertThat(History.latest(connection, "reconcile", 10, started.plus(TTL).plusSeconds(10)))
                        .singleElement().extracting(History.Row::outcome).isEqualTo("LOST");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void pruningDeletesRowsOlderThanTheRetentionAndLongExpiredLeases(String kind) throws Exception {
        try (StateStore store = Stores.open(kind); RunControl control = control(store, OverlapPolicy.SKIP)) {
            Run old = run("alerts");
            control.end(old, RunRecord.of(old, "cloudact", "local", Instant.now().minus(Duration.ofDays(100)), Outcome.SUCCESS,
                    null, null, null));
            // the runtime prunes at the end of a run: the 100-day-old row is gone already
            assertThat(control.history("alerts", 10)).isEmpty();
            Run recent = run("alerts");
            control.end(recent, record(recent, Outcome.SUCCESS, null, null));
            try (Connection connection = store.connection()) {
                Lease.acquire(connection, new Lease.Key("cloudact", "gone", null),
                        new Lease.Holder("x", "h", "e", Instant.EPOCH, Instant.EPOCH.plusSeconds(1)), Instant.EPOCH);
                History.end(connection, "old-run", RunRecord.of(run("alerts"), "cloudact", "local",
                        Instant.now().minus(Duration.ofDays(91)), Outcome.SUCCESS, null, null, null), Instant.now(),
                        new History.Origin("h", "e"));
                assertThat(Pruning.prune(connection, Duration.ofDays(90), Instant.now())).isEqualTo(1);
                assertThat(Lease.holder(connection, new Lease.Key("cloudact", "gone", null))).isEmpty();
            }
            assertThat(control.history("alerts", 10)).singleElement().extracting(History.Row::runId).isEqualTo(recent.id());
        }
    }

    @org.junit.jupiter.api.Test
    void noStoreNoLeaseNoHistory() {
        RunControl off = RunControl.off();
        Run run = run("alerts");
        assertThat(off.begin(run, "cloudact", "local", null, Instant.now())).isEmpty();
        assertThat(off.begin(run("alerts"), "cloudact", "local", null, Instant.now())).isEmpty();
        off.end(run, record(run, Outcome.SUCCESS, null, null));
        assertThat(off.isOn()).isFalse();
    }
}
