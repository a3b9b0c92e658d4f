package dev.outbox.embedded;

import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Kafka's fatal-error handlers from halting the JVM that embeds the broker: their
 * {@code Exit.exit}/{@code Exit.halt} calls become an error log line and an exception thrown in
 * the calling Kafka thread.
 */
final class KafkaExitGuard {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaExitGuard.class);
    private static boolean installed;

    private KafkaExitGuard() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
        Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
        installed = true;
    }

    private static void refuse(String kind, int status, String message) {
        LOG.error("Embedded Kafka asked the JVM to {} with status {} ({}); refused", kind, status, message);
        throw new EmbeddedServerException("embedded Kafka requested JVM " + kind + " with status " + status
                + (message == null ? "" : ": " + message));
    }
}
