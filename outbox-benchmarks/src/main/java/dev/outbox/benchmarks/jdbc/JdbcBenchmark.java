package dev.outbox.benchmarks.jdbc;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.embedded.EmbeddedPostgresServer;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.jdbc.OutboxSchema;
import dev.outbox.jdbc.OutboxTable;
import dev.outbox.jdbc.PostgresOutboxStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Jdbi;

/**
 * Measures, on an embedded PostgreSQL, (a) what an outbox append adds to a business transaction
 * and (b) how fast the polling relay drains a large backlog with a publisher that does nothing.
 * Prints numbers; not a test.
 *
 * <p>The business transaction of (a) inserts one order row and, with {@code lines=N}, N order
 * lines in one JDBC batch, as the Order service's create-order does. The default, {@code lines=0},
 * is the smallest transaction there is, where an append weighs most.
 *
 * <pre>
 * mvn -q -pl outbox-benchmarks exec:java -Dexec.mainClass=dev.outbox.benchmarks.jdbc.JdbcBenchmark \
 *     -Dexec.args="transactions=20000 warmup=2000 backlog=1000000 batch=1000 aggregates=10000"
 * </pre>
 * Arguments (all optional, defaults shown above): {@code transactions} per leg of (a),
 * {@code warmup} transactions per leg before measuring, {@code backlog} events for (b),
 * {@code batch} the relay's claim size, {@code aggregates} distinct aggregates in the backlog,
 * {@code lines} order lines per business transaction (0), {@code notify} 0 to append without the
 * commit notification, {@code syncCommit} 0 for {@code synchronous_commit=off}.
 */
public final class JdbcBenchmark {
    private static final String BUSINESS_INSERT = "INSERT INTO bench_order (id, customer, total, status) VALUES (?, ?, ?, ?)";
    private static final String LINE_INSERT =
            "INSERT INTO bench_order_line (order_id, line_no, product_id, quantity, unit_price) VALUES (?, ?, ?, ?, ?)";
    private static final int ROUNDS = 40;

    private JdbcBenchmark() {
    }

