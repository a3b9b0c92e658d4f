package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.relay.OutboxRelay;
import dev.outbox.core.relay.RelayConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** A PostgreSQL server of its own, stopped and started again under a running relay. */
class DatabaseRestartTest {
    @TempDir
    Path dataDirectory;

    private EmbeddedPostgres postgres;
    private int port;

    @AfterEach
    void stopServer() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    private void startServer() throws IOException {
        postgres = EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDirectory.resolve("pg"))
                .setCleanDataDirectory(false).setServerConfig("synchronous_commit", "on").start();
    }

    private void stopServerAndWait() throws Exception {
        postgres.close();
        postgres = null;
        Path pid = dataDirectory.resolve("pg").resolve("postmaster.pid");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Files.exists(pid) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    @Test
    void aRunningRelayRecoversByItselfWhenPostgresRestartsAndDeliversEverything() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        startServer();
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://localhost:" + port + "/postgres?user=postgres&connectTimeout=5&socketTimeout=30");
        Jdbi jdbi = Jdbi.create(dataSource);
        OutboxTable table = OutboxTable.of("restart_outbox");
        OutboxSchema.create(jdbi, table);
        PostgresOutboxStore store = PostgresOutboxStore.builder().jdbi(jdbi).table(table).build();
        JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(jdbi);
        JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, table);
        OrderCheckingPublisher publisher = new OrderCheckingPublisher();
        Map<String, List<UUID>> appended = new LinkedHashMap<>();

        try (OutboxRelay relay = OutboxRelay.create(store, publisher, RelayConfig.builder().claimant("survivor").batchSize(20)
                .pollInterval(Duration.ofSeconds(10)).lease(Duration.ofSeconds(15)).publishTimeout(Duration.ofSeconds(5)).build())) {
            relay.start();
            append(unitOfWork, outbox, appended, 0, 100);
            assertThat(publisher.awaitDistinct(100, Duration.ofSeconds(60))).as("delivered before the restart").isTrue();

            stopServerAndWait();
            Thread.sleep(1_000);
            startServer();
            append(unitOfWork, outbox, appended, 100, 200);

            // The poll interval is long: the relay finds the new events through its re-established
            // subscription or its error backoff, not by waiting for a poll.
            boolean all = publisher.awaitDistinct(200, Duration.ofSeconds(60));
            assertThat(all).as(() -> "delivered after the restart: " + publisher.distinct() + " distinct, "
                    + publisher.duplicates() + " repeats, rows " + jdbi.withHandle(h -> h.createQuery(
                            "SELECT s || '/' || count(*) FROM (SELECT status || '/' || coalesce(claimed_by, '-') || '/' "
                            + "|| coalesce((claimed_until > now())::text, '-') AS s FROM " + table.qualifiedName() + ") x GROUP BY s").mapTo(String.class).list())).isTrue();
            // While the relay still runs: a batch sent before the stop whose mark failed is claimed
            // again after its lease and marked then, so the backlog empties within about a lease.
            Eventually.assertEventually("no pending events", Duration.ofSeconds(60), () -> store.backlog().pending() == 0);
        }
        // A batch published just before the stop may not have been marked: it is sent again after its
        // lease (at least once). First deliveries must still be complete and in order per aggregate.
        appended.forEach((aggregateId, ids) ->
                assertThat(publisher.deliveredOnce("Order", aggregateId)).containsExactlyElementsOf(ids));
    }

    private static void append(JdbiUnitOfWork unitOfWork, JdbiOutbox outbox, Map<String, List<UUID>> appended,
                               int from, int to) {
        for (int i = from; i < to; i += 10) {
            List<OutboxEvent> events = new ArrayList<>();
            for (int j = i; j < i + 10; j++) {
                String aggregateId = "order-" + (j % 7);
                OutboxEvent event = OutboxEvent.json("Order", aggregateId, "Changed", "{\"n\": " + j + "}");
                events.add(event);
                appended.computeIfAbsent(aggregateId, k -> new ArrayList<>()).add(event.id());
            }
            unitOfWork.useTransaction(() -> outbox.appendAll(events));
        }
    }
}
