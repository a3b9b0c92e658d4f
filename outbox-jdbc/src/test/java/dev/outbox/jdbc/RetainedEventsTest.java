package dev.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.ClaimedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PostgresOutboxStore#retained} and {@link PostgresOutboxStore#countRetained}: what a replay reads. */
class RetainedEventsTest {
    private static final Duration LEASE = Duration.ofMinutes(1);
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final OutboxTable table = TestOutboxes.createFreshTable("retained");
    private final JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(TestOutboxes.jdbi());
    private final JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, table);
    private final PostgresOutboxStore store = PostgresOutboxStore.builder().jdbi(TestOutboxes.jdbi()).table(table)
            .retention(Duration.ofHours(1)).build();

    private OutboxEvent append(String type, String aggregateId, Instant occurredAt) {
        OutboxEvent event = OutboxEvent.builder().aggregateType(type).aggregateId(aggregateId).eventType("E")
                .payload("{\"at\": \"" + occurredAt + "\"}").header("traceparent", "00-" + aggregateId + "-01")
                .occurredAt(occurredAt).build();
        unitOfWork.useTransaction(() -> outbox.append(event));
        return event;
    }

    private void publishEverythingPending() {
        List<ClaimedEvent> claimed = store.claim("relay", 100, Instant.now(), LEASE);
        store.markPublished("relay", claimed.stream().map(c -> c.event().id()).toList(), Instant.now());
    }

    @Test
    void returnsThePublishedEventsOfTheTypeSinceTheInstant_inOrder_pageByPage() {
        OutboxEvent tooOld = append("Order", "o-1", T0.minusSeconds(60));
        List<OutboxEvent> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expected.add(append("Order", "o-" + (i % 2), T0.plusSeconds(i)));
        }
        OutboxEvent otherType = append("Customer", "c-1", T0.plusSeconds(1));
        publishEverythingPending();
        OutboxEvent stillPending = append("Order", "o-1", T0.plusSeconds(10));

        assertThat(store.countRetained("Order", T0)).isEqualTo(5);
        List<OutboxEvent> replayed = new ArrayList<>();
        long after = 0;
        for (List<OutboxEvent> page = store.retained("Order", T0, after, 2); !page.isEmpty();
                page = store.retained("Order", T0, after, 2)) {
            assertThat(page).hasSizeLessThanOrEqualTo(2);
            replayed.addAll(page);
            after = page.get(page.size() - 1).sequence().orElseThrow();
        }

        assertThat(replayed).extracting(OutboxEvent::id).containsExactlyElementsOf(expected.stream().map(OutboxEvent::id).toList())
                .doesNotContain(tooOld.id(), otherType.id(), stillPending.id());
        assertThat(replayed).isEqualTo(expected); // payload, headers, occurred-at as appended (equals ignores the sequence)
        assertThat(replayed.get(0).headers()).containsEntry("traceparent", "00-o-0-01");
        assertThat(replayed).extracting(e -> e.sequence().orElseThrow()).isSorted();
    }

    @Test
    void readingRetainedEventsChangesNoRow() {
        append("Order", "o-1", T0);
        publishEverythingPending();

        List<OutboxEvent> first = store.retained("Order", T0, 0, 10);
        List<OutboxEvent> again = store.retained("Order", T0, 0, 10);

        assertThat(first).hasSize(1).isEqualTo(again);
        assertThat(store.backlog().pending()).isZero();
        assertThat(store.countRetained("Order", T0)).isEqualTo(1);
    }

    @Test
    void withTheDefaultRetentionNothingIsKeptToReplay() {
        PostgresOutboxStore deleting = PostgresOutboxStore.builder().jdbi(TestOutboxes.jdbi()).table(table).build();
        append("Order", "o-1", T0);
        List<ClaimedEvent> claimed = deleting.claim("relay", 10, Instant.now(), LEASE);
        deleting.markPublished("relay", List.of(claimed.get(0).event().id()), Instant.now());

        assertThat(deleting.countRetained("Order", Instant.EPOCH)).isZero();
        assertThat(deleting.retained("Order", Instant.EPOCH, 0, 10)).isEmpty();
    }

    @Test
    void refusesALimitBelowOne() {
        assertThatThrownBy(() -> store.retained("Order", T0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
    }
}
