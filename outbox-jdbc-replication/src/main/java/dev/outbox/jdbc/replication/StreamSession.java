package dev.outbox.jdbc.replication;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.OutboxException;
import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.ClaimedEvent;
import dev.outbox.core.spi.DeliveryPolicy;
import dev.outbox.core.spi.DeliveryPolicy.Decision;
import dev.outbox.core.spi.DeliveryPolicy.Decisions;
import dev.outbox.core.spi.DeliveryPolicy.Verdict;
import dev.outbox.core.spi.PublishOutcome;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader's streaming session: reads pgoutput from the slot, groups whole transactions into
 * batches, publishes one batch at a time (reading the next one meanwhile), waits for each publish
 * call at most {@code publishTimeout} from the call, decides each event's fate with the core's
 * {@link DeliveryPolicy} (outages and held-back events retried without counting an attempt, own
 * failures counted and parked in the table, see {@link ParkedRows}, together with the later events
 * of their aggregate; dead-lettered after {@code maxAttempts} like permanent ones), retries an
 * outage with backoff without ever skipping ahead, and confirms a transaction's end LSN only after
 * everything up to it is acknowledged, dead-lettered or parked. {@link ParkedDelivery} sends the
 * parked rows beside the stream; the two never hold events of the same aggregate at once. Runs
 * on one thread; ends when {@code running} turns false (after settling the batch in flight) or by
 * throwing.
 */
final class StreamSession {
    private static final Logger LOG = LoggerFactory.getLogger(StreamSession.class);
    private static final String OBJECT_IN_USE = "55006";
    private static final long OUTAGE_REPORT_EVERY_NANOS = 60_000_000_000L;

    private final RelaySettings settings;
    private final LogTailingRelayConfig config;
    private final Connection plain;
    private final BooleanSupplier running;
    private final RelayState state;
    private final LeaderStoreWriter writer;
    private final PublishedMarks marks;
    private final TransactionAssembler assembler;
    private final DeliveryPolicy policy;
    private final ParkedRows parked;
    private final ParkedDelivery parkedDelivery;
    private final ArrayDeque<CommittedTransaction> pending = new ArrayDeque<>();
    private int pendingEvents;
    private long pendingSinceNanos;
    private PublishingBatch inFlight;
    private PGReplicationStream stream;
    private long confirmedLsn;
    private long lastStatusNanos = System.nanoTime();
    private long lastLockCheckNanos = System.nanoTime();
    private long lastOutageReportNanos;

    StreamSession(RelaySettings settings, Connection plain, BooleanSupplier running, RelayState state) {
        this.settings = settings;
        this.config = settings.config();
        this.plain = plain;
        this.running = running;
        this.state = state;
        this.writer = new LeaderStoreWriter(config.table());
        this.marks = new PublishedMarks(writer, PublishedMarks.VISIBILITY_TIMEOUT);
        this.assembler = new TransactionAssembler(config.table(), this::onInvalidRow);
        this.policy = new DeliveryPolicy(config.maxAttempts(), config.backoff()::delay);
        this.parked = new ParkedRows(config.table());
        this.parkedDelivery = new ParkedDelivery(settings, plain, parked, policy, writer);
    }

    /** Streams until stopped; throws on any failure, leaving the slot at the last confirmed LSN. */
    void run() throws Exception {
        try (Connection replication = openStream()) {
            if (replication == null) {
                return;
            }
            try {
                // Before any stream event is published: their aggregates' new events must wait behind parked rows.
                parkedDelivery.start();
                loop();
                settleOnStop();
            } finally {
                closeStream();
            }
        }
    }

