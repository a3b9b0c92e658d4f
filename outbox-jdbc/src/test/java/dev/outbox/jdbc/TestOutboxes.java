package dev.outbox.jdbc;

import dev.outbox.testkit.postgres.TestDatabase;
import org.jdbi.v3.core.Jdbi;

/**
 * Outbox tables of a test's own, on the test JVM's shared PostgreSQL ({@link TestDatabase#shared()}:
 * embedded, or the server at {@code OUTBOX_TEST_DATABASE_URL}), and the JDBI objects on them.
 * A test that needs one physical connection, as a pool hands it out again, uses JDBI's own
 * {@code Jdbi.create(connection)}, which never closes it.
 */
final class TestOutboxes {
    private static final Jdbi JDBI = Jdbi.create(TestDatabase.shared().dataSource());

    private TestOutboxes() {
    }

    /** Returns a Jdbi on the shared database. */
    static Jdbi jdbi() {
        return JDBI;
    }

    /** Returns a new table name with a random suffix, in schema public. */
    static OutboxTable freshTable(String prefix) {
        return OutboxTable.of(TestDatabase.uniqueName(prefix));
    }

    /** Creates a fresh outbox table with the shipped schema. */
    static OutboxTable createFreshTable(String prefix) {
        OutboxTable table = freshTable(prefix);
        OutboxSchema.create(jdbi(), table);
        return table;
    }

    /** Creates a fresh outbox table, with a store, a unit of work and an outbox on it. */
    static FreshOutbox freshOutbox(String prefix) {
        OutboxTable table = createFreshTable(prefix);
        JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(jdbi());
        return new FreshOutbox(table, PostgresOutboxStore.builder().jdbi(jdbi()).table(table).build(), unitOfWork,
                JdbiOutbox.create(unitOfWork, table));
    }

    /** A test's own outbox table and the objects that write and read it. */
    record FreshOutbox(OutboxTable table, PostgresOutboxStore store, JdbiUnitOfWork unitOfWork, JdbiOutbox outbox) {
    }
}
