package dev.outbox.jdbc.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextValuesTest {

    @Test
    void timestamptz_acceptsEveryOffsetFormPostgresPrints() {
        assertThat(TextValues.timestamptz("2026-11-23 16:36:37.123456+00")).isEqualTo(Instant.parse("2026-11-23T16:36:37.123456Z"));
        assertThat(TextValues.timestamptz("2026-11-23 18:36:37+02")).isEqualTo(Instant.parse("2026-11-23T16:36:37Z"));
        assertThat(TextValues.timestamptz("2026-11-23 11:06:37.5-05:30")).isEqualTo(Instant.parse("2026-11-23T16:36:37.5Z"));
        assertThat(TextValues.timestamptz("1900-01-01 00:19:32.1+00:19:32")).isEqualTo(Instant.parse("1900-01-01T00:00:00.1Z"));
    }

    @Test
    void bytea_parsesHexFormat_andRefusesEscapeFormat() {
        assertThat(TextValues.bytea("\\x00ff0a")).containsExactly(0, 0xff, 0x0a);
        assertThat(TextValues.byteaLiteral(new byte[] {0, (byte) 0xff, 10})).isEqualTo("\\x00ff0a");
        assertThatThrownBy(() -> TextValues.bytea("abc")).hasMessageContaining("hex format");
    }

    @Test
    void headers_roundTripThroughJsonbOutput() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("traceparent", "00-abc-01");
        headers.put("quote\"and\\slash", "line\nbreak\u0001");
        String written = TextValues.headersJson(headers);

        assertThat(TextValues.headers(written)).isEqualTo(headers);
        assertThat(TextValues.headers("{\"a\": \"b\", \"c\": \"\\u00e9\"}")).containsEntry("a", "b").containsEntry("c", "\u00e9");
        assertThat(TextValues.headers("{}")).isEmpty();
        assertThatThrownBy(() -> TextValues.headers("{\"a\": 1}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pgoutputTimestamps_countFromTheYear2000() {
        assertThat(PgOutputDecoder.timestamp(0)).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(PgOutputDecoder.timestamp(-1)).isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
    }
}
