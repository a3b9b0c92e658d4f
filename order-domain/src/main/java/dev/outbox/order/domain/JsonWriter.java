package dev.outbox.order.domain;

import dev.outbox.core.JsonStrings;

/**
 * A minimal JSON text builder for event payloads: objects, arrays, strings and integers.
 *
 * <p>Why it exists: the event payload is the domain's published contract, so the domain
 * writes it itself and stays free of a JSON library (it depends on outbox-core only). Strings
 * are escaped by outbox-core's {@link JsonStrings} (RFC 8259). Commas are placed automatically. Not thread-safe; one instance per payload.
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
        JsonStrings.quote(out, value);
    }
}
