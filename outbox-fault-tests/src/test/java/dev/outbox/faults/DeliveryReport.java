package dev.outbox.faults;

import dev.outbox.kafka.OutboxHeaders;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What one scenario delivered, from the HTTP answers (what was acknowledged), a full read of topic
 * {@link FaultRig#topic()} and the outbox table: events expected, lost, duplicated (records beyond
 * the first per event id), per-aggregate order violations (the order of first occurrences per
 * order id against the acknowledged order), rows left pending, dead (the poison and others), the
 * drain time after the load stopped and the slowest commit-to-Kafka (the row's
 * {@code occurred_at} to the first record's timestamp); and what the retries with
 * {@code Idempotency-Key} did: orders in the table against acknowledged creates, orders no stored
 * create answer names, outbox rows beyond one per order and event type, retries, replays, requests
 * that gave up, the slowest failed answer and 503s without {@code Retry-After}.
 */
record DeliveryReport(String scenario, int expected, int lost, int duplicated, int orderViolations, long pending,
                      long deadPoison, long deadOther, int unexpected, Duration drain, boolean drained,
                      Duration slowestCommitToKafka, Map<String, Integer> failedAnswers, String faults,
                      List<String> examples, Requests requests) {

    /**
     * The request side: {@code orders} rows against {@code createsAcknowledged} (and
     * {@code createsGaveUp}, which may or may not have made one), {@code ordersWithoutKey} (orders no
     * stored {@code POST /orders} answer names: a retry that wrote again), {@code repeatedEvents}
     * (outbox rows beyond the first per order and event type).
     */
    record Requests(long orders, int createsAcknowledged, int createsGaveUp, long ordersWithoutKey,
                    long repeatedEvents, int retries, int replayed, int gaveUp, Duration slowestFailedAnswer,
                    int unavailableWithoutRetryAfter) {
        String line() {
            return String.format("orders=%d/%d acknowledged (gave up %d, without their key %d) repeatedEvents=%d"
                            + " retries=%d (replayed %d, gave up %d) slowestFailedAnswer=%s 503WithoutRetryAfter=%d",
                    orders, createsAcknowledged, createsGaveUp, ordersWithoutKey, repeatedEvents, retries, replayed,
                    gaveUp, seconds(slowestFailedAnswer), unavailableWithoutRetryAfter);
        }
    }

    /** One record of the topic, as the checks need it. */
    private record Delivery(String orderId, String eventId, String eventType, long timestamp) {
    }

    static DeliveryReport collect(FaultRig rig, LoadGenerator load, Set<String> poisonIds, Duration drain,
                                  boolean drained, String faults) {
        List<Delivery> records = readTopic(rig.bootstrapServers(), rig.topic());
        Map<String, Long> occurredAt = new HashMap<>();
        long pending;
        long deadPoison = 0;
        long deadOther = 0;
        try (Connection c = rig.connect()) {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id::text, status, (extract(epoch FROM occurred_at) * 1000)::bigint FROM outbox_event");
                 ResultSet rows = s.executeQuery()) {
                pending = 0;
                while (rows.next()) {
                    String id = rows.getString(1);
                    occurredAt.put(id, rows.getLong(3));
                    switch (rows.getString(2)) {
                        case "pending" -> pending++;
                        case "dead" -> {
                            if (poisonIds.contains(id)) {
                                deadPoison++;
                            } else {
                                deadOther++;
                            }
                        }
                        default -> { }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the outbox table", e);
        }
        long createsAcknowledged = load.expected().stream().filter(e -> e.eventType().equals("OrderCreated")).count();
        Requests requests = new Requests(rig.query("SELECT count(*) FROM orders"), (int) createsAcknowledged,
                load.createsGaveUp(),
                // the first "id" of a stored create answer is the order's, as the load generator reads it
                rig.query("SELECT count(*) FROM orders o LEFT JOIN (SELECT substring(response_body FROM "
                        + "'\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"') AS id FROM idempotency_key WHERE request_path = '/orders' "
                        + "AND status = 201) k ON k.id = o.id::text WHERE k.id IS NULL"),
                rig.query("SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM outbox_event "
                        + "GROUP BY aggregateid, type) per_order_and_type"),
                load.retries(), load.replayed(), load.gaveUp(), load.slowestFailedAnswer(),
                load.unavailableWithoutRetryAfter());

        Map<String, Integer> perEventId = new HashMap<>();
        Map<String, Delivery> firstByOrderAndType = new HashMap<>();
        Map<String, List<String>> firstTypesByOrder = new HashMap<>(); // in topic (partition) order
        for (Delivery d : records) {
            int seen = perEventId.merge(d.eventId(), 1, Integer::sum);
            if (seen == 1 && firstByOrderAndType.putIfAbsent(d.orderId() + "/" + d.eventType(), d) == null) {
                firstTypesByOrder.computeIfAbsent(d.orderId(), k -> new ArrayList<>()).add(d.eventType());
            }
        }
        int duplicated = perEventId.values().stream().mapToInt(n -> n - 1).sum();

        List<LoadGenerator.Expected> expected = load.expected();
        Map<String, List<String>> expectedTypesByOrder = new LinkedHashMap<>();
        Set<String> expectedKeys = new HashSet<>();
        int lost = 0;
        long slowest = 0;
        List<String> examples = new ArrayList<>();
        for (LoadGenerator.Expected e : expected) {
            String key = e.orderId() + "/" + e.eventType();
            expectedKeys.add(key);
            expectedTypesByOrder.computeIfAbsent(e.orderId(), k -> new ArrayList<>()).add(e.eventType());
            Delivery first = firstByOrderAndType.get(key);
            if (first == null) {
                lost++;
                if (examples.size() < 5) {
                    examples.add("lost " + key);
                }
                continue;
            }
            Long occurred = occurredAt.get(first.eventId());
            if (occurred != null) {
                slowest = Math.max(slowest, first.timestamp() - occurred);
            }
        }
        int violations = 0;
        for (Map.Entry<String, List<String>> order : expectedTypesByOrder.entrySet()) {
            List<String> want = order.getValue();
            List<String> got = firstTypesByOrder.getOrDefault(order.getKey(), List.of()).stream()
                    .filter(want::contains).collect(Collectors.toList());
            List<String> wantDelivered = want.stream().filter(got::contains).collect(Collectors.toList());
            if (!got.equals(wantDelivered)) {
                violations++;
                if (examples.size() < 10) {
                    examples.add("order " + order.getKey() + " expected " + want + " got " + got);
                }
            }
        }
        int unexpected = (int) firstByOrderAndType.entrySet().stream()
                .filter(en -> !expectedKeys.contains(en.getKey()) && !poisonIds.contains(en.getValue().eventId()))
                .count();
        return new DeliveryReport(rig.name, expected.size(), lost, duplicated, violations, pending, deadPoison,
                deadOther, unexpected, drain, drained, Duration.ofMillis(slowest), load.failures(), faults,
                List.copyOf(examples), requests);
    }

    /** The one line the scenario prints. */
    String line() {
        return String.format("FAULT %-28s expected=%d lost=%d duplicated=%d orderViolations=%d pending=%d dead=%d"
                        + " (poison %d, other %d) unexpected=%d drain=%s%s slowestCommitToKafka=%s non2xx=%s faults=[%s] %s",
                scenario, expected, lost, duplicated, orderViolations, pending, deadPoison + deadOther, deadPoison,
                deadOther, unexpected, seconds(drain), drained ? "" : "(not drained)", seconds(slowestCommitToKafka),
                failedAnswers, faults, requests.line());
    }

    private static String seconds(Duration d) {
        return String.format("%.1fs", d.toMillis() / 1000.0);
    }

    private static List<Delivery> readTopic(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        List<Delivery> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Deadline deadline = Deadline.of(Duration.ofSeconds(60));
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (deadline.passed()) {
                    throw new IllegalStateException("could not read topic " + topic + " to its end in 60 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    records.add(new Delivery(r.key(), header(r, OutboxHeaders.ID), header(r, OutboxHeaders.EVENT_TYPE),
                            r.timestamp()));
                }
            }
        }
        return records;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
