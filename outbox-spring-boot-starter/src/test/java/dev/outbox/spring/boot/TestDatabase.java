package dev.outbox.spring.boot;

import dev.outbox.embedded.EmbeddedPostgresServer;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/** One embedded PostgreSQL for the whole test JVM, started on first use; tests isolate themselves by table names. */
final class TestDatabase {
    private TestDatabase() {
    }

    static DataSource dataSource() {
        return Holder.SERVER.dataSource();
    }

    /** Returns a fresh table name in schema public. */
    static String freshTable(String prefix) {
        return prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    }

    private static final class Holder {
        private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.builder().start();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(SERVER::close, "embedded-postgres-stop"));
        }
    }
}
