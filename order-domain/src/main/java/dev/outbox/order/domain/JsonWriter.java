package dev.outbox.order.domain;

/**
 * A minimal JSON text builder for event payloads: objects, arrays, strings and integers.
 *
 * <p>Why it exists: the event payload is the domain's published contract, so the domain
 * writes it itself and stays free of a JSON library (it depends on outbox-core only). Strings
 * are escaped per RFC 8259: quote, backslash and every control character below U+0020.
 * Commas are placed automatically. Not thread-safe; one instance per payload.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder(256);
    private boolean needsComma;

    JsonWriter beginObject() {
        separate();
        out.append('{');
        needsComma = false;
        return this;
    }

    JsonWriter endObject() {
        out.append('}');
        needsComma = true;
        return this;
    }

    JsonWriter beginArray(String name) {
        name(name);
        out.append('[');
        needsComma = false;
        return this;
    }

    JsonWriter endArray() {
        out.append(']');
        needsComma = true;
        return this;
    }

    JsonWriter field(String name, String value) {
        name(name);
        string(value);
        needsComma = true;
        return this;
    }

    JsonWriter field(String name, long value) {
        name(name);
        out.append(value);
        needsComma = true;
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void name(String name) {
        separate();
        string(name);
        out.append(':');
        needsComma = false;
    }

    private void separate() {
        if (needsComma) {
            out.append(',');
        }
    }

    private void string(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
