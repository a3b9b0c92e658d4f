package dev.outbox.order.app;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.core.OutboxEvent;
import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.core.spi.PublishOutcome;
import dev.outbox.jdbc.OutboxTable;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code replay --aggregate-type T [--since ISO-8601]}: publishes again, in their original
 * order, the already published events of one aggregate type that the outbox table still keeps.
 *
 * <p>Only retained rows can be replayed: published events stay in the table for
 * {@code OUTBOX_RETENTION} (default 24h) and are purged after; with {@code OUTBOX_RETENTION=0}
 * they are deleted on publication and nothing is left to replay. Replayed records carry their
 * original event ids, so consumers that deduplicate by id skip them; the rows themselves are
 * not changed.
 */
final class ReplayCommand {
    private static final int BATCH = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReplayCommand() {
    }

    static int run(Jdbi jdbi, OutboxTable table, OutboxEventPublisher publisher, List<String> args, PrintStream out)
            throws InterruptedException {
        Arguments parsed = Arguments.parse(args, Set.of("aggregate-type", "since"), Set.of());
        String aggregateType = parsed.value("aggregate-type")
                .orElseThrow(() -> new Arguments.UsageException("replay needs --aggregate-type, e.g. --aggregate-type Order"));
        Instant since;
        try {
            since = parsed.value("since").map(Instant::parse).orElse(Instant.EPOCH);
        } catch (DateTimeParseException e) {
            throw new Arguments.UsageException("--since must be an ISO-8601 instant such as 2026-01-31T00:00:00Z");
        }
        String retained = " FROM " + table.qualifiedName()
                + " WHERE status = 'published' AND aggregatetype = :type AND occurred_at >= :since";
        String sql = "SELECT seq, id, aggregatetype, aggregateid, type, payload::text AS payload, payload_bytes, "
                + "content_type, headers::text AS headers, occurred_at" + retained + " AND seq > :after "
                + "ORDER BY seq LIMIT " + BATCH;
        OffsetDateTime sinceUtc = since.atOffset(ZoneOffset.UTC);
        long total = jdbi.withHandle(h -> h.createQuery("SELECT count(*)" + retained)
                .bind("type", aggregateType).bind("since", sinceUtc).mapTo(Long.class).one());
        out.println("Replaying " + total + " retained event(s) of " + aggregateType + " since " + since);
        long after = 0;
        long done = 0;
        while (true) {
            long cursor = after;
            List<Row> rows = jdbi.withHandle(h -> h.createQuery(sql).bind("type", aggregateType)
                    .bind("since", sinceUtc).bind("after", cursor)
                    .map((rs, ctx) -> Row.of(rs)).list());
            if (rows.isEmpty()) {
                break;
            }
            List<PublishOutcome> outcomes;
            try {
                outcomes = publisher.publish(rows.stream().map(Row::event).toList()).toCompletableFuture()
                        .get(2, TimeUnit.MINUTES);
            } catch (ExecutionException | TimeoutException e) {
                out.println("Replay stopped after " + done + " event(s): " + e);
                return 1;
            }
            for (PublishOutcome outcome : outcomes) {
                if (outcome.status() != PublishOutcome.Status.PUBLISHED) {
                    out.println("Replay stopped after " + done + " event(s): " + outcome.eventId() + " failed: "
                            + outcome.error());
                    return 1;
                }
                done++;
            }
            after = rows.get(rows.size() - 1).seq;
            out.println("  replayed " + done + "/" + total);
        }
        out.println("Replay done: " + done + " event(s) republished.");
        return 0;
    }

    /** One retained outbox row. */
    private record Row(long seq, OutboxEvent event) {
        static Row of(ResultSet rs) throws SQLException {
            String payload = rs.getString("payload");
            byte[] bytes = payload != null ? payload.getBytes(StandardCharsets.UTF_8) : rs.getBytes("payload_bytes");
            Map<String, String> headers;
            try {
                headers = JSON.readValue(rs.getString("headers"), new TypeReference<Map<String, String>>() { });
            } catch (java.io.IOException e) {
                throw new SQLException("unreadable headers of event " + rs.getString("id"), e);
            }
            OutboxEvent event = OutboxEvent.builder().id(rs.getObject("id", UUID.class))
                    .aggregateType(rs.getString("aggregatetype")).aggregateId(rs.getString("aggregateid"))
                    .eventType(rs.getString("type")).payload(bytes).contentType(rs.getString("content_type"))
                    .headers(headers).occurredAt(rs.getTimestamp("occurred_at").toInstant()).build();
            return new Row(rs.getLong("seq"), event);
        }
    }
}
