package dev.outbox.order.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonWriterTest {
    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        String json = new JsonWriter().beginObject()
                .field("s", "a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj/é😀")
                .endObject().toString();

        assertThat(json).isEqualTo("{\"s\":\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u001fj/é😀\"}");
    }

    @Test
    void separatesFieldsArraysAndNestedObjectsWithCommas() {
        String json = new JsonWriter().beginObject().field("a", 1).beginArray("xs")
                .beginObject().field("b", "x").endObject().beginObject().endObject().endArray()
                .field("c", "y").endObject().toString();

        assertThat(json).isEqualTo("{\"a\":1,\"xs\":[{\"b\":\"x\"},{}],\"c\":\"y\"}");
    }
}
