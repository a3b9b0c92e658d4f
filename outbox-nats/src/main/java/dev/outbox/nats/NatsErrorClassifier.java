package dev.outbox.nats;

import dev.outbox.core.spi.PublishOutcome;
import io.nats.client.JetStreamApiException;
import java.io.IOException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * Whose fault a failed JetStream publish is (see {@link PublishOutcome.Status}).
 *
 * <ul>
 *   <li>{@code PERMANENT_FAILURE}: the message can never be stored as is: larger than the
 *       stream's (or server's) limit ({@code 10054}), a header or subject the client refuses;
 *   <li>{@code UNAVAILABLE}: not the event's fault: timeouts, a lost or closed connection, a full
 *       client output buffer, JetStream itself unavailable or out of resources ({@code 10008},
 *       {@code 10023}, {@code 10039}, {@code 10076});
 *   <li>"no responders" (no stream captured the subject, or its stream did not answer) is
 *       settled by {@link NatsPublication} with a stream lookup: no stream at all is
 *       {@code PERMANENT_FAILURE}, anything else {@code UNAVAILABLE};
 *   <li>{@code RETRIABLE_FAILURE}: every other JetStream API error, which concerns the event's
 *       stream (maximum messages or bytes reached under {@code DiscardNew}, wrong expected
 *       stream, ...), and unknown errors.
 * </ul>
 */
final class NatsErrorClassifier {
    /** JetStream error codes of a server-wide condition, not the event's. */
    private static final Set<Integer> SERVER_WIDE = Set.of(10008, 10023, 10039, 10076);
    private static final int MESSAGE_TOO_LARGE = 10054;

    private NatsErrorClassifier() {
    }

    /** Classifies one failed publish of event {@code id}. */
    static PublishOutcome outcome(UUID id, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof JetStreamApiException api) {
                if (api.getApiErrorCode() == MESSAGE_TOO_LARGE) {
                    return PublishOutcome.permanent(id, api);
                }
                return SERVER_WIDE.contains(api.getApiErrorCode()) ? PublishOutcome.unavailable(id, api)
                        : PublishOutcome.retriable(id, api);
            }
            if (t instanceof IllegalArgumentException) {
                return PublishOutcome.permanent(id, t);
            }
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof CancellationException
                    || t instanceof IllegalStateException || t instanceof InterruptedException) {
                return PublishOutcome.unavailable(id, t);
            }
        }
        return PublishOutcome.retriable(id, error);
    }

    /** Returns whether the error is JetStream's "no responders": nothing answered on the subject. */
    static boolean isNoResponders(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof IOException && message != null
                    && (message.contains("503") || message.contains("No Responders"))) {
                return true;
            }
        }
        return false;
    }
}