    private Connection openStream() throws SQLException, InterruptedException {
        int busy = 0;
        while (running.getAsBoolean()) {
            Connection replication = settings.connections().replication();
            try {
                stream = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                        .withSlotName(config.slotName())
                        .withSlotOption("proto_version", 1)
                        .withSlotOption("publication_names", config.publicationName())
                        .withStatusInterval((int) config.statusInterval().toMillis(), TimeUnit.MILLISECONDS)
                        // On by default: pgjdbc then moves the flushed LSN up to a keepalive's position by itself
                        // whenever the last message received starts at or below the last confirmed LSN (the
                        // rows of a transaction that began before it), confirming batches still in flight.
                        .withAutomaticFlush(false)
                        .start();
                LOG.info("Streaming slot {} (publication {}) for table {}", config.slotName(),
                        config.publicationName(), config.table());
                return replication;
            } catch (SQLException e) {
                replication.close();
                if (!OBJECT_IN_USE.equals(e.getSQLState())) {
                    throw e;
                }
                // The previous leader's walsender has not exited yet; the slot frees up shortly.
                if (busy++ % 20 == 0) {
                    LOG.info("Replication slot {} is still active ({}); retrying", config.slotName(), e.getMessage());
                }
                state.sleep(Duration.ofMillis(500));
            }
        }
        return null;
    }

    private void loop() throws Exception {
        while (running.getAsBoolean()) {
            checkLock();
            boolean progressed = advanceInFlight();
            progressed |= parkedDelivery.advance();
            if (inFlight == null && pendingEvents > 0 && (pendingEvents >= config.batchSize()
                    || System.nanoTime() - pendingSinceNanos >= config.maxBatchDelay().toNanos())) {
                publish(new PublishingBatch(drainPending()));
                updateOldest();
                progressed = true;
            }
            if (pendingEvents < config.batchSize()) {
                ByteBuffer message = stream.readPending();
                if (message != null) {
                    handle(PgOutputDecoder.decode(message));
                    continue;
                }
            }
            if (!progressed) {
                idle();
            }
        }
    }

    private boolean advanceInFlight() throws SQLException {
        if (inFlight == null) {
            return false;
        }
        if (inFlight.awaitingOutcomes()) {
            if (!inFlight.outcomes.isDone()) {
                if (System.nanoTime() - inFlight.publishDeadlineNanos < 0) {
                    return false;
                }
                // the publisher overran publishTimeout: the batch is UNAVAILABLE and sent again, uncounted
                inFlight.outcomes = CompletableFuture.failedFuture(new OutboxException("the publisher did not "
                        + "complete within publishTimeout " + config.publishTimeout() + " of the publish call"));
            }
            settle(inFlight);
            return true;
        }
        if (System.nanoTime() - inFlight.retryAtNanos >= 0) {
            publish(inFlight);
            return true;
        }
        return false;
    }

    private void handle(PgOutputDecoder.Message message) throws SQLException {
        CommittedTransaction transaction = assembler.accept(message);
        if (transaction == null) {
            return;
        }
        if (pending.isEmpty()) {
            pendingSinceNanos = System.nanoTime();
        }
        pending.add(transaction);
        pendingEvents += transaction.events.size();
        updateOldest();
    }

    private void onInvalidRow(RelationColumns mapper, String[] values, RuntimeException error) throws SQLException {
        // A row no OutboxEvent can hold (written around the append port): keep it, visible, and go on.
        LOG.warn("Outbox row {} is not a valid event; dead-lettered: {}", values[0], error.getMessage());
        writer.deadLetter(plain, mapper.raw(values), 0, error);
        settings.listener().onError(error);
    }

    private List<CommittedTransaction> drainPending() {
        List<CommittedTransaction> batch = new ArrayList<>(pending);
        pending.clear();
        pendingEvents = 0;
        return batch;
    }

    /**
     * Sends what is left of the batch, after parking the events of aggregates that have parked rows
     * (behind them, attempts unchanged); a batch left with nothing to send is done at once.
     */
    private void publish(PublishingBatch batch) throws SQLException {
        inFlight = batch;
        if (parked.aggregateCount() > 0) {
            List<OutboxEvent> send = new ArrayList<>(batch.remaining.size());
            List<OutboxEvent> held = new ArrayList<>();
            for (OutboxEvent event : batch.remaining) {
                (parked.holds(event) ? held : send).add(event);
            }
            if (!held.isEmpty()) {
                parkBehind(held, batch::attemptsOf);
            }
            batch.remaining = send;
            if (send.isEmpty()) {
                complete(batch);
                return;
            }
        }
        // timed from the call: a publish() that blocks uses up the time too
        batch.publishDeadlineNanos = System.nanoTime() + config.publishTimeout().toNanos();
        CompletableFuture<List<PublishOutcome>> outcomes;
        try {
            outcomes = settings.publisher().publish(List.copyOf(batch.remaining)).toCompletableFuture();
        } catch (RuntimeException e) {
            outcomes = CompletableFuture.failedFuture(e);
        }
        batch.outcomes = outcomes;
    }

