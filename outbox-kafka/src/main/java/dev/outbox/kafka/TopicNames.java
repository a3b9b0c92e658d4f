package dev.outbox.kafka;

import java.util.regex.Pattern;
import org.apache.kafka.common.errors.InvalidTopicException;

/** Kafka's rule for topic names, checked before a record is built so that a bad name fails permanently. */
final class TopicNames {

    static final int MAX_LENGTH = 249;
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]+");

    private TopicNames() {
    }

    /** Tells whether Kafka accepts {@code name} as a topic name. */
    static boolean isValid(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_LENGTH && LEGAL.matcher(name).matches()
                && !name.equals(".") && !name.equals("..");
    }

    /** Throws {@link InvalidTopicException} (a permanent failure) unless {@code name} is a legal topic name. */
    static String requireValid(String name) {
        if (!isValid(name)) {
            throw new InvalidTopicException(describe(name));
        }
        return name;
    }

    static String describe(String name) {
        return "illegal Kafka topic name '" + name + "': use 1 to " + MAX_LENGTH + " characters of [A-Za-z0-9._-]";
    }
}
