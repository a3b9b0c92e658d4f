package dev.outbox.order.app.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.outbox.order.domain.CancelOrderCommand;
import dev.outbox.order.domain.FieldError;
import dev.outbox.order.domain.InvalidOrderException;
import dev.outbox.order.domain.OrderLine;
import dev.outbox.order.domain.PlaceOrderCommand;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Turns request bodies into the domain's commands, strictly: the body must be one JSON object
 * (no trailing data, no duplicate keys), unknown fields are refused, every value must have the
 * contract's type (UUIDs and money as strings, quantities as integers). Every problem is
 * reported with the field's path, together with the domain's own validation errors.
 * Stateless and thread-safe.
 */
final class RequestParser {
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DECIMAL_TEXT = Pattern.compile("-?[0-9]{1,20}(\\.[0-9]{1,10})?");
    private static final Set<String> ORDER_FIELDS = Set.of("customer_id", "lines");
    private static final Set<String> LINE_FIELDS = Set.of("product_id", "quantity", "unit_price");
    private static final Set<String> CANCEL_FIELDS = Set.of("reason");

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    /** Parses {@code POST /orders}. */
    PlaceOrderCommand placeOrder(byte[] body) {
        JsonNode root = object(body, false);
        List<FieldError> errors = new ArrayList<>();
        unknownFields(root, ORDER_FIELDS, "", errors);
        UUID customerId = uuid(root.get("customer_id"), "customer_id", errors);
        List<PlaceOrderCommand.Line> lines = null;
        JsonNode linesNode = root.get("lines");
        if (linesNode != null && !linesNode.isNull()) {
            if (!linesNode.isArray()) {
                errors.add(FieldError.of("lines", "must be an array of lines"));
            } else {
                lines = new ArrayList<>();
                for (int i = 0; i < linesNode.size(); i++) {
                    lines.add(line(linesNode.get(i), "lines[" + i + "]", errors));
                }
            }
        }
        List<PlaceOrderCommand.Line> parsedLines = lines;
        return withDomainErrors(errors, () -> new PlaceOrderCommand(customerId, parsedLines));
    }

    /** Parses {@code POST /orders/{id}/cancel}. */
    CancelOrderCommand cancelOrder(UUID orderId, byte[] body, OptionalLong expectedVersion) {
        JsonNode root = object(body, false);
        List<FieldError> errors = new ArrayList<>();
        unknownFields(root, CANCEL_FIELDS, "", errors);
        JsonNode reasonNode = root.get("reason");
        String reason = null;
        if (reasonNode != null && !reasonNode.isNull()) {
            if (reasonNode.isTextual()) {
                reason = reasonNode.textValue();
            } else {
                errors.add(FieldError.of("reason", "must be a string"));
            }
        }
        String parsedReason = reason;
        return withDomainErrors(errors, () -> new CancelOrderCommand(orderId, parsedReason, expectedVersion));
    }

    /** Checks {@code POST /orders/{id}/confirm}: an empty body or an empty JSON object. */
    void confirmOrder(byte[] body) {
        JsonNode root = object(body, true);
        List<FieldError> errors = new ArrayList<>();
        unknownFields(root, Set.of(), "", errors);
        if (!errors.isEmpty()) {
            throw new InvalidOrderException(errors);
        }
    }

    /** Parses a UUID path or query parameter. */
    static UUID uuidParameter(String name, String value) {
        if (value == null || !UUID_TEXT.matcher(value).matches()) {
            throw new InvalidOrderException(FieldError.of(name, "must be a UUID such as 0190a6b2-7c1e-7d4e-9a5b-3c2d1e0f9a8b"));
        }
        return UUID.fromString(value);
    }

    private JsonNode object(byte[] body, boolean emptyAllowed) {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            if (emptyAllowed) {
                return mapper.createObjectNode();
            }
            throw new InvalidOrderException(FieldError.of("body", "is required: send a JSON object"));
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidOrderException(FieldError.of("body", "is not valid JSON: " + e.getOriginalMessage() + where));
        } catch (IOException e) {
            throw new InvalidOrderException(FieldError.of("body", "cannot be read: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidOrderException(FieldError.of("body", "must be a JSON object"));
        }
        return root;
    }

    private static void unknownFields(JsonNode node, Set<String> allowed, String prefix, List<FieldError> errors) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                errors.add(FieldError.of(prefix + name, "is not a known field"));
            }
        }
    }

    private static PlaceOrderCommand.Line line(JsonNode node, String path, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(FieldError.of(path, "must be an object"));
            return null;
        }
        unknownFields(node, LINE_FIELDS, path + ".", errors);
        UUID productId = uuid(node.get("product_id"), path + ".product_id", errors);
        int quantity = 0;
        JsonNode quantityNode = node.get("quantity");
        if (quantityNode == null || quantityNode.isNull()) {
            errors.add(FieldError.of(path + ".quantity", "is required"));
        } else if (!quantityNode.isIntegralNumber() || !quantityNode.canConvertToInt()) {
            errors.add(FieldError.of(path + ".quantity", "must be a whole number between 1 and " + OrderLine.MAX_QUANTITY));
        } else {
            quantity = quantityNode.intValue();
        }
        BigDecimal unitPrice = null;
        JsonNode priceNode = node.get("unit_price");
        if (priceNode != null && !priceNode.isNull()) {
            if (priceNode.isTextual() && DECIMAL_TEXT.matcher(priceNode.textValue()).matches()) {
                unitPrice = new BigDecimal(priceNode.textValue());
            } else {
                errors.add(FieldError.of(path + ".unit_price", "must be a decimal string such as \"19.99\""));
            }
        }
        return new PlaceOrderCommand.Line(productId, quantity, unitPrice);
    }

    private static UUID uuid(JsonNode node, String path, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !UUID_TEXT.matcher(node.textValue()).matches()) {
            errors.add(FieldError.of(path, "must be a UUID string"));
            return null;
        }
        return UUID.fromString(node.textValue());
    }

    /**
     * Builds the command; reports the parse errors together with the domain's, once per field
     * (a field that failed to parse is not reported again as missing).
     */
    private static <T> T withDomainErrors(List<FieldError> errors, Supplier<T> command) {
        try {
            T result = command.get();
            if (errors.isEmpty()) {
                return result;
            }
        } catch (InvalidOrderException e) {
            Set<String> reported = new LinkedHashSet<>();
            errors.forEach(error -> reported.add(error.field()));
            e.errors().stream().filter(error -> !reported.contains(error.field())).forEach(errors::add);
        }
        throw new InvalidOrderException(errors);
    }
}
