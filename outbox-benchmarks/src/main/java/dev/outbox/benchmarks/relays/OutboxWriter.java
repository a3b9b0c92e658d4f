package dev.outbox.benchmarks.relays;

import dev.outbox.core.OutboxEvent;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Jdbi;

/** Commits events through the real append port: a paced steady stream, or a backlog in big transactions. */
final class OutboxWriter {

    private static final int BACKLOG_BATCH = 1_000;

    private final JdbiUnitOfWork unitOfWork;
    private final JdbiOutbox outbox;
    private final BenchmarkEvents events;

    OutboxWriter(Jdbi jdbi, BenchmarkEvents events) {
        this.unitOfWork = JdbiUnitOfWork.create(jdbi);
        this.outbox = JdbiOutbox.create(unitOfWork);
        this.events = events;
    }

    /** Commits {@code count} events in transactions of 1,000 and returns when all are committed. */
    void commitBacklog(String label, String aggregateType, int count) {
        long begin = System.nanoTime();
        long lastReport = begin;
        for (int from = 0; from < count; from += BACKLOG_BATCH) {
            List<OutboxEvent> batch = new ArrayList<>(BACKLOG_BATCH);
            for (int i = from; i < Math.min(count, from + BACKLOG_BATCH); i++) {
                batch.add(events.next(aggregateType, i));
            }
            unitOfWork.useTransaction(() -> outbox.appendAll(batch));
            if (System.nanoTime() - lastReport > 2_000_000_000L) {
                lastReport = System.nanoTime();
                Progress.line(label, "backlog: %,d of %,d committed", from + batch.size(), count);
            }
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        Progress.line(label, "backlog: %,d events committed in %.1f s (%,.0f/s)", count, seconds, count / seconds);
    }

    /**
     * Commits one event per transaction at {@code rate} per second for {@code seconds}, spread
     * over {@code writers} threads, and records each event's commit time ({@link System#nanoTime()}
     * right after the commit returned) under its id.
     *
     * @return the rate the writers reached, in events per second (below {@code rate} when the
     *     database or the machine cannot keep up)
     */
    double commitSteadily(String label, String aggregateType, int rate, int seconds, int writers,
            Map<String, Long> commitNanos) throws Exception {
        int total = rate * seconds;
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int i = writer; i < total; i += writers) {
                        long due = start + i * intervalNanos;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        OutboxEvent event = events.next(aggregateType, i);
                        unitOfWork.useTransaction(() -> outbox.append(event));
                        commitNanos.put(event.id().toString(), System.nanoTime());
                    }
                    return null;
                }));
            }
            Progress.every(label, 2, () -> String.format("steady: %,d of %,d committed", commitNanos.size(), total),
                    () -> done.stream().allMatch(Future::isDone));
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Progress.line(label, "steady: %,d events committed in %.1f s (%,.0f/s, target %,d/s)", total, elapsed,
                total / elapsed, rate);
        return total / elapsed;
    }
}
