package dev.outbox.jdbc.replication;

import dev.outbox.testkit.postgres.TestDatabase;
import dev.outbox.core.testing.TestEvents;
import dev.outbox.core.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The log-tailing relay reads each row's {@code seq} from the WAL into the event's aggregate sequence. */
class LogTailingSequenceTest {
    private SlotFixture fixture;
    private LogTailingRelay relay;

    @BeforeEach
    void setUp() {
        fixture = SlotFixture.create();
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        fixture.drop();
    }

    @Test
    void keepRows_eachPublishedEventCarriesItsRowsSeqAsTheAggregateSequence() {
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        List<OutboxEvent> published = appendAndRelay(unitOfWork, JdbiOutbox.create(unitOfWork, fixture.table()),
                TableMode.KEEP_ROWS);

        Map<UUID, Long> seqs = new HashMap<>();
        SlotFixture.jdbi().useHandle(h -> h.createQuery("SELECT id, seq FROM " + fixture.table())
                .map((rs, ctx) -> seqs.put(rs.getObject("id", UUID.class), rs.getLong("seq"))).list());
        assertThat(published).hasSize(6).allSatisfy(event ->
                assertThat(event.sequence()).as("sequence of %s", event.id()).hasValue(seqs.get(event.id())));
    }

    @Test
    void logOnly_eachPublishedEventCarriesAnAggregateSequenceIncreasingPerAggregate() {
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        List<OutboxEvent> published = appendAndRelay(unitOfWork, LogOnlyOutbox.create(unitOfWork, fixture.table()),
                TableMode.LOG_ONLY);

        assertThat(published).hasSize(6);
        Map<String, Long> last = new HashMap<>();
        for (OutboxEvent event : published) {
            long sequence = event.sequence().orElseThrow();
            Long previous = last.put(event.aggregateId(), sequence);
            assertThat(previous == null || previous < sequence).as("%d after %s", sequence, previous).isTrue();
        }
    }

    /** Starts a relay, appends three transactions of two aggregates, returns what was published. */
    private List<OutboxEvent> appendAndRelay(JdbiUnitOfWork unitOfWork, Outbox outbox, TableMode mode) {
        RecordingPublisher publisher = RecordingPublisher.create();
        relay = LogTailingRelay.create(TestDatabase.embedded().dataSource(), publisher, fixture.config(mode).build());
        relay.start();
        List<OutboxEvent> appended = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            List<OutboxEvent> events = List.of(TestEvents.sequenced("a", t), TestEvents.sequenced("b", t));
            appended.addAll(events);
            unitOfWork.useTransaction(() -> outbox.appendAll(events));
        }
        Await.until("all events published", () -> publisher.published().size() >= appended.size());
        assertThat(publisher.publishedIds()).containsExactlyElementsOf(appended.stream().map(OutboxEvent::id).toList());
        return publisher.published();
    }
}