    /**
     * Applies the {@link DeliveryPolicy} to a completed publish call: dead-letters, marks
     * published, and either confirms the batch or keeps what is to be sent again (counted and
     * uncounted retries alike, in order) for another round after a backoff.
     */
    private void settle(PublishingBatch batch) throws SQLException {
        Instant now = Instant.now();
        List<ClaimedEvent> sent = batch.remaining.stream()
                .map(event -> new ClaimedEvent(event, batch.attemptsOf(event))).toList();
        Decisions decisions = policy.decide(sent, outcomesById(batch.remaining, batch.outcomes), now);
        batch.outcomes = null;
        for (Decision dead : decisions.of(Verdict.DEAD_LETTER)) {
            deadLetter(dead.event(), dead.attempts(), dead.error());
        }
        List<OutboxEvent> published = decisions.of(Verdict.PUBLISHED).stream().map(Decision::event).toList();
        if (config.mode() == TableMode.KEEP_ROWS) {
            // Complete, and committed before the confirm below: a crash in between only sends them again.
            marks.mark(plain, published, batch.xids, this::pauseWhileMarking);
        }
        if (!published.isEmpty()) {
            settings.listener().onPublished(published);
        }
        List<Decision> retry = decisions.outage() ? retryAll(decisions) : parkOwnFailures(decisions);
        if (retry.isEmpty()) {
            reportRecovered(batch);
            complete(batch);
            return;
        }
        batch.rounds++;
        batch.remaining = retry.stream().map(Decision::event).toList();
        Duration delay = retryDelay(batch, decisions, retry);
        batch.retryAtNanos = System.nanoTime() + delay.toNanos();
        Instant next = now.plus(delay);
        for (Decision d : retry) {
            if (d.verdict() == Verdict.RETRY_COUNTED) {
                batch.attempts.put(d.event().id(), d.attempts());
            }
            settings.listener().onRetryScheduled(d.event(), d.attempts(), next, d.error());
        }
        report(batch, decisions.outage(), retry, delay);
    }

    /** The batch is acknowledged, dead-lettered or parked up to its end: confirm past it. */
    private void complete(PublishingBatch batch) throws SQLException {
        inFlight = null;
        confirm(batch.endLsn);
        settings.listener().onBatch(batch.size, Duration.ofNanos(System.nanoTime() - batch.startedNanos));
        updateOldest();
    }

    /** An outage round (the broker took nothing): everything not done is sent again in the stream, nothing parked. */
    private static List<Decision> retryAll(Decisions decisions) {
        return decisions.all().stream().filter(d -> d.verdict() == Verdict.RETRY_COUNTED
                || d.verdict() == Verdict.RETRY_UNCOUNTED).toList();
    }

    /**
     * Parks each event that failed on its own (attempt counted, due after its backoff), and the later
     * events of its aggregate held back behind it; returns the uncounted rest, sent again in the stream.
     */
    private List<Decision> parkOwnFailures(Decisions decisions) throws SQLException {
        List<Decision> retry = new ArrayList<>();
        List<OutboxEvent> held = new ArrayList<>();
        Map<OutboxEvent, Integer> heldAttempts = new HashMap<>();
        for (Decision d : decisions.all()) {
            if (d.verdict() == Verdict.RETRY_COUNTED) {
                if (parked.park(plain, d.event(), d.attempts(), d.at(), d.error())) {
                    LOG.warn("Event {} of aggregate {} failed on its own (attempt {} of {}): parked in the outbox table, "
                            + "due again at {}; the aggregate's later events wait behind it, the others go on: {}",
                            d.event().id(), AggregateKey.of(d.event()), d.attempts(), config.maxAttempts(), d.at(),
                            String.valueOf(d.error()));
                }
                parkedDelivery.dueAt(d.at());
                settings.listener().onRetryScheduled(d.event(), d.attempts(), d.at(), d.error());
                settings.listener().onParked(d.event(), d.attempts(), d.at(), d.error());
            } else if (d.verdict() == Verdict.RETRY_UNCOUNTED) {
                if (parked.holds(d.event())) {
                    held.add(d.event());
                    heldAttempts.put(d.event(), d.attempts());
                } else {
                    retry.add(d);
                }
            }
        }
        if (!held.isEmpty()) {
            parkBehind(held, heldAttempts::get);
        }
        return retry;
    }

