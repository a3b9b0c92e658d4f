package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.embedded.EmbeddedPostgresServer;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One embedded PostgreSQL (wal_level=logical) per test JVM, and per-test tables, slots and publications. */
final class TestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgresServer server;

    private TestDatabase() {
    }

    static synchronized EmbeddedPostgresServer server() {
        if (server == null) {
            server = EmbeddedPostgresServer.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }

    static DataSource dataSource() {
        return server().dataSource();
    }

    static Jdbi jdbi() {
        return Jdbi.create(dataSource());
    }

    /** A fresh outbox table, plus slot and publication names no other test uses. */
    static Fixture fixture() {
        int n = COUNTER.incrementAndGet();
        String suffix = n + "_" + Long.toHexString(System.nanoTime() & 0xffffff);
        OutboxTable table = OutboxTable.of("outbox_t" + suffix);
        OutboxSchema.create(jdbi(), table);
        return new Fixture(table, "slot_" + suffix, "pub_" + suffix, new ArrayList<>());
    }

    /**
     * A test's table, slot and publication, and the relays it started on them. As a per-test
     * {@code @RegisterExtension} field it closes those relays and drops the slot after each test.
     */
    record Fixture(OutboxTable table, String slot, String publication, List<LogTailingRelay> relays)
            implements AfterEachCallback {
        /** Settings on this fixture's table, slot and publication, with a short standby retry. */
        LogTailingRelayConfig.Builder config(TableMode mode) {
            return LogTailingRelayConfig.builder()
                    .table(table)
                    .slotName(slot)
                    .publicationName(publication)
                    .mode(mode)
                    .standbyRetryInterval(Duration.ofMillis(300));
        }

        /** A relay on {@link #dataSource()} with these settings; not started, {@link #afterEach} closes it. */
        LogTailingRelay create(OutboxEventPublisher publisher, LogTailingRelayConfig.Builder config) {
            LogTailingRelay relay = LogTailingRelay.create(dataSource(), publisher, config.build());
            relays.add(relay);
            return relay;
        }

        /** Creates and starts the relay; {@link #afterEach} closes it. */
        LogTailingRelay started(OutboxEventPublisher publisher, LogTailingRelayConfig.Builder config) {
            LogTailingRelay relay = create(publisher, config);
            relay.start();
            return relay;
        }

        @Override
        public void afterEach(ExtensionContext context) {
            relays.forEach(LogTailingRelay::close);
            drop();
        }

        void drop() {
            try {
                LogTailingRelay.dropSlot(dataSource(), slot, publication);
            } catch (RuntimeException e) {
                // a test that failed may leave the slot active for a moment; nothing else to do
            }
        }

        long rows() {
            return count("SELECT count(*) FROM " + table.qualifiedName());
        }

        long rows(String status) {
            return count("SELECT count(*) FROM " + table.qualifiedName() + " WHERE status = '" + status + "'");
        }

        JdbiUnitOfWork unitOfWork() {
            return JdbiUnitOfWork.create(jdbi());
        }
    }

    static long count(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void execute(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Terminates the leader's database sessions for {@code slot} (its walsender and its leader-lock
     * connection), as a crash of its process would end them, and waits until they are gone.
     */
    static void killRelaySessions(String slot) {
        long key = SlotAdmin.lockKey(slot);
        String lockHolders = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = "
                + (key >>> 32) + "::bigint::oid AND objid = " + (key & 0xffffffffL) + "::bigint::oid AND objsubid = 1";
        String walsender = "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'";
        String sessions = "(" + lockHolders + " UNION " + walsender + ") p WHERE pid IS NOT NULL";
        String pids = text("SELECT coalesce(string_agg(pid::text, ','), '0') FROM " + sessions);
        execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (" + pids + ")");
        // Those very sessions: a standby may hold the lock again a moment later.
        Await.until("the relay's sessions are gone",
                () -> count("SELECT count(*) FROM pg_stat_activity WHERE pid IN (" + pids + ")") == 0);
    }

    static OutboxEvent event(String aggregateId, int sequence) {
        return OutboxEvent.json("Order", aggregateId, "OrderChanged",
                "{\"aggregate\":\"" + aggregateId + "\",\"seq\":" + sequence + "}");
    }
}
