package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.testkit.postgres.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Claimants race on few aggregates with small, uneven batches and frequent retries: the store alone
 * must keep each aggregate in append order.
 */
class ConcurrentClaimOrderTest {
    private static final int CLAIMANTS = 4;
    private static final int EVENTS = 1_500;
    private static final int AGGREGATES = 5;

    @Test
    void racingClaimantsWithRetriesNeverDeliverAnAggregateOutOfOrder() throws Exception {
        OutboxTable table = TestOutboxes.createFreshTable("race");
        JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(TestOutboxes.jdbi());
        JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, table);
        Map<String, List<UUID>> appended = new LinkedHashMap<>();
        for (int t = 0; t < EVENTS / 50; t++) {
            List<OutboxEvent> events = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                OutboxEvent event = OutboxEvent.json("Order", "a" + ThreadLocalRandom.current().nextInt(AGGREGATES), "E", "{}");
                events.add(event);
                appended.computeIfAbsent(event.aggregateId(), k -> new ArrayList<>()).add(event.id());
            }
            unitOfWork.useTransaction(() -> outbox.appendAll(events));
        }
        Map<String, List<UUID>> delivered = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLAIMANTS);
        List<Future<?>> claimants = new ArrayList<>();
        for (int c = 0; c < CLAIMANTS; c++) {
            String name = "claimant-" + c;
            claimants.add(pool.submit(() -> claimUntilEmpty(name, table, delivered)));
        }
        for (Future<?> claimant : claimants) {
            claimant.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        claimUntilEmpty("last-one", table, delivered); // whatever the racers left when they gave up

        appended.forEach((aggregate, ids) -> assertThat(delivered.get(aggregate)).as(aggregate).containsExactlyElementsOf(ids));
    }

    private static Void claimUntilEmpty(String name, OutboxTable table, Map<String, List<UUID>> delivered) throws Exception {
        try (Connection connection = TestDatabase.shared().dataSource().getConnection()) {
            Jdbi own = Jdbi.create(connection);
            PostgresOutboxStore store = PostgresOutboxStore.builder().jdbi(own).table(table).build();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int emptyInARow = 0;
            while (emptyInARow < 20) {
                List<ClaimedEvent> claimed = store.claim(name, 1 + random.nextInt(6), Instant.now(), Duration.ofMinutes(1));
                if (claimed.isEmpty()) {
                    emptyInARow++;
                    Thread.sleep(5);
                    continue;
                }
                emptyInARow = 0;
                List<UUID> published = new ArrayList<>();
                List<FailedDelivery> failed = new ArrayList<>();
                Set<String> failedAggregates = new HashSet<>();
                for (ClaimedEvent event : claimed) {
                    String aggregate = event.event().aggregateId();
                    // A failed event's later events in the batch fail with it, as the relay does.
                    if (failedAggregates.contains(aggregate) || random.nextInt(8) == 0) {
                        failedAggregates.add(aggregate);
                        failed.add(new FailedDelivery(event.event().id(), event.attempts() + 1, Instant.now(), "retry"));
                    } else {
                        synchronized (delivered) {
                            delivered.computeIfAbsent(aggregate, k -> new ArrayList<>()).add(event.event().id());
                        }
                        published.add(event.event().id());
                    }
                }
                store.markPublished(name, published, Instant.now());
                store.reschedule(name, failed);
            }
        }
        return null;
    }
}
