package dev.outbox.jdbc;

import dev.outbox.core.spi.OutboxStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LISTEN connection on a daemon thread that runs a callback when the channel is notified.
 * Reconnects after connection loss (for instance a database restart) and runs the callback after
 * every (re)connect, since notifications sent while it was away are lost. Thread-safe.
 */
final class NotificationListener implements OutboxStore.Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int WAIT_MILLIS = 500;
    private static final long PING_EVERY_NANOS = Duration.ofSeconds(5).toNanos();
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final Jdbi jdbi;
    private final String channel;
    private final Runnable callback;
    private final Thread thread;
    private volatile boolean closed;

    NotificationListener(Jdbi jdbi, String channel, Runnable callback) {
        this.jdbi = jdbi;
        this.channel = channel;
        this.callback = callback;
        this.thread = new Thread(this::run, "outbox-listen-" + channel + "-" + COUNTER.incrementAndGet());
        this.thread.setDaemon(true);
    }

    NotificationListener start() {
        thread.start();
        return this;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(WAIT_MILLIS * 4L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long backoff = 100;
        boolean connectedBefore = false;
        while (!closed) {
            try (Handle handle = jdbi.open()) {
                Connection connection = handle.getConnection();
                PGConnection pg = connection.unwrap(PGConnection.class);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + channel);
                }
                if (connectedBefore) {
                    LOG.info("Outbox listener on channel {} reconnected", channel);
                }
                connectedBefore = true;
                backoff = 100;
                notifyCallback();
                listen(connection, pg);
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                LOG.warn("Outbox listener on channel {} lost its connection, retrying in {} ms: {}", channel, backoff,
                        e.toString());
                if (!sleep(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private void listen(Connection connection, PGConnection pg) throws SQLException {
        long lastActivity = System.nanoTime();
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
            if (notifications != null && notifications.length > 0) {
                lastActivity = System.nanoTime();
                notifyCallback();
            } else if (System.nanoTime() - lastActivity > PING_EVERY_NANOS) {
                // A silently dropped connection never delivers again: prove it alive now and then.
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT 1");
                }
                lastActivity = System.nanoTime();
            }
        }
    }

    private void notifyCallback() {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("Outbox notification callback failed", e);
        }
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
