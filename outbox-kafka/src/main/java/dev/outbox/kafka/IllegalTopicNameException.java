package dev.outbox.kafka;

import org.apache.kafka.common.KafkaException;

/**
 * The topic naming gave an event a name Kafka can never accept (a character outside
 * {@code [A-Za-z0-9._-]}, more than 249 characters): checked before the record is built, and a
 * {@code PERMANENT_FAILURE} of that event, unlike a broker's {@code InvalidTopicException}, which
 * may pass.
 */
final class IllegalTopicNameException extends KafkaException {
    private static final long serialVersionUID = 1L;

    IllegalTopicNameException(String message) {
        super(message);
    }
}
