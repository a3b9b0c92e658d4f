package dev.outbox.spring.boot;

import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/** Turns the library's validation errors into start failures that name the {@code outbox.*} property. */
final class PropertyChecks {
    private PropertyChecks() {
    }

    /** Returns what {@code build} builds from {@code value}, or fails naming {@code property} with the library's reason. */
    static <T> T valid(String property, Object value, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
        }
    }

    /** Applies {@code setting}, failing naming {@code property} when the library rejects {@code value}. */
    static void apply(String property, Object value, Runnable setting) {
        valid(property, value, () -> {
            setting.run();
            return null;
        });
    }
}
