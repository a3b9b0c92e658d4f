package dev.outbox.order.app;

import dev.outbox.core.spi.AggregateKey;
import dev.outbox.core.spi.DeadLetter;
import dev.outbox.core.spi.OutboxStore;
import java.io.PrintStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToIntFunction;

/**
 * {@code dead-letters list [--limit N]} and {@code dead-letters requeue --id <uuid>... | --all}:
 * shows the events the relay gave up on and puts them back in the queue (attempts reset; the
 * running relay delivers them). Rows that are no valid event (written by another writer) are listed
 * too and may be requeued once fixed in the table; the next claim dead-letters one again, with its
 * reason, if it is still invalid.
 */
final class DeadLettersCommand {
    private static final int ALL_BATCH = 1_000;

    private DeadLettersCommand() {
    }

    static int run(OutboxStore store, List<String> args, PrintStream out) {
        return run(store, ids -> store.requeueDeadLetters(ids, Instant.now()), args, out);
    }

    /**
     * Runs the command with {@code requeue} putting dead letters back (the log-tailing relay needs its
     * own: a status update of the row never reaches the log it reads).
     */
    static int run(OutboxStore store, ToIntFunction<List<UUID>> requeue, List<String> args, PrintStream out) {
        Arguments parsed = Arguments.parse(args, Set.of("id", "limit"), Set.of("all"));
        String action = parsed.positional().isEmpty() ? "list" : parsed.positional().get(0);
        switch (action) {
            case "list" -> {
                List<DeadLetter> letters = store.deadLetters(parsed.intValue("limit", 100, 1, 10_000));
                out.println(letters.size() + " dead letter(s)" + (letters.isEmpty() ? "" : ":"));
                for (DeadLetter letter : letters) {
                    // from the stored columns, not the event: a row another writer put in the table may be no
                    // valid event (a payload over the limit, a blank type) and must still be listed
                    out.println("  " + letter.eventId() + "  " + letter.eventType() + "  "
                            + new AggregateKey(letter.aggregateType(), letter.aggregateId()) + "  attempts=" + letter.attempts()
                            + "  payload=" + letter.payloadSize() + "B  at=" + letter.deadLetteredAt()
                            + (letter.event().isPresent() ? "" : "  (no valid event)") + "  error=" + letter.lastError());
                }
                return 0;
            }
            case "requeue" -> {
                if (parsed.flag("all") == !parsed.values("id").isEmpty()) {
                    throw new Arguments.UsageException("dead-letters requeue needs either --id <uuid> (repeatable) or --all");
                }
                int requeued = 0;
                if (parsed.flag("all")) {
                    // once each: a row that is no valid event is dead again at the running relay's next claim,
                    // and would otherwise be requeued for ever
                    Set<UUID> done = new HashSet<>();
                    List<UUID> batch;
                    while (!(batch = store.deadLetters(ALL_BATCH).stream().map(DeadLetter::eventId)
                            .filter(done::add).toList()).isEmpty()) {
                        requeued += requeue.applyAsInt(batch);
                    }
                } else {
                    List<UUID> ids;
                    try {
                        ids = parsed.values("id").stream().map(UUID::fromString).toList();
                    } catch (IllegalArgumentException e) {
                        throw new Arguments.UsageException("--id must be an event id (UUID)");
                    }
                    requeued = requeue.applyAsInt(ids);
                }
                out.println("Requeued " + requeued + " dead letter(s); the relay delivers them on its next batch.");
                return 0;
            }
            default -> throw new Arguments.UsageException("dead-letters takes list or requeue, got " + action);
        }
    }
}
