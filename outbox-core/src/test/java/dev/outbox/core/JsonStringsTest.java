package dev.outbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonStringsTest {

    @Test
    void quoteAndBackslashAndControlCharacters_areEscaped() {
        assertThat(JsonStrings.quote("a\"b\\c\nd\re\tf\bg\fh\u0000i\u001fj"))
                .isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0000i\\u001fj\"");
    }

    @Test
    void otherCharacters_areWrittenAsIs() {
        assertThat(JsonStrings.quote("/ é 😀 \u007f")).isEqualTo("\"/ é 😀 \u007f\"");
        assertThat(JsonStrings.quote(new StringBuilder("x:"), "")).hasToString("x:\"\"");
    }
}
