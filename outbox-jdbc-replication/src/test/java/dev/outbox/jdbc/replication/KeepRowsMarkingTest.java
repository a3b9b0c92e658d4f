package dev.outbox.jdbc.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.testing.Await;
import dev.outbox.testkit.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** In {@link TableMode#KEEP_ROWS} every delivered event's row ends {@code published}, whenever its commit turns visible. */
class KeepRowsMarkingTest {
    @RegisterExtension
    final SlotFixture fixture = SlotFixture.create();

    /**
     * Issue 10 item 10: logical decoding sends a commit once its WAL is flushed, which can be before the committing
     * backend leaves the proc array and its rows become visible to other sessions. A synchronous-replication wait
     * holds a commit exactly there ("committed locally", still running to everyone else) for as long as we like:
     * the relay publishes the event and its mark must still reach the row once the commit is visible. Before,
     * the mark updated 0 rows, the slot was confirmed past the event, and the row stayed pending forever.
     */
    @Test
    void givenACommitDecodedBeforeItIsVisible_theRowIsMarkedPublishedOnceVisible_andTheEventIsSentOnce() throws Exception {
        RecordingPublisher publisher = RecordingPublisher.create();
        LogTailingRelay relay = fixture.started(publisher, fixture.config(TableMode.KEEP_ROWS));
        Await.until("relay leads", relay::isLeader);
        TestDatabase.embedded().execute("ALTER SYSTEM SET synchronous_standby_names = 'outbox_test_no_such_standby'");
        TestDatabase.embedded().execute("SELECT pg_reload_conf()");
        try {
            HeldCommit held = commitHeldInSyncRepWait();
            Await.until("the relay publishes the event", () -> publisher.publishedIds().contains(held.id));
            // Let the relay try its mark while the inserting transaction is still invisible to other sessions.
            Thread.sleep(500);
            assertThat(TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName() + " WHERE id = '"
                    + held.id + "'")).as("still invisible").isZero();

            TestDatabase.embedded().execute("SELECT pg_cancel_backend(" + held.pid + ")");
            held.commit.get(30, TimeUnit.SECONDS);

            Await.until("the row is marked published", Duration.ofSeconds(15), () -> TestDatabase.embedded().count(
                    "SELECT count(*) FROM " + fixture.table().qualifiedName() + " WHERE id = '" + held.id
                            + "' AND status = 'published' AND attempts = 1") == 1);
            assertThat(publisher.publishedIds()).containsOnlyOnce(held.id);
        } finally {
            TestDatabase.embedded().execute("ALTER SYSTEM RESET synchronous_standby_names");
            TestDatabase.embedded().execute("SELECT pg_reload_conf()");
        }
    }

    private record HeldCommit(UUID id, int pid, CompletableFuture<Void> commit) {
    }

    /**
     * Inserts one pending row in a transaction whose commit waits for a synchronous standby that does not exist;
     * retries until the reloaded setting is in force (a commit that did not wait is simply a delivered event).
     */
    private HeldCommit commitHeldInSyncRepWait() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            UUID id = UUID.randomUUID();
            Connection connection = TestDatabase.embedded().dataSource().getConnection();
            int pid;
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET synchronous_commit = on");
                var rs = statement.executeQuery("SELECT pg_backend_pid()");
                rs.next();
                pid = rs.getInt(1);
                connection.setAutoCommit(false);
                statement.execute("INSERT INTO " + fixture.table().qualifiedName() + " (id, aggregatetype, aggregateid, "
                        + "type, payload, occurred_at) VALUES ('" + id + "', 'Order', 'm', 'E', '{}', now())");
            }
            CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> {
                try (connection) {
                    connection.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!commit.isDone() && System.nanoTime() < deadline) {
                if (TestDatabase.embedded().count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid
                        + " AND wait_event = 'SyncRep'") == 1) {
                    return new HeldCommit(id, pid, commit);
                }
                Thread.sleep(10);
            }
            commit.get(30, TimeUnit.SECONDS);
        }
        throw new AssertionError("no commit waited for the synchronous standby");
    }
}
