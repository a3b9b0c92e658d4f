package dev.outbox.core.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The checks builders run on their settings, so that every module refuses a bad value with the
 * same message naming the setting. Not API. Stateless and thread-safe.
 */
public final class Checks {
    private Checks() {
    }

    /**
     * Returns {@code value} when it is longer than zero.
     *
     * @throws NullPointerException     "{@code setting} must not be null"
     * @throws IllegalArgumentException "{@code setting} must be positive, got ..."
     */
    public static Duration positive(Duration value, String setting) {
        Objects.requireNonNull(value, () -> setting + " must not be null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(setting + " must be positive, got " + value);
        }
        return value;
    }

    /**
     * Returns {@code value} when it is zero or longer.
     *
     * @throws NullPointerException     "{@code setting} must not be null"
     * @throws IllegalArgumentException "{@code setting} must not be negative, got ..."
     */
    public static Duration notNegative(Duration value, String setting) {
        Objects.requireNonNull(value, () -> setting + " must not be null");
        if (value.isNegative()) {
            throw new IllegalArgumentException(setting + " must not be negative, got " + value);
        }
        return value;
    }

    /**
     * Returns {@code value} when it is at least {@code min}.
     *
     * @throws IllegalArgumentException "{@code setting} must be at least {@code min}, got ..."
     */
    public static int atLeast(int value, int min, String setting) {
        if (value < min) {
            throw new IllegalArgumentException(setting + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /**
     * Returns {@code value} when it is neither null nor blank.
     *
     * @throws NullPointerException     "{@code setting} must not be null"
     * @throws IllegalArgumentException "{@code setting} must not be blank"
     */
    public static String nonBlank(String value, String setting) {
        Objects.requireNonNull(value, () -> setting + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(setting + " must not be blank");
        }
        return value;
    }

    /**
     * Returns {@code value} when it is not null.
     *
     * @throws NullPointerException "{@code setting} must not be null"
     */
    public static <T> T notNull(T value, String setting) {
        return Objects.requireNonNull(value, () -> setting + " must not be null");
    }
}
