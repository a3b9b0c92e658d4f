package dev.outbox.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class OutboxEventTest {

    private static OutboxEvent.Builder valid() {
        return OutboxEvent.builder().aggregateType("Order").aggregateId("42").eventType("OrderCreated")
                .payload("{\"n\": 1}");
    }

    @Test
    void aValidEventGetsAnIdAndATimeTruncatedToMicroseconds() {
        OutboxEvent event = valid().occurredAt(Instant.parse("2026-01-01T00:00:00.123456789Z")).build();

        assertThat(event.id().version()).isEqualTo(7);
        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123456Z"));
        assertThat(event.contentType()).isEqualTo(OutboxEvent.JSON);
        assertThat(event.payloadAsString()).isEqualTo("{\"n\": 1}");
    }

    @Test
    void eachInvalidFieldIsNamedInTheMessage() {
        assertInvalid(b -> b.aggregateType(" "), "aggregateType must not be blank");
        assertInvalid(b -> b.aggregateType("Order/x"), "aggregateType must contain only");
        assertInvalid(b -> b.aggregateType("a".repeat(201)), "aggregateType must be at most 200");
        assertInvalid(b -> b.aggregateId(""), "aggregateId must not be blank");
        assertInvalid(b -> b.aggregateId("a".repeat(256)), "aggregateId must be at most 255");
        assertInvalid(b -> b.eventType(" "), "eventType must not be blank");
        assertInvalid(b -> b.payload(new byte[OutboxEvent.MAX_PAYLOAD_BYTES + 1]), "payload must be at most");
        assertInvalid(b -> b.contentType(""), "contentType must not be blank");
        assertInvalid(b -> b.header("id", "x"), "header name 'id' is reserved");
        assertInvalid(b -> b.header(" ", "x"), "header name must not be blank");
    }

    @Test
    void eachMissingFieldIsNamedInTheMessage() {
        assertMissing(b -> b.aggregateType(null), "aggregateType must not be null");
        assertMissing(b -> b.aggregateId(null), "aggregateId must not be null");
        assertMissing(b -> b.eventType(null), "eventType must not be null");
        assertMissing(b -> b.payload((String) null), "payload must not be null");
        assertMissing(b -> b.header("trace", null), "header 'trace' must not have a null value");
    }

    @Test
    void thePayloadCannotBeChangedFromOutside() {
        byte[] bytes = "{\"n\": 1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        OutboxEvent event = valid().payload(bytes).headers(Map.of("a", "b")).build();

        bytes[0] = 'X';
        event.payload()[0] = 'Y';

        assertThat(event.payloadAsString()).isEqualTo("{\"n\": 1}");
        assertThat(event.toString()).doesNotContain("\"n\"");
    }

    @Test
    void theAggregateSequenceIsReadFromItsHeader_andEqualityIgnoresIt() {
        OutboxEvent event = valid().header("traceparent", "t").build();
        OutboxEvent stored = event.withSequence(42);

        assertThat(event.sequence()).isEmpty();
        assertThat(stored.sequence()).hasValue(42);
        assertThat(stored.headers()).containsEntry(OutboxEvent.SEQUENCE_HEADER, "42").containsEntry("traceparent", "t");
        assertThat(stored).isEqualTo(event).hasSameHashCodeAs(event);
        assertThat(stored.withSequence(43)).isEqualTo(stored);
        assertThat(stored).isNotEqualTo(valid().id(event.id()).header("traceparent", "other").build().withSequence(42));
        assertThat(stored.toBuilder().build().sequence()).as("a derived copy is not stored").isEmpty();
    }

    @Test
    void anInvalidSequenceIsRefused_andAppendPortsRefuseAnySequence() {
        assertInvalid(b -> b.header(OutboxEvent.SEQUENCE_HEADER, "-1"), "'aggregate-sequence' must be a decimal number");
        assertInvalid(b -> b.header(OutboxEvent.SEQUENCE_HEADER, "+1"), "'aggregate-sequence' must be a decimal number");
        assertInvalid(b -> b.header(OutboxEvent.SEQUENCE_HEADER, "9223372036854775808"), "must be a decimal number");
        assertThatThrownBy(() -> valid().build().withSequence(-1)).isInstanceOf(IllegalArgumentException.class);
        OutboxEvent sequenced = valid().header(OutboxEvent.SEQUENCE_HEADER, "7").build();
        assertThat(sequenced.sequence()).hasValue(7);
        assertThatThrownBy(sequenced::requireNoSequence).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header 'aggregate-sequence' of event " + sequenced.id() + " is reserved");
        OutboxEvent plain = valid().build();
        assertThat(plain.requireNoSequence()).isSameAs(plain);
    }

    private static void assertInvalid(UnaryOperator<OutboxEvent.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(valid()).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    private static void assertMissing(UnaryOperator<OutboxEvent.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(valid()).build()).isInstanceOf(NullPointerException.class)
                .hasMessageContaining(message);
    }
}
