package dev.outbox.jdbc.replication;

import dev.outbox.testkit.postgres.TestDatabase;
import dev.outbox.core.testing.TestEvents;
import dev.outbox.core.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Leadership when the leader's host drops off the network: no FIN, no RST, just silence. */
class LeaderFailoverTest {
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration STANDBY_RETRY = Duration.ofMillis(300);
    /** What the README promises (leaderTimeout plus a standby retry) with room for a loaded build machine. */
    private static final Duration FAILOVER_BOUND = LEADER_TIMEOUT.plus(STANDBY_RETRY).plusSeconds(10);

    private SlotFixture fixture;
    private FreezableTcpProxy proxy;
    private final List<LogTailingRelay> relays = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fixture = SlotFixture.create();
        proxy = FreezableTcpProxy.to(TestDatabase.embedded().server().port());
    }

    @AfterEach
    void tearDown() {
        proxy.unfreeze();
        relays.forEach(LogTailingRelay::close);
        proxy.close();
        fixture.drop();
    }

    @Test
    void givenLeaderCutOffWithoutAClose_theStandbyTakesOverWithinLeaderTimeout_andTheOldLeaderStepsDown() {
        RecordingPublisher cutOffPublisher = RecordingPublisher.create();
        Activity cutOffActivity = new Activity();
        LogTailingRelay cutOff = started(LogTailingRelay.create(port(proxy.port()), null, cutOffPublisher,
                config().listener(cutOffActivity).build()));
        Await.until("the relay behind the proxy leads", cutOff::isLeader);
        List<OutboxEvent> before = append(0, 5);
        Await.until("the leader delivers", () -> cutOffPublisher.publishedIds().containsAll(ids(before)));
        RecordingPublisher standbyPublisher = RecordingPublisher.create();
        LogTailingRelay standby = started(relay(port(TestDatabase.embedded().server().port()), standbyPublisher, config()));

        proxy.freeze();
        long frozenAt = System.nanoTime();
        List<OutboxEvent> during = append(5, 10);

        Await.until("the standby leads", FAILOVER_BOUND, standby::isLeader);
        long takeoverAt = System.nanoTime();
        Await.until("the standby delivers what was committed after the freeze", FAILOVER_BOUND,
                () -> standbyPublisher.publishedIds().containsAll(ids(during)));
        long deliveredAt = System.nanoTime();
        System.out.printf("LEADER FAIL-OVER (leaderTimeout %d ms, statusInterval 200 ms): standby led %d ms after the "
                        + "freeze, delivered the first events committed after it %d ms after the freeze%n",
                LEADER_TIMEOUT.toMillis(), (takeoverAt - frozenAt) / 1_000_000, (deliveredAt - frozenAt) / 1_000_000);
        Await.until("the cut-off leader steps down while still cut off", () -> !cutOff.isLeader());
        int callsAtTakeover = cutOffPublisher.callCount();

        int acceptedBeforeThaw = proxy.accepted();
        proxy.unfreeze();
        List<OutboxEvent> after = append(10, 15);

        Await.until("the standby delivers what was committed after the thaw",
                () -> standbyPublisher.publishedIds().containsAll(ids(after)));
        // Two more connections through the proxy: the old leader went round its standby loop at least twice.
        Await.until("the old leader is back as a standby", () -> proxy.accepted() >= acceptedBeforeThaw + 2);
        Await.until("every row is marked published", () -> fixture.rows("published") == 15);
        assertThat(standby.isLeader()).isTrue();
        assertThat(cutOff.isLeader()).isFalse();
        assertThat(cutOffActivity.acquired).hasValue(1);
        assertThat(cutOffActivity.confirmedOrPublishedAt).allMatch(at -> at < takeoverAt);
        assertThat(cutOffPublisher.callCount()).as("publish calls of the cut-off leader after the takeover")
                .isEqualTo(callsAtTakeover);
    }

    /**
     * Without the right to see (pg_read_all_stats) or to end (pg_signal_backend; never a superuser's) the leader's
     * sessions, a standby does not take over from a silent leader; it waits, and leads once the session is gone.
     */
    @ParameterizedTest(name = "may see the leader''s activity: {0}")
    @ValueSource(booleans = {false, true})
    void givenAStandbyThatMayNotEndTheLeadersSessions_itWaits_andLeadsOnceTheyAreGone(boolean readAllStats) {
        String role = "relay_limited_" + fixture.slot().substring("slot_".length());
        TestDatabase.embedded().execute("CREATE ROLE " + role + " LOGIN REPLICATION");
        TestDatabase.embedded().execute("GRANT ALL ON " + fixture.table().qualifiedName() + " TO " + role);
        if (readAllStats) {
            TestDatabase.embedded().execute("GRANT pg_read_all_stats TO " + role);
        }
        try {
            LogTailingRelay cutOff = started(relay(port(proxy.port()), RecordingPublisher.create(), config()));
            Await.until("the superuser's relay behind the proxy leads", cutOff::isLeader);
            RecordingPublisher standbyPublisher = RecordingPublisher.create();
            LogTailingRelay standby = started(relay("jdbc:postgresql://127.0.0.1:"
                    + TestDatabase.embedded().server().port() + "/postgres?user=" + role, standbyPublisher, config()));

            proxy.freeze();
            List<OutboxEvent> events = append(0, 3);
            // Twice the time a standby with the rights would need.
            long until = System.nanoTime() + FAILOVER_BOUND.minusSeconds(10).multipliedBy(2).toNanos();
            while (System.nanoTime() < until) {
                assertThat(standby.isLeader()).as("a standby without the rights took over").isFalse();
                sleep(50);
            }
            // As the server's TCP keepalive would in the end: the old sessions end, and the old leader cannot return.
            proxy.close();

            Await.until("the standby leads once the old sessions are gone", standby::isLeader);
            Await.until("the standby delivers", () -> standbyPublisher.publishedIds().containsAll(ids(events)));
        } finally {
            relays.forEach(LogTailingRelay::close);
            TestDatabase.embedded().execute("DROP OWNED BY " + role);
            TestDatabase.embedded().execute("DROP ROLE " + role);
        }
    }

    @Test
    void givenAPool_aLeaderThatStopsReleasesItsLock_andTheStandbyTakesOverAtOnce() {
        ReusingDataSource pool = new ReusingDataSource(TestDatabase.embedded().dataSource());
        try {
            // A long leaderTimeout: only the released lock, not the standby's takeover, can explain a quick change.
            Duration leaderTimeout = Duration.ofSeconds(60);
            LogTailingRelay pooled = started(LogTailingRelay.create(pool, RecordingPublisher.create(),
                    config().leaderTimeout(leaderTimeout).build()));
            Await.until("the pooled relay leads", pooled::isLeader);
            RecordingPublisher standbyPublisher = RecordingPublisher.create();
            LogTailingRelay standby = started(relay(port(TestDatabase.embedded().server().port()), standbyPublisher,
                    config().leaderTimeout(leaderTimeout)));

            pooled.stop();
            List<OutboxEvent> events = append(0, 3);

            Await.until("the standby leads", Duration.ofSeconds(15), standby::isLeader);
            Await.until("the standby delivers", () -> standbyPublisher.publishedIds().containsAll(ids(events)));
        } finally {
            pool.closeAll();
        }
    }

    @Test
    void leaderTimeoutUnderOneSecond_isRefusedNamingTheSetting() {
        LogTailingRelayConfig.Builder config = config().leaderTimeout(Duration.ofMillis(999));

        org.assertj.core.api.Assertions.assertThatThrownBy(config::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaderTimeout must be at least 1 s");
    }

    private static String port(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + dev.outbox.embedded.EmbeddedPostgresServer.DEFAULT_DATABASE
                + "?user=" + dev.outbox.embedded.EmbeddedPostgresServer.USER;
    }

    private static LogTailingRelay relay(String jdbcUrl, OutboxEventPublisher publisher,
            LogTailingRelayConfig.Builder config) {
        return LogTailingRelay.create(jdbcUrl, null, publisher, config.build());
    }

    private LogTailingRelayConfig.Builder config() {
        return LogTailingRelayConfig.builder()
                .table(fixture.table())
                .slotName(fixture.slot())
                .publicationName(fixture.publication())
                .mode(TableMode.KEEP_ROWS)
                .retention(Duration.ofDays(1)) // keep published rows, so the test can count them
                .standbyRetryInterval(STANDBY_RETRY)
                .statusInterval(Duration.ofMillis(200))
                .heartbeatInterval(Duration.ofMillis(500))
                .leaderTimeout(LEADER_TIMEOUT);
    }

    private LogTailingRelay started(LogTailingRelay relay) {
        relays.add(relay);
        relay.start();
        return relay;
    }

    /** Appends {@code TestEvents.sequenced("f", i)} for {@code i} in [from, to), one transaction each, directly. */
    private List<OutboxEvent> append(int from, int to) {
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, fixture.table());
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            OutboxEvent event = TestEvents.sequenced("f", i);
            events.add(event);
            unitOfWork.useTransaction(() -> outbox.append(event));
        }
        return events;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<UUID> ids(List<OutboxEvent> events) {
        return events.stream().map(OutboxEvent::id).toList();
    }

    /** When a relay took the lead, and when it confirmed a position or reported events published (after marking). */
    static final class Activity implements LogTailingRelayListener {
        final AtomicInteger acquired = new AtomicInteger();
        final List<Long> confirmedOrPublishedAt = new CopyOnWriteArrayList<>();

        @Override
        public void onLeadershipAcquired(String slotName) {
            acquired.incrementAndGet();
        }

        @Override
        public void onConfirmed(String lsn) {
            confirmedOrPublishedAt.add(System.nanoTime());
        }

        @Override
        public void onPublished(List<OutboxEvent> events) {
            confirmedOrPublishedAt.add(System.nanoTime());
        }
    }
}
