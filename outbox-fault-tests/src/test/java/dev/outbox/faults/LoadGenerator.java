package dev.outbox.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Steady HTTP load on the Order API for a bounded time and request count: creates, then confirms
 * and cancels of orders it created. Each worker thread drives its own orders one request at a
 * time, so an order's requests never overlap and their acknowledged order is the order its events
 * must reach Kafka in. Every write carries an {@code Idempotency-Key}; a failed attempt (an I/O
 * error, 5xx, 409 {@code idempotency-key-in-use}) is retried with the same key and body, after its
 * {@code Retry-After} or 1 s, for at most {@value #RETRY_WINDOW_SECONDS} s. Every answer is
 * recorded, with the slowest failed one and 503s without {@code Retry-After}; a 201 create or a
 * 200 confirm/cancel is one expected event. An order whose request gave up is left alone
 * afterwards (its state is unknown).
 */
final class LoadGenerator {
    /** One acknowledged change: the event it must produce. */
    record Expected(String orderId, String eventType, long acknowledgedAtMillis) {
    }

    static final int RETRY_WINDOW_SECONDS = 60;
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");
    private static final String CREATE = """
            {"customer_id": "%s", "lines": [{"product_id": "0190a000-0000-7000-8000-0000000000aa", \
            "quantity": 2, "unit_price": "19.99"}]}""";

    private final URI base;
    private final int workers;
    private final double requestsPerSecond;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ConcurrentLinkedQueue<Expected> expected = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> answers = new TreeMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger replayed = new AtomicInteger();
    private final AtomicInteger gaveUp = new AtomicInteger();
    private final AtomicInteger createsGaveUp = new AtomicInteger();
    private final AtomicInteger unavailableWithoutRetryAfter = new AtomicInteger();
    private final AtomicLong slowestFailedNanos = new AtomicLong();
    private volatile long stoppedAtNanos;
    LoadGenerator(int httpPort, int workers, double requestsPerSecond) {
        this.base = URI.create("http://127.0.0.1:" + httpPort);
        this.workers = workers;
        this.requestsPerSecond = requestsPerSecond;
    }

    /** Starts the workers; they stop after {@code duration} or {@code maxRequests} requests in all. */
    LoadGenerator start(Duration duration, int maxRequests) {
        long endNanos = System.nanoTime() + duration.toNanos();
        int perWorker = Math.max(1, maxRequests / workers);
        for (int w = 0; w < workers; w++) {
            long seed = 7919L * (w + 1);
            Thread t = new Thread(() -> work(seed, endNanos, perWorker), "load-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** Waits for the workers (each request is bounded by its 15 s timeout) and returns the stop time. */
    long awaitEnd() throws InterruptedException {
        for (Thread t : threads) {
            t.join(Duration.ofMinutes(3).toMillis());
        }
        stop.set(true);
        stoppedAtNanos = System.nanoTime();
        return stoppedAtNanos;
    }

    /** Asks the workers to stop early (after their current request). */
    void stop() {
        stop.set(true);
    }

    List<Expected> expected() {
        return List.copyOf(expected);
    }

    /** Counts of answers by kind and status, e.g. {@code create 201=1200, confirm 500=3, cancel io-error=1}. */
    synchronized Map<String, Integer> answers() {
        return new TreeMap<>(answers);
    }

    /** Attempts that were retries of a failed one (same key). */
    int retries() {
        return retries.get();
    }

    /** Answers marked {@code Idempotent-Replayed: true}: a retry whose first attempt had committed. */
    int replayed() {
        return replayed.get();
    }

    /** Requests that failed on every attempt within the retry window (their outcome is unknown). */
    int gaveUp() {
        return gaveUp.get();
    }

    /** Creates among {@link #gaveUp()}: each may or may not have made an order. */
    int createsGaveUp() {
        return createsGaveUp.get();
    }

    /** 503 answers without a {@code Retry-After} header. */
    int unavailableWithoutRetryAfter() {
        return unavailableWithoutRetryAfter.get();
    }

    /** How long the slowest answer that was not a success took (an I/O error counts at its failure). */
    Duration slowestFailedAnswer() {
        return Duration.ofNanos(slowestFailedNanos.get());
    }

    /** Counts of answers that were not the success status of their request. */
    synchronized Map<String, Integer> failures() {
        Map<String, Integer> failed = new TreeMap<>();
        answers.forEach((key, count) -> {
            if (!key.endsWith(" 201") && !key.endsWith(" 200")) {
                failed.put(key, count);
            }
        });
        return failed;
    }

    private void work(long seed, long endNanos, int maxRequests) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String[]> live = new ArrayList<>(); // {orderId, status}
        long intervalNanos = (long) (1e9 * workers / requestsPerSecond);
        long next = System.nanoTime();
        for (int n = 0; n < maxRequests && !stop.get() && System.nanoTime() < endNanos; n++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Deadline.sleep(Duration.ofNanos(wait));
            }
            next = Math.max(next + intervalNanos, System.nanoTime() - intervalNanos);
            if (live.isEmpty() || random.nextInt(100) < 45) {
                String id = create();
                if (id != null) {
                    live.add(new String[] {id, "PENDING"});
                }
                continue;
            }
            String[] order = live.get(random.nextInt(live.size()));
            boolean confirm = order[1].equals("PENDING") && random.nextInt(100) < 60;
            boolean ok = confirm ? change(order[0], "confirm", null, "OrderConfirmed")
                    : change(order[0], "cancel", "{\"reason\": \"fault suite\"}", "OrderCancelled");
            if (ok && confirm) {
                order[1] = "CONFIRMED";
            } else {
                live.remove(order); // cancelled, or its state is unknown after a failed request
            }
        }
    }

    private String create() {
        String body = CREATE.formatted(UUID.randomUUID());
        HttpResponse<String> response = send("create", 201, () -> HttpRequest.newBuilder(base.resolve("/orders"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        if (response == null) {
            return null;
        }
        Matcher m = ID.matcher(response.body());
        if (!m.find()) {
            throw new IllegalStateException("201 without an id: " + response.body());
        }
        expected.add(new Expected(m.group(1), "OrderCreated", System.currentTimeMillis()));
        return m.group(1);
    }

    private boolean change(String orderId, String action, String body, String eventType) {
        HttpResponse<String> response = send(action, 200, () -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/orders/" + orderId + "/" + action));
            if (body != null) {
                return request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            }
            return request.POST(HttpRequest.BodyPublishers.noBody());
        });
        if (response == null) {
            return false;
        }
        expected.add(new Expected(orderId, eventType, System.currentTimeMillis()));
        return true;
    }

    /**
     * Sends the request under a fresh {@code Idempotency-Key}, retrying failed attempts with the same
     * key; returns the success answer, or null when the request was refused (4xx) or gave up.
     */
    private HttpResponse<String> send(String kind, int success, Supplier<HttpRequest.Builder> request) {
        String key = UUID.randomUUID().toString();
        long firstNanos = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            if (attempt > 0) {
                retries.incrementAndGet();
            }
            long sentNanos = System.nanoTime();
            Duration wait = Duration.ofSeconds(1);
            try {
                HttpResponse<String> response = http.send(request.get().header("Idempotency-Key", key)
                        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                count(kind + " " + status);
                if (status == success) {
                    if (response.headers().firstValue("Idempotent-Replayed").isPresent()) {
                        replayed.incrementAndGet();
                    }
                    return response;
                }
                failedAfter(sentNanos);
                Optional<String> retryAfter = response.headers().firstValue("Retry-After");
                if (status == 503 && retryAfter.isEmpty()) {
                    unavailableWithoutRetryAfter.incrementAndGet();
                }
                boolean inUse = status == 409 && response.body().contains("idempotency-key-in-use");
                if (status < 500 && !inUse) {
                    return null; // refused: nothing was written
                }
                wait = retryAfter.map(s -> Duration.ofSeconds(Long.parseLong(s.strip()))).orElse(wait);
            } catch (IOException e) {
                count(kind + " io-error");
                failedAfter(sentNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop.set(true);
                return null;
            }
            if (System.nanoTime() - firstNanos + wait.toNanos() > Duration.ofSeconds(RETRY_WINDOW_SECONDS).toNanos()) {
                gaveUp.incrementAndGet();
                if (kind.equals("create")) {
                    createsGaveUp.incrementAndGet();
                }
                return null;
            }
            Deadline.sleep(wait);
        }
    }

    private void failedAfter(long sentNanos) {
        slowestFailedNanos.accumulateAndGet(System.nanoTime() - sentNanos, Math::max);
    }

    private synchronized void count(String key) {
        answers.merge(key, 1, Integer::sum);
    }
}
