package dev.outbox.kafka.avro;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The Confluent wire format of a Kafka record value: byte 0 is the magic byte {@code 0x00},
 * bytes 1 to 4 the schema id as a big-endian signed int, then the Avro binary encoding.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConfluentWireFormat {

    /** The first byte of every framed value. */
    public static final byte MAGIC_BYTE = 0x00;
    /** Length of the frame header: the magic byte plus the four-byte schema id. */
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {
    }

    /**
     * Frames an Avro binary body.
     *
     * @param schemaId the registry's id of the writer schema
     * @param avroBinary the Avro binary encoding of the value
     * @return {@code 0x00}, the id in four big-endian bytes, then the body
     * @throws NullPointerException if {@code avroBinary} is null
     */
    public static byte[] frame(int schemaId, byte[] avroBinary) {
        Objects.requireNonNull(avroBinary, "avroBinary");
        return ByteBuffer.allocate(HEADER_LENGTH + avroBinary.length)
                .put(MAGIC_BYTE).putInt(schemaId).put(avroBinary).array();
    }

    /**
     * Tells whether a value looks framed: at least {@value #HEADER_LENGTH} bytes, the first
     * being {@code 0x00}. A JSON text never starts with {@code 0x00}, so the check tells the two
     * formats apart.
     *
     * @param value a record value, may be null
     */
    public static boolean isFramed(byte[] value) {
        return value != null && value.length >= HEADER_LENGTH && value[0] == MAGIC_BYTE;
    }

    /**
     * Reads the schema id of a framed value.
     *
     * @throws IllegalArgumentException if the value is not framed
     */
    public static int schemaId(byte[] framed) {
        requireFramed(framed);
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    /**
     * Returns the Avro binary body of a framed value (a copy without the header).
     *
     * @throws IllegalArgumentException if the value is not framed
     */
    public static byte[] body(byte[] framed) {
        requireFramed(framed);
        return Arrays.copyOfRange(framed, HEADER_LENGTH, framed.length);
    }

    private static void requireFramed(byte[] value) {
        if (!isFramed(value)) {
            throw new IllegalArgumentException("not in the Confluent wire format: expected at least "
                    + HEADER_LENGTH + " bytes starting with 0x00");
        }
    }
}