    /** Runs both measurements; see the class comment for the arguments. */
    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int transactions = args.intValue("transactions", 20_000);
        int warmup = args.intValue("warmup", 2_000);
        int backlog = args.intValue("backlog", 1_000_000);
        int batch = args.intValue("batch", 1_000);
        int aggregates = args.intValue("aggregates", 10_000);
        // Durable commits (on) by default, as a production server runs: the embedded server's own
        // default (off) makes every commit nearly free and so inflates any per-row cost's share.
        boolean durable = args.intValue("syncCommit", 1) == 1;
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.builder()
                .serverConfig("synchronous_commit", durable ? "on" : "off").start();
             Connection connection = postgres.dataSource().getConnection()) {
            line("PostgreSQL %s on port %d, synchronous_commit=%s", version(connection), postgres.port(), durable ? "on" : "off");
            Jdbi jdbi = SingleConnection.jdbi(connection);
            appendOverhead(jdbi, connection, transactions, warmup, args.intValue("notify", 1) == 1,
                    args.intValue("lines", 0));
            drain(jdbi, connection, backlog, batch, aggregates);
        }
    }

    private static void appendOverhead(Jdbi jdbi, Connection connection, int transactions, int warmup, boolean notify,
            int lines) throws SQLException {
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE bench_order (id uuid PRIMARY KEY, customer text NOT NULL, total numeric(12, 2) NOT NULL, "
                    + "status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
            ddl.execute("CREATE TABLE bench_order_line (order_id uuid NOT NULL REFERENCES bench_order (id), "
                    + "line_no integer NOT NULL, product_id text NOT NULL, quantity integer NOT NULL, "
                    + "unit_price numeric(12, 2) NOT NULL, PRIMARY KEY (order_id, line_no))");
        }
        OutboxTable table = OutboxTable.of("append_outbox");
        OutboxSchema.create(jdbi, table);
        JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(jdbi);
        JdbiOutbox outbox = JdbiOutbox.builder(unitOfWork).table(table).notifications(notify).build();
        line("(a) append overhead: %,d warm-up + %,d measured transactions per leg, legs interleaved in %d rounds, "
                + "business transaction = 1 order row + %d line rows, commit notification %s", warmup, transactions,
                ROUNDS, lines, notify ? "on" : "off");
        runLeg(unitOfWork, null, warmup, lines);
        runLeg(unitOfWork, outbox, warmup, lines);
        long businessNanos = 0;
        long outboxNanos = 0;
        int perRound = transactions / ROUNDS;
        double[] ratios = new double[ROUNDS];
        for (int round = 1; round <= ROUNDS; round++) {
            // Alternate which leg goes first, so that drift in the machine's load hits both alike.
            long business;
            long withOutbox;
            if (round % 2 == 1) {
                business = runLeg(unitOfWork, null, perRound, lines);
                withOutbox = runLeg(unitOfWork, outbox, perRound, lines);
            } else {
                withOutbox = runLeg(unitOfWork, outbox, perRound, lines);
                business = runLeg(unitOfWork, null, perRound, lines);
            }
            businessNanos += business;
            outboxNanos += withOutbox;
            ratios[round - 1] = (double) withOutbox / business;
            if (round % 5 == 0) {
                line("(a) round %d/%d: business-only %,.0f tx/s, business+outbox %,.0f tx/s, this round's ratio %.2fx",
                        round, ROUNDS, rate(perRound, business), rate(perRound, withOutbox), ratios[round - 1]);
            }
        }
        int measured = perRound * ROUNDS;
        line("(a) RESULT business-only: %,d tx in %.2f s = %,.0f tx/s (%.1f us/tx)", measured, businessNanos / 1e9,
                rate(measured, businessNanos), businessNanos / 1e3 / measured);
        line("(a) RESULT business+outbox: %,d tx in %.2f s = %,.0f tx/s (%.1f us/tx)", measured, outboxNanos / 1e9,
                rate(measured, outboxNanos), outboxNanos / 1e3 / measured);
        java.util.Arrays.sort(ratios);
        line("(a) RESULT overhead ratio, median of %d rounds of %,d tx per leg: %.2fx (min %.2fx, max %.2fx; "
                + "target <= 1.30x)", ROUNDS, perRound, ratios[ROUNDS / 2], ratios[0], ratios[ROUNDS - 1]);
        line("(a) RESULT overhead ratio, total time business+outbox / business-only: %.2fx",
                (double) outboxNanos / businessNanos);
    }

    /**
     * Runs {@code count} transactions, each one order row, {@code lines} line rows and (when outbox
     * is set) one event; returns nanos.
     */
    private static long runLeg(JdbiUnitOfWork unitOfWork, JdbiOutbox outbox, int count, int lines) throws SQLException {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            java.util.UUID orderId = java.util.UUID.randomUUID();
            unitOfWork.useTransaction(() -> {
                Connection connection = unitOfWork.currentHandle().getConnection();
                try (PreparedStatement insert = connection.prepareStatement(BUSINESS_INSERT)) {
                    insert.setObject(1, orderId);
                    insert.setString(2, "customer-" + ThreadLocalRandom.current().nextInt(1000));
                    insert.setBigDecimal(3, java.math.BigDecimal.valueOf(3998, 2));
                    insert.setString(4, "PENDING");
                    insert.executeUpdate();
                }
                if (lines > 0) {
                    try (PreparedStatement insert = connection.prepareStatement(LINE_INSERT)) {
                        for (int line = 0; line < lines; line++) {
                            insert.setObject(1, orderId);
                            insert.setInt(2, line);
                            insert.setString(3, "p-" + line);
                            insert.setInt(4, 2);
                            insert.setBigDecimal(5, java.math.BigDecimal.valueOf(1999, 2));
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                }
                if (outbox != null) {
                    outbox.append(OutboxEvent.json("Order", orderId.toString(), "OrderCreated",
                            "{\"order_id\":\"" + orderId + "\",\"status\":\"PENDING\",\"total\":\"39.98\","
                                    + "\"lines\":[{\"product_id\":\"p-1\",\"quantity\":2,\"unit_price\":\"19.99\"}]}"));
                }
            });
        }
        return System.nanoTime() - start;
    }

    private static void drain(Jdbi jdbi, Connection connection, int backlog, int batch, int aggregates) throws Exception {
        OutboxTable table = OutboxTable.of("drain_outbox");
        OutboxSchema.create(jdbi, table);
        line("(b) drain: loading %,d events on %,d aggregates with generate_series ...", backlog, aggregates);
        long loadStart = System.nanoTime();
        try (PreparedStatement load = connection.prepareStatement("INSERT INTO " + table.qualifiedName()
                + " (id, aggregatetype, aggregateid, type, payload, occurred_at) "
                + "SELECT gen_random_uuid(), 'Order', 'order-' || (i % ?), 'OrderCreated', "
                + "jsonb_build_object('order_id', i, 'status', 'PENDING', 'total', '39.98'), now() "
                + "FROM generate_series(1, ?) AS i")) {
            load.setInt(1, aggregates);
            load.setInt(2, backlog);
            load.executeUpdate();
        }
        try (Statement vacuum = connection.createStatement()) {
            vacuum.execute("VACUUM ANALYZE " + table.qualifiedName());
        }
        line("(b) loaded in %.1f s (including VACUUM ANALYZE)", (System.nanoTime() - loadStart) / 1e9);

        PostgresOutboxStore store = PostgresOutboxStore.builder().jdbi(jdbi).table(table).build();
        OutboxEventPublisher nothing = JdbcBenchmark::publishNothing;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long maxHeap = 0;
        try (OutboxRelay relay = OutboxRelay.create(store, nothing, RelayConfig.builder().claimant("bench").batchSize(batch)
                .lease(Duration.ofMinutes(5)).build())) {
            long start = System.nanoTime();
            long nextProgress = start + 5_000_000_000L;
            long drained = 0;
            int got;
            do {
                got = relay.runOnce();
                drained += got;
                maxHeap = Math.max(maxHeap, memory.getHeapMemoryUsage().getUsed());
                if (System.nanoTime() >= nextProgress) {
                    line("(b) progress: %,d / %,d drained, %,.0f events/s, heap used %d MiB", drained, backlog,
                            rate(drained, System.nanoTime() - start), memory.getHeapMemoryUsage().getUsed() >> 20);
                    nextProgress += 5_000_000_000L;
                }
            } while (got > 0);
            long nanos = System.nanoTime() - start;
            System.gc();
            line("(b) RESULT drained %,d events in %.2f s = %,.0f events/s with batch %d (target >= 50,000/s)",
                    drained, nanos / 1e9, rate(drained, nanos), batch);
            line("(b) RESULT heap used: max %d MiB while draining, %d MiB after GC; backlog left %s", maxHeap >> 20,
                    memory.getHeapMemoryUsage().getUsed() >> 20, store.backlog());
        }
    }

    private static CompletionStage<List<PublishOutcome>> publishNothing(List<OutboxEvent> events) {
        return CompletableFuture.completedFuture(events.stream().map(e -> PublishOutcome.published(e.id())).toList());
    }

    private static String version(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             var rs = statement.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static double rate(long count, long nanos) {
        return count / (nanos / 1e9);
    }

    private static void line(String format, Object... args) {
        System.out.printf("%s %s%n", LocalTime.now().truncatedTo(ChronoUnit.MILLIS), String.format(format, args));
        System.out.flush();
    }
}
