package dev.outbox.order.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.InMemoryOutboxStore;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.core.spi.FailedDelivery;
import dev.outbox.core.spi.PublishOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownCommandPrintsUsageAndExitsWithTwo() {
        assertThat(Main.run(List.of("bogus"), out, out)).isEqualTo(2);
        assertThat(output()).contains("unknown command bogus", "replay --aggregate-type", "drop-slot");
        assertThat(Main.run(List.of("help"), out, out)).isZero();
    }

    @Test
    void replayRepublishesRetainedEventsOfTheTypeInOrderWithTheirIds() throws Exception {
        TestService app = TestService.get();
        Instant since = Instant.now().minusSeconds(1);
        String id = new ObjectMapper().readTree(app.send("POST", "/orders", """
                {"customer_id": "0190a000-0000-7000-8000-000000000009",
                 "lines": [{"product_id": "0190a000-0000-7000-8000-0000000000aa", "quantity": 1, "unit_price": "1"}]}
                """).body()).get("id").asText();
        app.send("POST", "/orders/" + id + "/confirm", null);
        List<UUID> ids = app.service.jdbi().withHandle(h -> h.createQuery(
                "SELECT id FROM outbox_event WHERE aggregateid = :id ORDER BY seq").bind("id", id).mapTo(UUID.class).list());
        TestService.await("both events published", () -> app.service.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM outbox_event WHERE aggregateid = :id AND status = 'published'")
                .bind("id", id).mapTo(Integer.class).one()) == 2);
        RecordingPublisher publisher = RecordingPublisher.create();

        int status = ReplayCommand.run(app.service.store(), publisher,
                List.of("--aggregate-type", "Order", "--since", since.toString()), out);

        assertThat(status).isZero();
        assertThat(publisher.publishedFor("Order", id)).extracting(OutboxEvent::id).containsExactlyElementsOf(ids);
        assertThat(publisher.publishedFor("Order", id).get(0).payloadAsString()).contains("\"order_id\": \"" + id + "\"");
        assertThat(output()).contains("Replay done");
    }

    @Test
    void replayNeedsAnAggregateTypeAndAnIsoInstant() {
        TestService app = TestService.get();
        assertThatThrownBy(() -> ReplayCommand.run(app.service.store(), RecordingPublisher.create(),
                List.of(), out)).isInstanceOf(Arguments.UsageException.class).hasMessageContaining("--aggregate-type");
        assertThatThrownBy(() -> ReplayCommand.run(app.service.store(), RecordingPublisher.create(),
                List.of("--aggregate-type", "Order", "--since", "yesterday"), out))
                .isInstanceOf(Arguments.UsageException.class).hasMessageContaining("ISO-8601");
    }

    @Test
    void deadLettersAreListedAndRequeued() {
        InMemoryOutboxStore store = InMemoryOutboxStore.create();
        OutboxEvent event = OutboxEvent.json("Order", "o-1", "OrderCreated", "{}");
        store.append(event);
        store.claim("test", 10, Instant.now(), Duration.ofMinutes(1));
        store.deadLetter("test", List.of(new FailedDelivery(event.id(), 10, Instant.now(), "broker said no")));

        DeadLettersCommand.run(store, List.of("list"), out);
        assertThat(output()).contains("1 dead letter(s)", event.id().toString(), "broker said no");

        assertThatThrownBy(() -> DeadLettersCommand.run(store, List.of("requeue"), out))
                .isInstanceOf(Arguments.UsageException.class);
        DeadLettersCommand.run(store, List.of("requeue", "--id", event.id().toString()), out);
        assertThat(output()).contains("Requeued 1 dead letter(s)");
        assertThat(store.isPending(event.id())).isTrue();
    }

    @Test
    void deadLettersListShowsARowNoEventCanHoldThatTheRelayDeadLettered() {
        TestService app = TestService.get();
        UUID id = UUID.randomUUID();
        // written around the append port by another writer, as the Debezium table layout allows: a 3 MB payload
        app.service.jdbi().useHandle(h -> h.execute("INSERT INTO outbox_event (id, aggregatetype, aggregateid, type, payload, "
                + "occurred_at) VALUES (?, 'Order', ?, 'OrderCreated', ('{\"blob\": \"' || repeat('x', 3145728) || '\"}')::jsonb, "
                + "now())", id, "raw-" + id));
        try {
            TestService.await("the running relay dead-letters the row", () -> app.service.jdbi().withHandle(h -> h.createQuery(
                    "SELECT status FROM outbox_event WHERE id = :id").bind("id", id).mapTo(String.class).one()).equals("dead"));

            int status = Main.deadLetters(app.service, AppConfig.from(app.env()), List.of("list"), out);

            assertThat(status).isZero();
            assertThat(output()).contains(id.toString(), "Order/raw-" + id, "payload must be at most 1048576 bytes");
        } finally {
            app.service.jdbi().useHandle(h -> h.execute("DELETE FROM outbox_event WHERE id = ?", id));
        }
    }

    @Test
    void logPublisherReportsEveryEventPublished() {
        LogOutboxEventPublisher publisher = new LogOutboxEventPublisher(OutboxEvent::aggregateType);
        OutboxEvent event = OutboxEvent.json("Order", "o-1", "OrderCreated", "{}");

        List<PublishOutcome> outcomes = publisher.publish(List.of(event)).toCompletableFuture().join();

        assertThat(outcomes).containsExactly(PublishOutcome.published(event.id()));
        assertThat(publisher.publishedCount()).isEqualTo(1);
    }
}