    /** Parks stream events behind their aggregates' parked rows, in one round trip: attempts unchanged, in line as soon as those are done. */
    private void parkBehind(List<OutboxEvent> events, ToIntFunction<OutboxEvent> attempts) throws SQLException {
        Instant now = Instant.now();
        OutboxException reason = new OutboxException("held back: its aggregate has parked events before it, delivered first");
        parked.parkBehind(plain, events, attempts, now, reason);
        for (OutboxEvent event : events) {
            settings.listener().onParked(event, attempts.applyAsInt(event), now, reason);
        }
    }

    /** After an outage round: the outage backoff; after own failures: the longest of their backoffs. */
    private Duration retryDelay(PublishingBatch batch, Decisions decisions, List<Decision> retry) {
        if (decisions.outage()) {
            batch.outages++;
            return config.outageBackoff().delay(batch.outages);
        }
        batch.outages = 0;
        int counted = retry.stream().filter(d -> d.verdict() == Verdict.RETRY_COUNTED)
                .mapToInt(Decision::attempts).max().orElse(0);
        return counted > 0 ? config.backoff().delay(counted) : config.outageBackoff().delay(1);
    }

    /** Logs a retry round; an outage once when it starts, then at most once a minute. */
    private void report(PublishingBatch batch, boolean outage, List<Decision> retry, Duration delay) {
        long now = System.nanoTime();
        if (outage && batch.outages > 1 && now - lastOutageReportNanos < OUTAGE_REPORT_EVERY_NANOS) {
            return;
        }
        if (outage) {
            lastOutageReportNanos = now;
            LOG.warn("Broker unavailable ({} publish rounds in a row): {} events kept, nothing dead-lettered for it, "
                    + "retrying in {} ms without advancing the slot: {}", batch.outages, retry.size(), delay.toMillis(),
                    String.valueOf(retry.get(0).error()));
        } else {
            LOG.warn("Publishing {} events failed (round {}), retrying in {} ms without advancing the slot: {}",
                    retry.size(), batch.rounds, delay.toMillis(), String.valueOf(retry.get(0).error()));
        }
    }

    private void reportRecovered(PublishingBatch batch) {
        if (batch.outages > 0) {
            LOG.info("Broker reachable again after {} unavailable publish rounds", batch.outages);
        }
    }

    /** The outcomes by event id; a call that failed or miscounted makes every event UNAVAILABLE. */
    static Map<UUID, PublishOutcome> outcomesById(List<OutboxEvent> events,
            CompletableFuture<List<PublishOutcome>> call) {
        List<PublishOutcome> outcomes;
        try {
            outcomes = call.join();
            if (outcomes == null || outcomes.size() != events.size()) {
                outcomes = DeliveryPolicy.unavailable(events, new IllegalStateException("publisher returned "
                        + (outcomes == null ? "no" : outcomes.size()) + " outcomes for " + events.size() + " events"));
            }
        } catch (CompletionException | CancellationException e) {
            outcomes = DeliveryPolicy.unavailable(events, e.getCause() != null ? e.getCause() : e);
        }
        Map<UUID, PublishOutcome> byId = new HashMap<>();
        outcomes.forEach(o -> byId.putIfAbsent(o.eventId(), o));
        return byId;
    }

