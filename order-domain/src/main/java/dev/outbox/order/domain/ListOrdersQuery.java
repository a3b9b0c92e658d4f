package dev.outbox.order.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Input of {@link ListOrders}: optional filters, a page size and an opaque cursor.
 *
 * <p>Orders are listed oldest first by id (order ids are time-ordered UUID v7). The cursor is
 * opaque to clients: they pass back the {@code next} value of the previous page.
 *
 * @param customerId only this customer's orders, when present
 * @param status     only orders in this status, when present
 * @param limit      page size, 1 to {@value #MAX_LIMIT}
 * @param after      the cursor of the previous page, when present
 */
public record ListOrdersQuery(Optional<UUID> customerId, Optional<OrderStatus> status, int limit,
                              Optional<String> after) {

    /** Page size when the client gives none. */
    public static final int DEFAULT_LIMIT = 20;
    /** Largest page size. */
    public static final int MAX_LIMIT = 100;
    private static final String CURSOR_PREFIX = "o1:";

    /**
     * Validates the fields, including the cursor's format.
     *
     * @throws InvalidOrderException naming {@code limit} or {@code after}
     */
    public ListOrdersQuery {
        customerId = customerId == null ? Optional.empty() : customerId;
        status = status == null ? Optional.empty() : status;
        after = after == null ? Optional.empty() : after;
        List<FieldError> errors = new ArrayList<>();
        if (limit < 1 || limit > MAX_LIMIT) {
            errors.add(FieldError.of("limit", "must be between 1 and " + MAX_LIMIT));
        }
        if (after.isPresent() && decode(after.get()).isEmpty()) {
            errors.add(FieldError.of("after", "is not a cursor returned by this API"));
        }
        InvalidOrderException.throwIfAny(errors);
    }

    /** Returns the id of the last order of the previous page, decoded from the cursor. */
    public Optional<UUID> afterId() {
        return after.flatMap(ListOrdersQuery::decode);
    }

    /** Returns the cursor that continues a listing after the order {@code lastId}. */
    static String cursorAfter(UUID lastId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + lastId).getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<UUID> decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!text.startsWith(CURSOR_PREFIX) || text.length() != CURSOR_PREFIX.length() + 36) {
                return Optional.empty();
            }
            return Optional.of(UUID.fromString(text.substring(CURSOR_PREFIX.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
