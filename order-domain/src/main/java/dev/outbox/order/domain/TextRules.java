package dev.outbox.order.domain;

import java.util.List;

/** Rules for free text that is stored and sent in events: no NUL or other control characters, valid UTF-16. */
final class TextRules {
    private TextRules() {
    }

    /**
     * Adds an error to {@code errors} when {@code value} is missing, blank, longer than
     * {@code maxLength}, or holds characters PostgreSQL's {@code text}/{@code jsonb} refuse
     * (NUL, unpaired surrogates) or other control characters besides tab and line breaks.
     */
    static void check(String field, String value, int maxLength, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(FieldError.of(field, "is required"));
        } else if (value.length() > maxLength) {
            errors.add(FieldError.of(field, "must be at most " + maxLength + " characters"));
        } else if (!clean(value)) {
            errors.add(FieldError.of(field, "must not contain control characters or unpaired surrogates"));
        }
    }

    private static boolean clean(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