    private void deadLetter(OutboxEvent event, int attempts, Throwable error) throws SQLException {
        writer.deadLetter(plain, event, attempts, error);
        LOG.warn("Event {} dead-lettered after {} attempt(s): {}", event.id(), attempts, String.valueOf(error));
        settings.listener().onDeadLettered(event, attempts, error);
    }

    /** Between attempts to mark rows whose commit is not visible yet: keeps the walsender from timing out. */
    private void pauseWhileMarking(long nanos) throws SQLException {
        if (!running.getAsBoolean()) {
            throw new SQLException("stopped while delivered events waited for their commits to become visible; "
                    + "they are sent again on the next start");
        }
        long now = System.nanoTime();
        if (now - lastStatusNanos >= config.statusInterval().toNanos()) {
            stream.forceUpdateStatus();
            lastStatusNanos = now;
        }
        LockSupport.parkNanos(nanos);
    }

    /**
     * The only place the slot moves (pgjdbc's automatic flush is off): to {@code lsn}, once everything
     * up to it is acknowledged and, in {@link TableMode#KEEP_ROWS}, marked.
     */
    private void confirm(long lsn) throws SQLException {
        if (lsn <= confirmedLsn) {
            return;
        }
        LogSequenceNumber position = LogSequenceNumber.valueOf(lsn);
        stream.setAppliedLSN(position);
        stream.setFlushedLSN(position);
        stream.forceUpdateStatus();
        lastStatusNanos = System.nanoTime();
        confirmedLsn = lsn;
        settings.listener().onConfirmed(position.asString());
    }

    private void idle() throws SQLException, InterruptedException {
        long now = System.nanoTime();
        if (inFlight == null && pending.isEmpty() && !assembler.inTransaction()) {
            // Nothing unacknowledged: the last keepalive position is safe to confirm, so idle slots do not pin WAL.
            // The server sends a keepalive after the output of every transaction committed before its position;
            // a transaction still open there (begun earlier, committing later) is not skipped by the slot.
            long received = stream.getLastReceiveLSN().asLong();
            if (received > confirmedLsn && now - lastStatusNanos >= config.statusInterval().toNanos() / 2) {
                confirm(received);
            }
        }
        if (now - lastStatusNanos >= config.statusInterval().toNanos()) {
            stream.forceUpdateStatus();
            lastStatusNanos = now;
        }
        if (inFlight != null && inFlight.awaitingOutcomes()) {
            // Wake the moment the broker answers, without spinning through a long outage.
            try {
                inFlight.outcomes.get(1, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException | CancellationException e) {
                // settled by the loop
            }
        } else if (!pending.isEmpty() && pendingEvents < config.batchSize()) {
            // A batch is filling: look for more of the stream soon, the batch delay is only a few milliseconds.
            LockSupport.parkNanos(50_000);
        } else {
            Thread.sleep(1);
        }
    }

    private void checkLock() throws SQLException {
        long now = System.nanoTime();
        if (now - lastLockCheckNanos >= config.heartbeatInterval().toNanos()) {
            lastLockCheckNanos = now;
            if (!plain.isValid(5)) {
                throw new SQLException("the leader lock connection was lost");
            }
        }
    }

    private void updateOldest() {
        Instant oldest = inFlight != null ? inFlight.oldestCommit
                : !pending.isEmpty() ? pending.peekFirst().commitTime
                : null;
        state.oldestUnacknowledged(oldest);
    }

    /** On stop: wait (bounded) for the batch in flight so what the broker acknowledged gets confirmed. */
    private void settleOnStop() throws SQLException {
        parkedDelivery.settleIfDone();
        if (inFlight != null && inFlight.awaitingOutcomes()) {
            try {
                inFlight.outcomes.get(config.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.info("Stopping with a batch still unacknowledged; it is sent again on the next start");
                return;
            }
            settle(inFlight);
        }
    }

    private void closeStream() {
        state.oldestUnacknowledged(null);
        try {
            if (stream != null && !stream.isClosed()) {
                stream.close();
            }
        } catch (SQLException e) {
            LOG.debug("Closing the replication stream failed", e);
        }
    }
}
