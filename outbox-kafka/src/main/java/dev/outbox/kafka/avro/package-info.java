/**
 * Avro in the Confluent wire format, without Confluent's jars: the five-byte frame
 * ({@link dev.outbox.kafka.avro.ConfluentWireFormat}), the Avro encoding of outbox payloads
 * ({@link dev.outbox.kafka.avro.AvroPayloadCodec}) and a small client for the Confluent schema
 * registry REST API ({@link dev.outbox.kafka.avro.SchemaRegistryClient}), which Confluent Schema
 * Registry and Apicurio Registry's {@code /apis/ccompat/v7} both serve.
 *
 * <p>Everything here is thread-safe.
 */
package dev.outbox.kafka.avro;
