package ai.cloudact.jobs.state;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease on PostgreSQL and H2: one holder at a time, takeover after expiry, renewal and release by the holder only. */
class LeaseTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Lease.Key KEY = new Lease.Key("cloudact", "quota-reset", null);

    private static Lease.Holder holder(String runId, Instant now) {
        return new Lease.Holder(runId, "host-" + runId, "pid " + runId, now, now.plus(TTL));
    }

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void aLiveLeaseKeepsOthersOutUntilItExpires(String kind) throws Exception {
        try (StateStore store = Stores.open(kind); Connection connection = store.connection()) {
            Lease.Attempt first = Lease.acquire(connection, KEY, holder("a", T0), T0);
            assertThat(first.taken()).isTrue();
            assertThat(first.holder()).isEmpty();

            Lease.Attempt second = Lease.acquire(connection, KEY, holder("b", T0.plusSeconds(60)), T0.plusSeconds(60));
            assertThat(second.taken()).isFalse();
            assertThat(second.holder().orElseThrow().runId()).isEqualTo("a");
            assertThat(second.holder().orElseThrow().owner()).isEqualTo("pid a on host-a");
            assertThat(second.holder().orElseThrow().until()).isEqualTo(T0.plus(TTL));

            // a's process died: nobody renews, and after the TTL the next run takes it over, naming a
            Instant later = T0.plus(TTL).plusSeconds(1);
            Lease.Attempt third = Lease.acquire(connection, KEY, holder("c", later), later);
            assertThat(third.taken()).isTrue();
            assertThat(third.holder().orElseThrow().runId()).isEqualTo("a");
            assertThat(Lease.holder(connection, KEY).orElseThrow().runId()).isEqualTo("c");
        }
    }

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void onlyTheHolderRenewsAndReleases(String kind) throws Exception {
        try (StateStore store = Stores.open(kind); Connection connection = store.connection()) {
            Lease.acquire(connection, KEY, holder("a", T0), T0);
            Instant renewedUntil = T0.plus(TTL).plusSeconds(100);
            assertThat(Lease.renew(connection, KEY, "a", renewedUntil)).isTrue();
            assertThat(Lease.renew(connection, KEY, "b", T0.plus(Duration.ofDays(1)))).isFalse();
            // renewed: still held past the first expiry
            Instant afterFirstExpiry = T0.plus(TTL).plusSeconds(50);
            assertThat(Lease.acquire(connection, KEY, holder("b", afterFirstExpiry), afterFirstExpiry).taken()).isFalse();

            Lease.release(connection, KEY, "b");
            assertThat(Lease.holder(connection, KEY)).isPresent();
            Lease.release(connection, KEY, "a");
            assertThat(Lease.holder(connection, KEY)).isEmpty();
            assertThat(Lease.acquire(connection, KEY, holder("b", T0.plusSeconds(70)), T0.plusSeconds(70)).taken()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void shardsAndJobsHaveLeasesOfTheirOwn(String kind) throws Exception {
        try (StateStore store = Stores.open(kind); Connection connection = store.connection()) {
            assertThat(Lease.acquire(connection, new Lease.Key("cloudact", "org-sync-all", "0/2"), holder("a", T0), T0).taken()).isTrue();
            assertThat(Lease.acquire(connection, new Lease.Key("cloudact", "org-sync-all", "1/2"), holder("b", T0), T0).taken()).isTrue();
            assertThat(Lease.acquire(connection, new Lease.Key("cloudact", "org-sync-all", null), holder("c", T0), T0).taken()).isTrue();
            assertThat(Lease.acquire(connection, new Lease.Key("other", "org-sync-all", null), holder("d", T0), T0).taken()).isTrue();
            assertThat(Lease.acquire(connection, new Lease.Key("cloudact", "org-sync-all", "1/2"), holder("e", T0), T0).taken()).isFalse();
        }
    }

    /**
     * A live lease of the same run (run key) as a retry's: Cloud Run's retry takes it at once; a pod of a
     * Kubernetes Job is refused (it waits: the holder may be a live twin) until it expires, and takes
     * nothing once its run has succeeded; another run's lease is refused as always.
     */
    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void aLiveLeaseOfTheSameRunIsTakenOverAsTheRetrySays(String kind) throws Exception {
        try (StateStore store = Stores.open(kind); Connection connection = store.connection()) {
            History.Origin origin = new History.Origin("host-a", "pod a");
            History.start(connection, "a", "quota-reset", "cloudact", "prod", "quota-reset:job-1", null, T0, T0.plus(TTL), origin);
            assertThat(Lease.acquire(connection, KEY, holder("a", T0), T0).taken()).isTrue();
            Instant now = T0.plusSeconds(60);
            Lease.Attempt other = Lease.acquire(connection, KEY, holder("b", now), new Lease.SameRun("quota-reset:job-2", false), now);
            assertThat(other.taken()).isFalse();
            assertThat(other.sameRun()).isFalse();

            Lease.SameRun pod = new Lease.SameRun("quota-reset:job-1", false);
            Lease.Attempt live = Lease.acquire(connection, KEY, holder("c", now), pod, now);
            assertThat(live.taken()).as("a live lease of its own run: maybe a live twin's").isFalse();
            assertThat(live.sameRun()).isTrue();
            assertThat(live.holder()).map(Lease.Holder::runId).contains("a");

            Instant expired = T0.plus(TTL).plusSeconds(1);
            Lease.Attempt replaced = Lease.acquire(connection, KEY, holder("c", expired), pod, expired);
            assertThat(replaced.taken()).as("the dead pod's lease, expired").isTrue();
            assertThat(replaced.holder()).map(Lease.Holder::runId).contains("a");

            History.start(connection, "c", "quota-reset", "cloudact", "prod", "quota-reset:job-1", null, expired, expired.plus(TTL), origin);
            Lease.Attempt cloudRun = Lease.acquire(connection, KEY, holder("d", expired), new Lease.SameRun("quota-reset:job-1", true), expired);
            assertThat(cloudRun.taken()).as("Cloud Run's retry: at once").isTrue();
            assertThat(cloudRun.earlierAttempt()).isTrue();

            History.start(connection, "d", "quota-reset", "cloudact", "prod", "quota-reset:job-1", null, expired, expired.plus(TTL), origin);
            History.end(connection, "d", ai.cloudact.jobs.run.RunRecord.of(new ai.cloudact.jobs.run.Run("quota-reset", "quota-reset:job-1"), "cloudact", "prod", expired,
                    ai.cloudact.jobs.run.Outcome.SUCCESS, null, null, null), expired.plusSeconds(5), origin);
            Lease.release(connection, KEY, "d");
            Lease.Attempt twin = Lease.acquire(connection, KEY, holder("e", expired.plusSeconds(6)), pod, expired.plusSeconds(6));
            assertThat(twin.taken()).as("its run is done").isFalse();
            assertThat(twin.doneBy()).isEqualTo("d");
            assertThat(Lease.acquire(connection, KEY, holder("f", expired.plusSeconds(6)), expired.plusSeconds(6)).taken())
                    .as("the next run of the job").isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void ofManyRunsTryingAtOnceExactlyOneGetsTheLease(String kind) throws Exception {
        int runs = 8;
        try (StateStore store = Stores.open(kind)) {
            for (Instant now : List.of(T0, T0.plus(TTL).plusSeconds(1))) { // a free key, then an expired one
                ExecutorService threads = Executors.newFixedThreadPool(runs);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> taken = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    String runId = now + "-" + i;
                    taken.add(threads.submit(() -> {
                        try (Connection connection = store.connection()) {
                            go.await();
                            return Lease.acquire(connection, KEY, holder(runId, now), now).taken();
                        }
                    }));
                }
                go.countDown();
                int winners = 0;
                for (Future<Boolean> result : taken) {
                    winners += result.get() ? 1 : 0;
                }
                threads.shutdown();
                assertThat(winners).as("runs that took the lease at %s", now).isEqualTo(1);
            }
        }
    }
}
