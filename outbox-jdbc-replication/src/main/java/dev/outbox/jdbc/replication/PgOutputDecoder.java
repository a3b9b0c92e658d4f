package dev.outbox.jdbc.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the messages of the {@code pgoutput} plugin, protocol version 1, with tuple data in
 * text format. Only what the relay needs is kept: Begin, Commit, Relation and Insert; every other
 * message (Update, Delete, Truncate, Type, Origin, logical Message) decodes to {@link Skipped}.
 * Stateless and thread-safe.
 */
final class PgOutputDecoder {

    /** Microseconds between the Unix epoch and PostgreSQL's epoch, 2000-01-01 UTC. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private PgOutputDecoder() {
    }

    /** One decoded message. */
    sealed interface Message permits Begin, Commit, Relation, Insert, Skipped {
    }

    /** Start of a transaction. */
    record Begin(long finalLsn, Instant commitTime, int xid) implements Message {
    }

    /** End of a transaction; {@code endLsn} is the position to confirm once it is delivered. */
    record Commit(long commitLsn, long endLsn, Instant commitTime) implements Message {
    }

    /** A table's description; precedes the first change of the table in a session. */
    record Relation(int id, String namespace, String name, List<String> columns) implements Message {
    }

    /** A new row: one text value per column of the relation, {@code null} for SQL null. */
    record Insert(int relationId, String[] values) implements Message {
    }

    /** A message the relay does not need, with its type byte. */
    record Skipped(char type) implements Message {
    }

    static Message decode(ByteBuffer buffer) {
        char type = (char) buffer.get();
        return switch (type) {
            case 'B' -> new Begin(buffer.getLong(), timestamp(buffer.getLong()), buffer.getInt());
            case 'C' -> {
                buffer.get(); // flags, unused
                yield new Commit(buffer.getLong(), buffer.getLong(), timestamp(buffer.getLong()));
            }
            case 'R' -> relation(buffer);
            case 'I' -> insert(buffer);
            default -> new Skipped(type);
        };
    }

    static Instant timestamp(long pgMicros) {
        long micros = pgMicros + PG_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static Relation relation(ByteBuffer buffer) {
        int id = buffer.getInt();
        String namespace = string(buffer);
        String name = string(buffer);
        buffer.get(); // replica identity setting
        int count = Short.toUnsignedInt(buffer.getShort());
        List<String> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            buffer.get(); // flags: part of the key
            columns.add(string(buffer));
            buffer.getInt(); // type oid
            buffer.getInt(); // type modifier
        }
        return new Relation(id, namespace, name, List.copyOf(columns));
    }

    private static Insert insert(ByteBuffer buffer) {
        int relationId = buffer.getInt();
        char marker = (char) buffer.get();
        if (marker != 'N') {
            throw new IllegalStateException("pgoutput Insert: expected new tuple marker 'N', got '" + marker + "'");
        }
        int count = Short.toUnsignedInt(buffer.getShort());
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            char kind = (char) buffer.get();
            switch (kind) {
                case 'n', 'u' -> values[i] = null;
                case 't' -> {
                    int length = buffer.getInt();
                    values[i] = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length,
                            StandardCharsets.UTF_8);
                    buffer.position(buffer.position() + length);
                }
                default -> throw new IllegalStateException("pgoutput Insert: unsupported tuple value kind '" + kind
                        + "' (the relay reads text format only)");
            }
        }
        return new Insert(relationId, values);
    }

    private static String string(ByteBuffer buffer) {
        int start = buffer.position();
        int end = start;
        while (buffer.get(end) != 0) {
            end++;
        }
        String value = new String(buffer.array(), buffer.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        buffer.position(end + 1);
        return value;
    }
}
