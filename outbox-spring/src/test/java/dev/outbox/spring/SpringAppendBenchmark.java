package dev.outbox.spring;

import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Prints what an append costs inside a Spring transaction, beside the same on the JDBI path: an order row plus three
 * line rows (one JDBC batch) per transaction, with and without one appended event, durable commits, one connection
 * reused (as a pool hands it out), the four legs interleaved in rounds. Not a test: run it with
 * {@code mvn -q -pl outbox-spring exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.outbox.spring.SpringAppendBenchmark
 * -Dexec.args="rounds=40 perRound=250"} after a build, from the repository root.
 */
public final class SpringAppendBenchmark {
    private SpringAppendBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = intArg(args, "rounds", 40);
        int perRound = intArg(args, "perRound", 250);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                Connection connection = postgres.getPostgresDatabase().getConnection()) {
            SingleConnectionDataSource dataSource = new SingleConnectionDataSource(connection, true);
            OutboxTable table = OutboxTable.DEFAULT;
            Jdbi jdbi = Jdbi.create(dataSource);
            OutboxSchema.create(jdbi, table);
            jdbi.useHandle(h -> h.execute("CREATE TABLE orders (id uuid PRIMARY KEY, status text NOT NULL); "
                    + "CREATE TABLE order_lines (order_id uuid NOT NULL, line int NOT NULL, quantity int NOT NULL, "
                    + "PRIMARY KEY (order_id, line))"));
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            TransactionTemplate spring = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            SpringOutbox springOutbox = SpringOutbox.builder(dataSource).table(table).build();
            JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(jdbi);
            JdbiOutbox jdbiOutbox = JdbiOutbox.create(unitOfWork, table);

            Runnable springOnly = () -> spring.executeWithoutResult(s -> springOrder(jdbc, UUID.randomUUID()));
            Runnable springAppend = () -> spring.executeWithoutResult(s -> {
                UUID id = UUID.randomUUID();
                springOrder(jdbc, id);
                springOutbox.append(event(id));
            });
            Runnable jdbiOnly = () -> unitOfWork.useTransaction(() -> jdbiOrder(unitOfWork, UUID.randomUUID()));
            Runnable jdbiAppend = () -> unitOfWork.useTransaction(() -> {
                UUID id = UUID.randomUUID();
                jdbiOrder(unitOfWork, id);
                jdbiOutbox.append(event(id));
            });
            List<Runnable> legs = List.of(springOnly, springAppend, jdbiOnly, jdbiAppend);
            for (Runnable leg : legs) {
                repeat(leg, 2000); // warm-up
            }
            long[] nanos = new long[legs.size()];
            for (int round = 0; round < rounds; round++) {
                for (int leg = 0; leg < legs.size(); leg++) {
                    nanos[leg] += repeat(legs.get(leg), perRound);
                }
            }
            double total = (double) rounds * perRound;
            double[] micros = new double[legs.size()];
            for (int leg = 0; leg < legs.size(); leg++) {
                micros[leg] = nanos[leg] / total / 1000.0;
            }
            System.out.printf("transactions per leg: %d (order + 3 lines), one connection, durable commits%n", (long) total);
            System.out.printf("spring business-only %.1f us, with append %.1f us, ratio %.2fx%n", micros[0], micros[1],
                    micros[1] / micros[0]);
            System.out.printf("jdbi   business-only %.1f us, with append %.1f us, ratio %.2fx%n", micros[2], micros[3],
                    micros[3] / micros[2]);
            System.out.printf("spring append cost %.1f us, jdbi append cost %.1f us%n", micros[1] - micros[0],
                    micros[3] - micros[2]);
        }
    }

    private static void springOrder(JdbcTemplate jdbc, UUID id) {
        jdbc.update("INSERT INTO orders (id, status) VALUES (?, 'PENDING')", id);
        List<Object[]> lines = new ArrayList<>(3);
        for (int line = 1; line <= 3; line++) {
            lines.add(new Object[] {id, line, 2});
        }
        jdbc.batchUpdate("INSERT INTO order_lines (order_id, line, quantity) VALUES (?, ?, ?)", lines);
    }

    private static void jdbiOrder(JdbiUnitOfWork unitOfWork, UUID id) {
        var handle = unitOfWork.currentHandle();
        handle.execute("INSERT INTO orders (id, status) VALUES (?, 'PENDING')", id);
        PreparedBatch batch = handle.prepareBatch("INSERT INTO order_lines (order_id, line, quantity) VALUES (?, ?, ?)");
        for (int line = 1; line <= 3; line++) {
            batch.add(id, line, 2);
        }
        batch.execute();
    }

    private static OutboxEvent event(UUID id) {
        return OutboxEvent.json("Order", id.toString(), "OrderCreated", "{\"order_id\": \"" + id + "\"}");
    }

    private static long repeat(Runnable leg, int times) {
        long start = System.nanoTime();
        for (int i = 0; i < times; i++) {
            leg.run();
        }
        return System.nanoTime() - start;
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (String arg : args) {
            if (arg.startsWith(name + "=")) {
                return Integer.parseInt(arg.substring(name.length() + 1));
            }
        }
        return fallback;
    }
}
