package dev.outbox.spring.boot;

import dev.outbox.core.Outbox;
import dev.outbox.core.OutboxEvent;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;

/** A service as an application writes one: a business row through JdbcClient and an event, in one @Transactional. */
class OrderService {
    private final JdbcClient jdbc;
    private final Outbox outbox;
    private final String ordersTable;

    OrderService(JdbcClient jdbc, Outbox outbox, String ordersTable) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.ordersTable = ordersTable;
        jdbc.sql("CREATE TABLE IF NOT EXISTS " + ordersTable + " (id uuid PRIMARY KEY)").update();
    }

    @Transactional
    public void placeOrder(UUID id) {
        jdbc.sql("INSERT INTO " + ordersTable + " (id) VALUES (?)").param(id).update();
        outbox.append(OutboxEvent.builder().aggregateType("Order").aggregateId(id.toString()).eventType("OrderPlaced")
                .payload("{\"id\":\"" + id + "\"}").build());
    }

    @Transactional
    public void placeOrderThenFail(UUID id) {
        placeOrder(id);
        throw new IllegalStateException("payment refused");
    }

    int orders(UUID id) {
        return jdbc.sql("SELECT count(*) FROM " + ordersTable + " WHERE id = ?").param(id).query(Integer.class).single();
    }
}
