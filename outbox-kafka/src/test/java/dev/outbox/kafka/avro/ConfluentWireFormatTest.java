package dev.outbox.kafka.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

    @Test
    void frame_startsWithMagicByteThenBigEndianSchemaIdThenBody() {
        byte[] framed = ConfluentWireFormat.frame(0x01020304, new byte[] {9, 8});

        assertThat(framed).containsExactly(0x00, 0x01, 0x02, 0x03, 0x04, 9, 8);
    }

    @Test
    void schemaIdAndBody_readBackWhatFrameWrote() {
        byte[] framed = ConfluentWireFormat.frame(4242, new byte[] {1, 2, 3});

        assertThat(ConfluentWireFormat.isFramed(framed)).isTrue();
        assertThat(ConfluentWireFormat.schemaId(framed)).isEqualTo(4242);
        assertThat(ConfluentWireFormat.body(framed)).containsExactly(1, 2, 3);
    }

    @Test
    void jsonAndShortValues_areNotFramed() {
        assertThat(ConfluentWireFormat.isFramed("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(ConfluentWireFormat.isFramed(new byte[] {0, 0, 0, 1})).isFalse();
        assertThat(ConfluentWireFormat.isFramed(null)).isFalse();
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {'{', '}'}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
