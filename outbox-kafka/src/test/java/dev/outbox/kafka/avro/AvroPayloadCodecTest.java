package dev.outbox.kafka.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class AvroPayloadCodecTest {

    @Test
    void encodeString_writesZigZagLengthThenUtf8Bytes() {
        assertThat(AvroPayloadCodec.encodeString("hi")).containsExactly(4, 'h', 'i');
        assertThat(AvroPayloadCodec.encodeString("")).containsExactly(0);
    }

    @Test
    void encodeString_usesMultiByteVarintForLongText() {
        String text = "x".repeat(100);
        byte[] encoded = AvroPayloadCodec.encodeString(text);

        // 100 zig-zags to 200 = 0xC8 0x01 as a varint
        assertThat(encoded).startsWith((byte) 0xC8, (byte) 0x01).hasSize(102);
    }

    @Test
    void jsonText_roundTripsThroughTheStringSchema() {
        String json = "{\"order_id\":\"ä-1\",\"total\":\"19.99\"}";
        Schema schema = new Schema.Parser().parse(AvroPayloadCodec.STRING_SCHEMA);

        byte[] payload = AvroPayloadCodec.decodeToPayload(schema, AvroPayloadCodec.encodeString(json));

        assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo(json);
    }

    @Test
    void bytes_roundTripThroughTheBytesSchema() {
        Schema schema = new Schema.Parser().parse(AvroPayloadCodec.BYTES_SCHEMA);

        byte[] payload = AvroPayloadCodec.decodeToPayload(schema, AvroPayloadCodec.encodeBytes(new byte[] {0, 1, -1}));

        assertThat(payload).containsExactly(0, 1, -1);
    }
}
