package dev.outbox.nats;

import dev.outbox.core.OutboxEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subject an event is published to: a template such as {@code outbox.${aggregateType}.${aggregateId}}
 * whose placeholders {@value #AGGREGATE_TYPE}, {@value #AGGREGATE_ID} and {@value #EVENT_TYPE} are
 * replaced by the event's values.
 *
 * <p>Each value is escaped so that it stays inside the token it was put in: every character other
 * than {@code A-Z a-z 0-9 _ -} (so {@code .}, the wildcards {@code *} and {@code >}, white space,
 * {@code %} itself and anything non-ASCII) becomes {@code %XX} per UTF-8 byte. An aggregate id
 * {@code a.b} gives the token {@code a%2Eb}, never two tokens, and no id can turn into a wildcard
 * or reach a subject of another aggregate; UUIDs and plain names are unchanged. Escaping is
 * reversible ({@link #unescape}); the headers carry the raw values as well. Rejecting such ids
 * instead would dead-letter events whose ids are legal everywhere else in the library.
 *
 * <p>The literal parts are checked once, when the template is built: the NATS subject rules
 * (tokens separated by {@code .}, none empty, no white space, no wildcard in a published subject).
 * Immutable and thread-safe.
 */
public final class SubjectTemplate {
    /** Placeholder for the aggregate type. */
    public static final String AGGREGATE_TYPE = "${aggregateType}";
    /** Placeholder for the aggregate id. */
    public static final String AGGREGATE_ID = "${aggregateId}";
    /** Placeholder for the event type. */
    public static final String EVENT_TYPE = "${eventType}";
    /** The default template: one subject per aggregate, {@code outbox.<type>.<id>}. */
    public static final String DEFAULT = "outbox." + AGGREGATE_TYPE + "." + AGGREGATE_ID;

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String template;
    private final boolean usesId;
    private final boolean usesEventType;

    private SubjectTemplate(String template) {
        this.template = template;
        this.usesId = template.contains(AGGREGATE_ID);
        this.usesEventType = template.contains(EVENT_TYPE);
    }

    /**
     * Parses and checks a template.
     *
     * @throws IllegalArgumentException naming what is wrong: an unknown placeholder, an empty
     *     token, white space or a wildcard in the literal parts
     */
    public static SubjectTemplate of(String template) {
        Objects.requireNonNull(template, "subject template must not be null");
        if (template.isBlank()) {
            throw new IllegalArgumentException("subject template must not be blank");
        }
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            String placeholder = m.group();
            if (!placeholder.equals(AGGREGATE_TYPE) && !placeholder.equals(AGGREGATE_ID)
                    && !placeholder.equals(EVENT_TYPE)) {
                throw new IllegalArgumentException("subject template '" + template + "' has the unknown placeholder "
                        + placeholder + "; use " + AGGREGATE_TYPE + ", " + AGGREGATE_ID + " or " + EVENT_TYPE);
            }
        }
        String sample = template.replace(AGGREGATE_TYPE, "t").replace(AGGREGATE_ID, "i").replace(EVENT_TYPE, "e");
        String problem = subjectProblem(sample);
        if (problem != null) {
            throw new IllegalArgumentException("subject template '" + template + "' is not a valid NATS subject: "
                    + problem);
        }
        return new SubjectTemplate(template);
    }

    /** Returns the subject of {@code event}, its values escaped as described on the class. */
    public String subjectFor(OutboxEvent event) {
        String subject = template.replace(AGGREGATE_TYPE, escape(event.aggregateType()));
        if (usesId) {
            subject = subject.replace(AGGREGATE_ID, escape(event.aggregateId()));
        }
        if (usesEventType) {
            subject = subject.replace(EVENT_TYPE, escape(event.eventType()));
        }
        return subject;
    }

    /**
     * Returns the subject filter that captures every subject of this template: each token holding
     * a placeholder becomes {@code *} (escaped values never contain a dot, so one token each),
     * e.g. {@code outbox.*.*}. For a stream's subjects.
     */
    public String streamSubjects() {
        StringBuilder filter = new StringBuilder();
        for (String token : template.split("\\.", -1)) {
            filter.append(filter.length() == 0 ? "" : ".").append(token.contains("${") ? "*" : token);
        }
        return filter.toString();
    }

    /** Returns the template text. */
    public String template() {
        return template;
    }

    /** Escapes one value for a subject token; see the class description. */
    public static String escape(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isPlain(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
            for (byte b : value.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
            i = end - 1;
        }
        return out == null ? value : out.toString();
    }

    /** Reverses {@link #escape}. */
    public static String unescape(String token) {
        if (token.indexOf('%') < 0) {
            return token;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '%' && i + 2 < token.length()) {
                bytes.write(Integer.parseInt(token.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write((byte) c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Returns what makes {@code subject} an invalid subject to publish to, or null when it is valid. */
    static String subjectProblem(String subject) {
        if (subject.isEmpty()) {
            return "it is empty";
        }
        for (int i = 0; i < subject.length(); i++) {
            char c = subject.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "it contains white space or a control character at position " + i;
            }
            if (c == '*' || c == '>') {
                return "it contains the wildcard '" + c + "', which cannot be published to";
            }
        }
        for (String token : subject.split("\\.", -1)) {
            if (token.isEmpty()) {
                return "it has an empty token (a leading, trailing or doubled '.')";
            }
        }
        return null;
    }

    private static boolean isPlain(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    @Override
    public String toString() {
        return template;
    }
}
