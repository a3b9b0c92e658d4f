package dev.outbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The headers column codec: round trips, and malformed text refused with IllegalArgumentException only. */
class HeadersJsonTest {
    private static final String VALID = "{\"traceparent\": \"00-ab\\\"c\\\\d\\n\\u00e9-01\", \"k\": \"v\"}";

    @Test
    void writtenHeaders_readBackEqual_inOrder() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("b", "quote \" backslash \\ newline \n tab \t nul \u0000 é");
        headers.put("a", "");
        assertThat(HeadersJson.read(HeadersJson.write(headers))).containsExactlyEntriesOf(headers);
        assertThat(HeadersJson.write(Map.of())).isEqualTo("{}");
    }

    @Test
    void validDocument_inPostgresFormat_isRead() {
        assertThat(HeadersJson.read(VALID)).containsExactly(
                Map.entry("traceparent", "00-ab\"c\\d\né-01"), Map.entry("k", "v"));
        assertThat(HeadersJson.read(null)).isEmpty();
    }

    @Test
    void truncatedAtEveryPosition_isRefusedWithIllegalArgument() {
        for (int end = 0; end < VALID.length(); end++) {
            String truncated = VALID.substring(0, end);
            if (truncated.isEmpty()) {
                continue;
            }
            assertThatThrownBy(() -> HeadersJson.read(truncated))
                    .as("headers JSON cut after %d characters: %s", end, truncated)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("malformed headers JSON");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\": \"\\x\"}",          // unknown escape
        "{\"a\": \"\\u12\"}",        // short unicode escape
        "{\"a\": \"\\u12zz\"}",      // non-hex unicode escape
        "{\"a\": \"\\u+123\"}",      // sign inside a unicode escape
        "{\"a\": 1}",                // number value
        "{\"a\": true}",             // boolean value
        "{\"a\": null}",             // null value
        "{\"a\": {\"b\": \"c\"}}",   // nested object
        "{\"a\": [\"b\"]}",          // array value
        "{a: \"b\"}",                // unquoted name
        "[\"a\"]",                   // array document
        "\"a\"",                     // string document
        "{\"a\": \"b\"} x",          // trailing text
        "{\"a\": \"b\",}",           // trailing comma
        "{\"a\" \"b\"}",             // missing colon
        ""                           // empty text
    })
    void malformedDocument_isRefusedWithIllegalArgument(String json) {
        assertThatThrownBy(() -> HeadersJson.read(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed headers JSON");
    }
}
