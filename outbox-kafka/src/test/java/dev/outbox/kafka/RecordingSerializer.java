package dev.outbox.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serializer that records what the publisher hands it; refuses byte[] values like a String-only serializer. */
public final class RecordingSerializer implements Serializer<Object> {

    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    /** Public no-argument constructor, as the publisher instantiates serializers by class name. */
    public RecordingSerializer() {
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        CALLS.add("configure isKey=" + isKey + " custom=" + configs.get("custom.setting"));
    }

    @Override
    public byte[] serialize(String topic, Object data) {
        throw new UnsupportedOperationException("the publisher calls the variant with headers");
    }

    @Override
    public byte[] serialize(String topic, Headers headers, Object data) {
        CALLS.add("serialize " + topic + " " + data.getClass().getSimpleName() + " id-header="
                + (headers.lastHeader("id") != null));
        return ("S:" + (String) data).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        CALLS.add("close");
    }
}
