package dev.outbox.core.spi;

import java.util.Locale;

/**
 * Classifies an event's media type ({@link dev.outbox.core.OutboxEvent#contentType()}) for adapters:
 * a store decides whether the payload is JSON it can keep as such, a publisher whether it hands a
 * serializer text or bytes. One parsing rule for both (RFC 9110): parameters after {@code ;} are
 * ignored, surrounding spaces and tabs too, case does not matter, and a {@code +json} suffix counts
 * only on a {@code type/subtype+json} name. Stateless and thread-safe.
 */
public final class MediaTypes {
    private MediaTypes() {
    }

    /**
     * Returns whether the payload is JSON: {@code application/json} or any {@code type/subtype+json}
     * (such as {@code application/cloudevents+json}).
     *
     * @throws NullPointerException when {@code contentType} is null
     */
    public static boolean isJson(String contentType) {
        String type = essence(contentType);
        if (type.equals("application/json")) {
            return true;
        }
        int slash = type.indexOf('/');
        return slash > 0 && type.endsWith("+json") && type.length() - "+json".length() > slash + 1;
    }

    /**
     * Returns whether the payload is text: JSON as in {@link #isJson}, or any {@code text/subtype}.
     *
     * @throws NullPointerException when {@code contentType} is null
     */
    public static boolean isText(String contentType) {
        String type = essence(contentType);
        return isJson(type) || (type.startsWith("text/") && type.length() > "text/".length());
    }

    /** The {@code type/subtype} part, lower case, without parameters and surrounding spaces or tabs. */
    private static String essence(String contentType) {
        int parameters = contentType.indexOf(';');
        String type = parameters >= 0 ? contentType.substring(0, parameters) : contentType;
        int start = 0;
        int end = type.length();
        while (start < end && isSpaceOrTab(type.charAt(start))) {
            start++;
        }
        while (end > start && isSpaceOrTab(type.charAt(end - 1))) {
            end--;
        }
        return type.substring(start, end).toLowerCase(Locale.ROOT);
    }

    private static boolean isSpaceOrTab(char c) {
        return c == ' ' || c == '\t';
    }
}
