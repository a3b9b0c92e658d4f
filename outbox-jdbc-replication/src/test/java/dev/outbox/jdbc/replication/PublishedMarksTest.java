package dev.outbox.jdbc.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PublishedMarksTest {
    private TestDatabase.Fixture fixture;
    private final Map<java.util.UUID, Integer> xids = new HashMap<>();

    @BeforeEach
    void setUp() {
        fixture = TestDatabase.fixture();
    }

    @AfterEach
    void tearDown() {
        fixture.drop();
    }

    @Test
    void givenRowsPendingPublishedDeadAndGone_theyAreSettledWithoutWaiting() throws Exception {
        OutboxEvent pending = insertCommitted("pending", false);
        OutboxEvent published = insertCommitted("published", false);
        OutboxEvent dead = insertCommitted("dead", false);
        OutboxEvent gone = insertCommitted("pending", true);
        AtomicInteger pauses = new AtomicInteger();

        try (Connection connection = TestDatabase.dataSource().getConnection()) {
            marks(Duration.ofSeconds(30)).mark(connection, List.of(pending, published, dead, gone), xids,
                    nanos -> pauses.incrementAndGet());
        }

        assertThat(pauses).hasValue(0);
        assertThat(status(pending)).isEqualTo("published/1");
        assertThat(status(published)).isEqualTo("published/0");
        assertThat(status(dead)).isEqualTo("dead/0");
        assertThat(fixture.rows()).isEqualTo(3);
    }

    @Test
    void givenAnInsertNotVisibleYet_theMarkWaitsAndMarksItOnceItsTransactionCommits() throws Exception {
        try (Connection writer = TestDatabase.dataSource().getConnection();
             Connection connection = TestDatabase.dataSource().getConnection()) {
            writer.setAutoCommit(false);
            OutboxEvent event = insert(writer, "pending", false);
            AtomicInteger pauses = new AtomicInteger();

            marks(Duration.ofSeconds(30)).mark(connection, List.of(event), xids, nanos -> {
                if (pauses.incrementAndGet() == 3) {
                    writer.commit();
                }
            });

            assertThat(pauses).hasValue(3);
            assertThat(status(event)).isEqualTo("published/1");
        }
    }

    @Test
    void givenAnInsertThatStaysInvisible_theMarkFailsAfterTheTimeoutNamingTheEvent() throws Exception {
        try (Connection writer = TestDatabase.dataSource().getConnection();
             Connection connection = TestDatabase.dataSource().getConnection()) {
            writer.setAutoCommit(false);
            OutboxEvent event = insert(writer, "pending", false);

            assertThatThrownBy(() -> marks(Duration.ofMillis(200)).mark(connection, List.of(event), xids,
                    nanos -> Thread.onSpinWait()))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining(event.id().toString())
                    .hasMessageContaining("not confirmed past them");
            writer.rollback();
        }
    }

    private PublishedMarks marks(Duration timeout) {
        return new PublishedMarks(new LeaderStoreWriter(fixture.table()), timeout);
    }

    private OutboxEvent insertCommitted(String status, boolean deleteAgain) throws SQLException {
        try (Connection connection = TestDatabase.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            OutboxEvent event = insert(connection, status, deleteAgain);
            connection.commit();
            return event;
        }
    }

    /** Inserts a row as a writer would (a log-only writer deletes it again), remembering its transaction. */
    private OutboxEvent insert(Connection connection, String status, boolean deleteAgain) throws SQLException {
        OutboxEvent event = TestDatabase.event("m", 0);
        String table = fixture.table().qualifiedName();
        try (Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO " + table + " (id, aggregatetype, aggregateid, type, payload, occurred_at, "
                    + "status" + ("dead".equals(status) ? ", dead_lettered_at" : "published".equals(status)
                            ? ", published_at" : "") + ") VALUES ('" + event.id() + "', 'Order', 'm', 'E', '{}', now(), '"
                    + status + "'" + ("pending".equals(status) ? "" : ", now()") + ")");
            try (ResultSet rs = statement.executeQuery("SELECT txid_current()")) {
                rs.next();
                xids.put(event.id(), (int) rs.getLong(1));
            }
            if (deleteAgain) {
                statement.execute("DELETE FROM " + table + " WHERE id = '" + event.id() + "'");
            }
        }
        return event;
    }

    private String status(OutboxEvent event) throws SQLException {
        try (Connection c = TestDatabase.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT status || '/' || attempts FROM " + fixture.table().qualifiedName()
                     + " WHERE id = '" + event.id() + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
