package dev.outbox.kafka.avro;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Encodes outbox payloads as Avro and decodes them back.
 *
 * <p>A text payload (JSON) travels as an Avro {@code string}, schema {@value #STRING_SCHEMA}:
 * what Debezium's outbox router produces through Confluent's Avro converter, binary = the
 * zig-zag varint length and the UTF-8 bytes. Any other payload travels as an Avro
 * {@code bytes}, schema {@value #BYTES_SCHEMA}.
 *
 * <p>Stateless and thread-safe.
 */
public final class AvroPayloadCodec {

    /** Writer schema of text payloads. */
    public static final String STRING_SCHEMA = "{\"type\":\"string\"}";
    /** Writer schema of binary payloads. */
    public static final String BYTES_SCHEMA = "{\"type\":\"bytes\"}";

    private AvroPayloadCodec() {
    }

    /**
     * Encodes text as an Avro {@code string}.
     *
     * @throws NullPointerException if {@code text} is null
     */
    public static byte[] encodeString(String text) {
        Objects.requireNonNull(text, "text");
        // an Avro string is written exactly as an Avro bytes holding its UTF-8 encoding
        return encodeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Encodes bytes as an Avro {@code bytes}.
     *
     * @throws NullPointerException if {@code bytes} is null
     */
    public static byte[] encodeBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 5);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            encoder.writeBytes(bytes);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes an Avro binary body written with {@code writerSchema} into payload bytes: a
     * {@code string} gives its UTF-8 bytes, {@code bytes} gives the bytes, and any other value
     * (a record, say) gives its JSON rendering as UTF-8. A null value gives an empty array.
     *
     * @param writerSchema the schema the value was written with
     * @param avroBinary the Avro binary body (without the wire-format header)
     * @throws org.apache.avro.AvroRuntimeException or {@link UncheckedIOException} if the body
     *     does not match the schema
     */
    public static byte[] decodeToPayload(Schema writerSchema, byte[] avroBinary) {
        Objects.requireNonNull(writerSchema, "writerSchema");
        Objects.requireNonNull(avroBinary, "avroBinary");
        Object value;
        try {
            value = new GenericDatumReader<>(writerSchema)
                    .read(null, DecoderFactory.get().binaryDecoder(avroBinary, null));
        } catch (IOException e) {
            throw new UncheckedIOException("Avro value does not match its schema", e);
        }
        if (value == null) {
            return new byte[0];
        }
        if (value instanceof Utf8 || value instanceof CharSequence) {
            return value.toString().getBytes(StandardCharsets.UTF_8);
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }
}
