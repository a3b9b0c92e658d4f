package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.DeliveryPolicy.Decision;
import dev.outbox.core.spi.DeliveryPolicy.Decisions;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.jdbc.internal.OutboxEventMapper.RowRead;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's delivery of parked rows ({@link ParkedRows}): whenever the head of a parked aggregate
 * is due, sends that aggregate's parked rows in {@code seq} order (up to {@code batchSize} rows in
 * all, one publish call at a time, beside the stream's own batch: the two never share an aggregate)
 * and settles the outcomes with the same {@link DeliveryPolicy} as the stream: delivered rows are
 * marked published ({@link TableMode#KEEP_ROWS}) or deleted ({@link TableMode#LOG_ONLY}); a head's
 * own failure is counted and rescheduled after the backoff, and dead-lettered after
 * {@code maxAttempts}; rows held back behind it, and a whole call the broker could not take, are
 * left as they are (nothing counted; after an outage the next try waits the outage backoff). When
 * an aggregate has no parked row left, its new stream events go straight to the publisher again.
 *
 * <p>Reads the table every {@code heartbeatInterval} as well, so rows parked or requeued by others
 * (outbox-jdbc's {@code requeueDeadLetters}, a previous leader) are found. Confined to the session
 * thread.
 */
final class ParkedDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(ParkedDelivery.class);

    private final RelaySettings settings;
    private final LogTailingRelayConfig config;
    private final Connection plain;
    private final ParkedRows parked;
    private final DeliveryPolicy policy;
    private final LeaderStoreWriter writer;
    private List<RowRead> sending = List.of();
    private CompletableFuture<List<PublishOutcome>> outcomes;
    private long deadlineNanos;
    private long nextScanNanos = System.nanoTime();
    private int outages;
    private Set<AggregateKey> known = Set.of();

    ParkedDelivery(RelaySettings settings, Connection plain, ParkedRows parked, DeliveryPolicy policy,
            LeaderStoreWriter writer) {
        this.settings = settings;
        this.config = settings.config();
        this.plain = plain;
        this.parked = parked;
        this.policy = policy;
        this.writer = writer;
    }

    /** Learns the parked aggregates from the table; call before the session publishes a stream event. */
    void start() throws SQLException {
        List<ParkedRows.Head> heads = parked.load(plain);
        known = keys(heads);
        if (!heads.isEmpty()) {
            LOG.info("{} aggregate(s) of {} have parked events (first: {}); their new events wait behind them",
                    heads.size(), config.table(), heads.get(0).key());
        }
        schedule(heads, Instant.now());
    }

    /** Settles a finished call or starts one when a head is due; returns whether it did anything. */
    boolean advance() throws SQLException {
        long now = System.nanoTime();
        if (outcomes != null) {
            if (!outcomes.isDone()) {
                if (now - deadlineNanos < 0) {
                    return false;
                }
                outcomes = CompletableFuture.failedFuture(new OutboxException("the publisher did not complete within "
                        + "publishTimeout " + config.publishTimeout() + " of the publish call"));
            }
            settle();
            return true;
        }
        if (now - nextScanNanos < 0) {
            return false;
        }
        scan();
        return true;
    }

    /** A row was just parked due at {@code due}: read the table by then at the latest. */
    void dueAt(Instant due) {
        long at = System.nanoTime() + Math.max(0, Duration.between(Instant.now(), due).toNanos());
        if (outcomes == null && at - nextScanNanos < 0) {
            nextScanNanos = at;
        }
    }

    /** On stop: settles a call the broker has answered, so its delivered rows are not sent again. */
    void settleIfDone() throws SQLException {
        if (outcomes != null && outcomes.isDone()) {
            settle();
        }
    }

    private void scan() throws SQLException {
        Instant now = Instant.now();
        List<ParkedRows.Head> heads = parked.load(plain);
        Set<AggregateKey> current = keys(heads);
        for (AggregateKey key : known) {
            if (!current.contains(key)) {
                LOG.info("Aggregate {} has no parked events left; its events go out from the stream again", key);
            }
        }
        known = current;
        schedule(heads, now);
        if (heads.stream().noneMatch(head -> !head.due().isAfter(now))) {
            return;
        }
        List<RowRead> rows = new ArrayList<>();
        boolean invalid = false;
        for (RowRead row : parked.due(plain, now, config.batchSize())) {
            if (row.event() != null) {
                rows.add(row);
            } else {
                // written around the append port: kept, visible, and it holds up nothing
                LOG.warn("Parked outbox row {} is not a valid event; dead-lettered: {}", row.id(), row.invalidReason());
                parked.deadLetterInvalid(plain, row.id(), row.invalidReason());
                invalid = true;
            }
        }
        if (rows.isEmpty()) {
            if (invalid) {
                nextScanNanos = System.nanoTime();
            }
            return;
        }
        sending = rows;
        List<OutboxEvent> events = rows.stream().map(RowRead::event).toList();
        deadlineNanos = System.nanoTime() + config.publishTimeout().toNanos();
        try {
            outcomes = settings.publisher().publish(events).toCompletableFuture();
        } catch (RuntimeException e) {
            outcomes = CompletableFuture.failedFuture(e);
        }
    }

    private void settle() throws SQLException {
        Instant now = Instant.now();
        List<OutboxEvent> events = sending.stream().map(RowRead::event).toList();
        List<ClaimedEvent> sent = sending.stream().map(row -> new ClaimedEvent(row.event(), row.attempts())).toList();
        Decisions decisions = policy.decide(sent, StreamSession.outcomesById(events, outcomes), now);
        outcomes = null;
        sending = List.of();
        List<OutboxEvent> published = new ArrayList<>();
        for (Decision d : decisions.all()) {
            switch (d.verdict()) {
                case PUBLISHED -> published.add(d.event());
                case DEAD_LETTER -> {
                    writer.deadLetter(plain, d.event(), d.attempts(), d.error());
                    LOG.warn("Parked event {} dead-lettered after {} attempt(s): {}", d.event().id(), d.attempts(),
                            String.valueOf(d.error()));
                    settings.listener().onDeadLettered(d.event(), d.attempts(), d.error());
                }
                case RETRY_COUNTED -> {
                    parked.reschedule(plain, d.event().id(), d.attempts(), d.at(), d.error());
                    settings.listener().onRetryScheduled(d.event(), d.attempts(), d.at(), d.error());
                }
                case RETRY_UNCOUNTED -> {
                    // held back behind its aggregate's head, or not taken by the broker: stays parked as it is
                }
            }
        }
        List<UUID> ids = published.stream().map(OutboxEvent::id).toList();
        if (config.mode() == TableMode.KEEP_ROWS) {
            writer.markPublished(plain, ids);
        } else {
            parked.delete(plain, ids);
        }
        if (!published.isEmpty()) {
            settings.listener().onPublished(published);
        }
        if (decisions.outage()) {
            outages++;
            nextScanNanos = System.nanoTime() + config.outageBackoff().delay(outages).toNanos();
        } else {
            outages = 0;
            // at once: the successors of a delivered or dead head are due now, and done aggregates flow again
            nextScanNanos = System.nanoTime();
        }
    }

    /** The next read: when the first head not yet due is, at the latest one heartbeat from now. */
    private void schedule(List<ParkedRows.Head> heads, Instant now) {
        Duration wait = config.heartbeatInterval();
        for (ParkedRows.Head head : heads) {
            Duration until = Duration.between(now, head.due());
            if (!until.isNegative() && until.compareTo(wait) < 0) {
                wait = until;
            }
        }
        if (outcomes == null) {
            nextScanNanos = System.nanoTime() + wait.toNanos();
        }
    }

    private static Set<AggregateKey> keys(List<ParkedRows.Head> heads) {
        Set<AggregateKey> keys = new HashSet<>();
        heads.forEach(head -> keys.add(head.key()));
        return keys;
    }
}
