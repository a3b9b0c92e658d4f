package dev.outbox.jdbc.replication;

import dev.outbox.testkit.postgres.TestDatabase;
import dev.outbox.core.testing.TestEvents;
import dev.outbox.core.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGProperty;

/** Only the relay moves the slot, and only past work the broker acknowledged. */
class SlotConfirmationTest {
    /** Lowered for this test's replication connection only (the setting is per session since PostgreSQL 12). */
    private static final Duration WAL_SENDER_TIMEOUT = Duration.ofSeconds(3);
    /** Longer than half the timeout (the walsender then pings mid-stream), shorter than the timeout. */
    private static final Duration STALL = Duration.ofMillis(2200);
    private static final int T2_ROWS = 3000;

    @RegisterExtension
    final SlotFixture fixture = SlotFixture.create();

    /**
     * Issue 10 item 1: T2 inserts rows and stays open; T1 commits, is published and confirmed; T3 commits and
     * its publish blocks the relay longer than wal_sender_timeout/2; T2 commits meanwhile, so the walsender,
     * blocked on a full socket, puts a keepalive in the middle of T2, whose rows start below T1's confirmed
     * position. pgjdbc's automatic flush took that as "everything received is flushed" and confirmed the
     * keepalive's position, past T3, which the broker never acknowledged.
     */
    @Test
    void givenPublishBlockedWhileAnOlderTransactionStreams_theSlotStaysBeforeTheUnacknowledgedEvent_andTheNextRelayDeliversIt()
            throws Exception {
        AtomicBoolean t1Published = new AtomicBoolean();
        AtomicInteger confirmsAfterT1 = new AtomicInteger();
        StallingPublisher stalling = new StallingPublisher(RecordingPublisher.create(), STALL);
        LogTailingRelay first = started(stalling, config().listener(new LogTailingRelayListener() {
            @Override
            public void onPublished(List<OutboxEvent> events) {
                t1Published.set(true);
            }

            @Override
            public void onConfirmed(String lsn) {
                if (t1Published.get()) {
                    confirmsAfterT1.incrementAndGet();
                }
            }
        }));
        Await.until("first relay leads", first::isLeader);

        try (Connection t2 = TestDatabase.embedded().dataSource().getConnection()) {
            t2.setAutoCommit(false);
            insertBigRows(t2, T2_ROWS);

            OutboxEvent t1 = append(TestEvents.sequenced("t1", 0));
            Await.until("T1 published and confirmed", () -> confirmsAfterT1.get() > 0);
            assertThat(stalling.delegate.publishedIds()).containsExactly(t1.id());

            OutboxEvent t3 = TestEvents.sequenced("t3", 0);
            stalling.stallOn(t3.id());
            append(t3);
            String afterT3 = insertLsn();
            assertThat(stalling.stalled.await(30, TimeUnit.SECONDS)).as("T3's publish started").isTrue();
            t2.commit();
            String afterT2 = insertLsn();

            Await.until("the first relay received everything up to T2's commit", Duration.ofSeconds(30),
                    () -> reportedWriteReaches(afterT2));
            Await.until("T3 failed a few more times", () -> stalling.calls.get() >= 4);
            String confirmed = confirmedFlushLsn();
            assertThat(lsnBefore(confirmed, afterT3))
                    .as("slot confirmed at %s, T3 (never acknowledged) commits before %s", confirmed, afterT3)
                    .isTrue();
            first.close();

            RecordingPublisher healthy = RecordingPublisher.create();
            started(healthy, config());
            Await.until("the next relay delivers T3 and T2", Duration.ofSeconds(30),
                    () -> healthy.publishedIds().contains(t3.id()) && healthy.publishedFor("Order", "t2").size() == T2_ROWS);
        }
    }

    private LogTailingRelayConfig.Builder config() {
        return fixture.config(TableMode.LOG_ONLY)
                .statusInterval(Duration.ofMillis(100))
                .backoff(dev.outbox.core.relay.BackoffPolicy.exponential(Duration.ofMillis(50), 2.0,
                        Duration.ofMillis(200), 0.0));
    }

    /** Starts a relay whose replication connection has its own properties; the fixture closes it. */
    private LogTailingRelay started(OutboxEventPublisher publisher, LogTailingRelayConfig.Builder config) {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, "postgres");
        PGProperty.OPTIONS.set(properties, "-c wal_sender_timeout=" + WAL_SENDER_TIMEOUT.toMillis());
        // A small receive buffer, so the walsender's socket fills while the relay is blocked (as under load).
        PGProperty.RECEIVE_BUFFER_SIZE.set(properties, "65536");
        LogTailingRelay relay = LogTailingRelay.create(TestDatabase.embedded().dataSource(), TestDatabase.embedded().server().jdbcUrl(),
                properties, publisher, config.build());
        fixture.relays().add(relay);
        relay.start();
        return relay;
    }

    private OutboxEvent append(OutboxEvent event) {
        var unitOfWork = fixture.unitOfWork();
        unitOfWork.useTransaction(() -> LogOnlyOutbox.create(unitOfWork, fixture.table()).append(event));
        return event;
    }

    private void insertBigRows(Connection connection, int rows) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO " + fixture.table().qualifiedName()
                    + " (id, aggregatetype, aggregateid, type, payload, occurred_at) SELECT gen_random_uuid(), 'Order', "
                    + "'t2', 'Big', jsonb_build_object('seq', g, 'pad', repeat('x', 3000)), now() "
                    + "FROM generate_series(1, " + rows + ") g");
        }
    }

    private static String insertLsn() {
        return string("SELECT pg_current_wal_insert_lsn()::text");
    }

    private String confirmedFlushLsn() {
        return string("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + fixture.slot() + "'");
    }

    private boolean reportedWriteReaches(String lsn) {
        return TestDatabase.embedded().count("SELECT count(*) FROM pg_stat_replication r JOIN pg_replication_slots s "
                + "ON s.active_pid = r.pid WHERE s.slot_name = '" + fixture.slot() + "' AND r.write_lsn >= '" + lsn
                + "'::pg_lsn") == 1;
    }

    private static boolean lsnBefore(String lsn, String bound) {
        return TestDatabase.embedded().count("SELECT ('" + lsn + "'::pg_lsn < '" + bound + "'::pg_lsn)::int") == 1;
    }

    private static String string(String sql) {
        try (Connection c = TestDatabase.embedded().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Delegates, except for calls carrying the chosen event: the first blocks the caller for {@code stall}
     * (a blocking send, a metadata wait, a GC pause) and then fails; later ones fail at once. The broker
     * never acknowledges that event.
     */
    static final class StallingPublisher implements OutboxEventPublisher {
        final RecordingPublisher delegate;
        final CountDownLatch stalled = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        private final Duration stall;
        private volatile UUID victim;

        StallingPublisher(RecordingPublisher delegate, Duration stall) {
            this.delegate = delegate;
            this.stall = stall;
        }

        void stallOn(UUID id) {
            victim = id;
        }

        @Override
        public CompletionStage<List<PublishOutcome>> publish(List<OutboxEvent> events) {
            UUID id = victim;
            if (id == null || events.stream().noneMatch(e -> e.id().equals(id))) {
                return delegate.publish(events);
            }
            if (calls.incrementAndGet() == 1) {
                stalled.countDown();
                try {
                    Thread.sleep(stall.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return CompletableFuture.failedFuture(new IllegalStateException("simulated stalled broker"));
        }
    }
}
