package dev.outbox.order.app.jdbi;

import dev.outbox.jdbc.JdbiUnitOfWork;
import dev.outbox.order.domain.Order;
import dev.outbox.order.domain.OrderLine;
import dev.outbox.order.domain.OrderNotFoundException;
import dev.outbox.order.domain.OrderRepository;
import dev.outbox.order.domain.OrderStatus;
import dev.outbox.order.domain.StaleOrderException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * The {@link OrderRepository} on PostgreSQL through JDBI (tables {@code orders} and
 * {@code order_lines}, see {@link OrderSchema}). Every call runs on the current
 * {@link JdbiUnitOfWork#currentHandle() unit of work's handle}, so an order and its outbox
 * event commit together; a call outside a unit of work throws
 * {@link dev.outbox.core.NoActiveUnitOfWorkException}. All values travel as bound
 * parameters, never as SQL text. Thread-safe.
 */
public final class JdbiOrderRepository implements OrderRepository {
    private static final String ORDER_COLUMNS =
            "id, customer_id, status, cancellation_reason, created_at, updated_at, version";

    private final JdbiUnitOfWork unitOfWork;

    /** Creates the repository writing through {@code unitOfWork}'s current handle. */
    public JdbiOrderRepository(JdbiUnitOfWork unitOfWork) {
        this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
    }

    @Override
    public void insert(Order order) {
        Handle handle = unitOfWork.currentHandle();
        handle.createUpdate("INSERT INTO orders (" + ORDER_COLUMNS + ") VALUES "
                        + "(:id, :customerId, :status, :reason, :createdAt, :updatedAt, :version)")
                .bind("id", order.id())
                .bind("customerId", order.customerId())
                .bind("status", order.status().name())
                .bind("reason", order.cancellationReason().orElse(null))
                .bind("createdAt", timestamp(order.createdAt()))
                .bind("updatedAt", timestamp(order.updatedAt()))
                .bind("version", order.version())
                .execute();
        PreparedBatch batch = handle.prepareBatch("INSERT INTO order_lines "
                + "(id, order_id, line_no, product_id, quantity, unit_price) "
                + "VALUES (:id, :orderId, :lineNo, :productId, :quantity, :unitPrice)");
        for (int i = 0; i < order.lines().size(); i++) {
            OrderLine line = order.lines().get(i);
            batch.bind("id", line.id()).bind("orderId", order.id()).bind("lineNo", i)
                    .bind("productId", line.productId()).bind("quantity", line.quantity())
                    .bind("unitPrice", line.unitPrice()).add();
        }
        batch.execute();
    }

    @Override
    public void update(Order order, long expectedVersion) {
        Handle handle = unitOfWork.currentHandle();
        int updated = handle.createUpdate("UPDATE orders SET status = :status, cancellation_reason = :reason, "
                        + "updated_at = :updatedAt, version = :version WHERE id = :id AND version = :expected")
                .bind("status", order.status().name())
                .bind("reason", order.cancellationReason().orElse(null))
                .bind("updatedAt", timestamp(order.updatedAt()))
                .bind("version", order.version())
                .bind("id", order.id())
                .bind("expected", expectedVersion)
                .execute();
        if (updated == 0) {
            boolean exists = handle.createQuery("SELECT EXISTS (SELECT 1 FROM orders WHERE id = :id)")
                    .bind("id", order.id()).mapTo(Boolean.class).one();
            if (!exists) {
                throw new OrderNotFoundException(order.id());
            }
            throw new StaleOrderException(order.id(), expectedVersion);
        }
    }

    @Override
    public Optional<Order> findById(UUID id) {
        Handle handle = unitOfWork.currentHandle();
        List<Order> found = load(handle, handle.createQuery("SELECT " + ORDER_COLUMNS + " FROM orders WHERE id = :id")
                .bind("id", id));
        return found.stream().findFirst();
    }

    @Override
    public List<Order> find(Optional<UUID> customerId, Optional<OrderStatus> status, Optional<UUID> afterId,
                            int limit) {
        Handle handle = unitOfWork.currentHandle();
        StringBuilder sql = new StringBuilder("SELECT " + ORDER_COLUMNS + " FROM orders WHERE true");
        customerId.ifPresent(c -> sql.append(" AND customer_id = :customerId"));
        status.ifPresent(s -> sql.append(" AND status = :status"));
        afterId.ifPresent(a -> sql.append(" AND id > :afterId"));
        sql.append(" ORDER BY id LIMIT :limit");
        Query query = handle.createQuery(sql.toString()).bind("limit", limit);
        customerId.ifPresent(c -> query.bind("customerId", c));
        status.ifPresent(s -> query.bind("status", s.name()));
        afterId.ifPresent(a -> query.bind("afterId", a));
        return load(handle, query);
    }

    private static List<Order> load(Handle handle, Query orderQuery) {
        List<OrderRow> rows = orderQuery.map((rs, ctx) -> OrderRow.of(rs)).list();
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<UUID, List<OrderLine>> lines = new LinkedHashMap<>();
        rows.forEach(r -> lines.put(r.id, new ArrayList<>()));
        handle.createQuery("SELECT id, order_id, product_id, quantity, unit_price FROM order_lines "
                        + "WHERE order_id IN (<ids>) ORDER BY order_id, line_no")
                .bindList("ids", new ArrayList<>(lines.keySet()))
                .map((rs, ctx) -> Map.entry(rs.getObject("order_id", UUID.class), new OrderLine(
                        rs.getObject("id", UUID.class), rs.getObject("product_id", UUID.class), rs.getInt("quantity"),
                        rs.getBigDecimal("unit_price"))))
                .forEach(line -> lines.get(line.getKey()).add(line.getValue()));
        return rows.stream().map(r -> r.toOrder(lines.get(r.id))).toList();
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(java.time.ZoneOffset.UTC);
    }

    /** One row of {@code orders}, before its lines are attached. */
    private record OrderRow(UUID id, UUID customerId, OrderStatus status, String reason, Instant createdAt,
                            Instant updatedAt, long version) {
        static OrderRow of(ResultSet rs) throws SQLException {
            return new OrderRow(rs.getObject("id", UUID.class), rs.getObject("customer_id", UUID.class),
                    OrderStatus.valueOf(rs.getString("status")), rs.getString("cancellation_reason"),
                    instant(rs, "created_at"), instant(rs, "updated_at"), rs.getLong("version"));
        }

        Order toOrder(List<OrderLine> lines) {
            return new Order(id, customerId, status, lines, createdAt, updatedAt, version, Optional.ofNullable(reason));
        }

        private static Instant instant(ResultSet rs, String column) throws SQLException {
            Timestamp ts = rs.getTimestamp(column);
            return ts.toInstant();
        }
    }
}
