package dev.outbox.jdbc.replication;

import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.testing.Await;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.testkit.postgres.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test's own outbox table, slot and publication on the test JVM's embedded PostgreSQL
 * ({@link TestDatabase#embedded()}, {@code wal_level=logical}), and the relays it started on them.
 * As a per-test {@code @RegisterExtension} field it closes those relays and drops the slot after
 * each test.
 */
record SlotFixture(OutboxTable table, String slot, String publication, List<LogTailingRelay> relays)
        implements AfterEachCallback {

    /** A fresh outbox table, plus slot and publication names no other test uses. */
    static SlotFixture create() {
        String suffix = TestDatabase.uniqueName("t").substring(2);
        OutboxTable table = OutboxTable.of("outbox_t" + suffix);
        OutboxSchema.create(jdbi(), table);
        return new SlotFixture(table, "slot_" + suffix, "pub_" + suffix, new ArrayList<>());
    }

    /** Returns a Jdbi on the embedded database. */
    static Jdbi jdbi() {
        return Jdbi.create(dataSource());
    }

    private static DataSource dataSource() {
        return TestDatabase.embedded().dataSource();
    }

    /** Settings on this fixture's table, slot and publication, with a short standby retry. */
    LogTailingRelayConfig.Builder config(TableMode mode) {
        return LogTailingRelayConfig.builder()
                .table(table)
                .slotName(slot)
                .publicationName(publication)
                .mode(mode)
                .standbyRetryInterval(Duration.ofMillis(300));
    }

    /** A relay on the embedded database with these settings; not started, {@link #afterEach} closes it. */
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
        return TestDatabase.embedded().count("SELECT count(*) FROM " + table.qualifiedName());
    }

    long rows(String status) {
        return TestDatabase.embedded().count(
                "SELECT count(*) FROM " + table.qualifiedName() + " WHERE status = '" + status + "'");
    }

    JdbiUnitOfWork unitOfWork() {
        return JdbiUnitOfWork.create(jdbi());
    }

    /**
     * Terminates the leader's database sessions for {@code slot} (its walsender and its leader-lock
     * connection), as a crash of its process would end them, and waits until they are gone.
     */
    static void killRelaySessions(String slot) {
        TestDatabase db = TestDatabase.embedded();
        long key = SlotAdmin.lockKey(slot);
        String lockHolders = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = "
                + (key >>> 32) + "::bigint::oid AND objid = " + (key & 0xffffffffL) + "::bigint::oid AND objsubid = 1";
        String walsender = "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'";
        String sessions = "(" + lockHolders + " UNION " + walsender + ") p WHERE pid IS NOT NULL";
        String pids = db.text("SELECT coalesce(string_agg(pid::text, ','), '0') FROM " + sessions);
        db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (" + pids + ")");
        // Those very sessions: a standby may hold the lock again a moment later.
        Await.until("the relay's sessions are gone",
                () -> db.count("SELECT count(*) FROM pg_stat_activity WHERE pid IN (" + pids + ")") == 0);
    }
}
