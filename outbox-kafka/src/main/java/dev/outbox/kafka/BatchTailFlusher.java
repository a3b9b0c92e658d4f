package dev.outbox.kafka;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@code producer.flush()} on a background daemon thread after a batch was handed to the
 * producer, so that its last records leave at once instead of after {@code linger.ms}. Requests
 * made while a flush is queued are merged into it; the caller never blocks. Thread-safe.
 */
final class BatchTailFlusher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchTailFlusher.class);

    private final Producer<byte[], byte[]> producer;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "outbox-kafka-batch-flusher");
        thread.setDaemon(true);
        return thread;
    });

    BatchTailFlusher(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    void requestFlush() {
        if (!queued.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::flush);
        } catch (RejectedExecutionException e) {
            queued.set(false);
        }
    }

    private void flush() {
        queued.set(false);
        try {
            producer.flush();
        } catch (RuntimeException e) {
            // outcomes come from the send callbacks; a failed flush changes none of them
            LOG.debug("background flush failed", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
