package dev.outbox.order.app;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.jdbc.PostgresOutboxStore;
import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code replay --aggregate-type T [--since ISO-8601]}: publishes again, in their original
 * order, the already published events of one aggregate type that the outbox table still keeps.
 *
 * <p>Only retained rows can be replayed: published events stay in the table for
 * {@code OUTBOX_RETENTION} (default 24h) and are purged after; with {@code OUTBOX_RETENTION=0}
 * they are deleted on publication and nothing is left to replay. Replayed records carry their
 * original event ids and aggregate sequences, so consumers that deduplicate by id skip them; the
 * rows themselves are not changed. The store reads them ({@link PostgresOutboxStore#retained}).
 */
final class ReplayCommand {
    private static final int BATCH = 500;

    private ReplayCommand() {
    }

    static int run(PostgresOutboxStore store, OutboxEventPublisher publisher, List<String> args, PrintStream out)
            throws InterruptedException {
        Arguments parsed = Arguments.parse(args, Set.of("aggregate-type", "since"), Set.of());
        String aggregateType = parsed.value("aggregate-type")
                .orElseThrow(() -> new Arguments.UsageException("replay needs --aggregate-type, e.g. --aggregate-type Order"));
        Instant since;
        try {
            since = parsed.value("since").map(Instant::parse).orElse(Instant.EPOCH);
        } catch (DateTimeParseException e) {
            throw new Arguments.UsageException("--since must be an ISO-8601 instant such as 2026-01-31T00:00:00Z");
        }
        long total = store.countRetained(aggregateType, since);
        out.println("Replaying " + total + " retained event(s) of " + aggregateType + " since " + since);
        long after = 0;
        long done = 0;
        while (true) {
            List<OutboxEvent> events = store.retained(aggregateType, since, after, BATCH);
            if (events.isEmpty()) {
                break;
            }
            List<PublishOutcome> outcomes;
            try {
                outcomes = publisher.publish(events).toCompletableFuture().get(2, TimeUnit.MINUTES);
            } catch (ExecutionException | TimeoutException e) {
                out.println("Replay stopped after " + done + " event(s): " + e);
                return 1;
            }
            for (PublishOutcome outcome : outcomes) {
                if (outcome.status() != PublishOutcome.Status.PUBLISHED) {
                    out.println("Replay stopped after " + done + " event(s): " + outcome.eventId() + " failed: "
                            + outcome.error());
                    return 1;
                }
                done++;
            }
            after = events.get(events.size() - 1).sequence().orElseThrow();
            out.println("  replayed " + done + "/" + total);
        }
        out.println("Replay done: " + done + " event(s) republished.");
        return 0;
    }
}
