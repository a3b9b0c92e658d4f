package dev.outbox.jdbc.replication;

import dev.outbox.testkit.postgres.TestDatabase;
import dev.outbox.core.testing.TestEvents;
import dev.outbox.core.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.core.OutboxEvent;
import dev.outbox.core.inmemory.RecordingPublisher;
import dev.outbox.jdbc.JdbiOutbox;
import dev.outbox.jdbc.JdbiUnitOfWork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LogTailingRelayTest {
    @RegisterExtension
    final SlotFixture fixture = SlotFixture.create();

    private LogTailingRelayConfig.Builder config(TableMode mode) {
        return fixture.config(mode)
                .backoff(dev.outbox.core.relay.BackoffPolicy.exponential(Duration.ofMillis(50), 2.0,
                        Duration.ofMillis(500), 0.0))
                .outageBackoff(dev.outbox.core.relay.BackoffPolicy.exponential(Duration.ofMillis(50), 2.0,
                        Duration.ofMillis(500), 0.0));
    }

    /**
     * Appends {@code TestEvents.sequenced(aggregateId, i)} for {@code i} from {@code from} (inclusive) to {@code to}
     * (exclusive) through a log-only outbox, each in a transaction of its own; returns them in order.
     */
    private List<OutboxEvent> appendEach(String aggregateId, int from, int to) {
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            OutboxEvent event = TestEvents.sequenced(aggregateId, i);
            events.add(event);
            unitOfWork.useTransaction(() -> outbox.append(event));
        }
        return events;
    }

    private static List<java.util.UUID> ids(List<OutboxEvent> events) {
        return events.stream().map(OutboxEvent::id).toList();
    }

    @Test
    void givenConcurrentWriters_eventsArriveInCommitOrderAndTheLogOnlyTableStaysEmpty() throws Exception {
        RecordingPublisher publisher = RecordingPublisher.create();
        fixture.started(publisher, config(TableMode.LOG_ONLY).batchSize(1000));
        int writers = 4;
        int transactionsPerWriter = 500;
        int eventsPerTransaction = 5;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                // One connection per writer: opening one per transaction would dominate the test's time.
                java.sql.Connection connection = TestDatabase.embedded().dataSource().getConnection();
                JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(org.jdbi.v3.core.Jdbi.create(connection));
                LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
                for (int t = 0; t < transactionsPerWriter; t++) {
                    List<OutboxEvent> events = new ArrayList<>();
                    for (int e = 0; e < eventsPerTransaction; e++) {
                        int seq = t * eventsPerTransaction + e;
                        events.add(TestEvents.sequenced("w" + writer + "-a" + (seq % 7), seq));
                    }
                    if (t % 2 == 0) {
                        unitOfWork.useTransaction(() -> outbox.appendAll(events));
                    } else {
                        unitOfWork.useTransaction(() -> events.forEach(outbox::append));
                    }
                }
                connection.close();
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        int total = writers * transactionsPerWriter * eventsPerTransaction;

        Await.until("all events published", () -> publisher.published().size() >= total);

        List<OutboxEvent> published = publisher.published();
        assertThat(published).hasSize(total);
        assertThat(published.stream().map(OutboxEvent::id).distinct().count()).isEqualTo(total);
        // Per writer (its transactions commit one after the other) and so per aggregate: strictly increasing.
        Map<String, Integer> lastPerWriter = new HashMap<>();
        Map<String, Integer> lastPerAggregate = new HashMap<>();
        for (OutboxEvent event : published) {
            int seq = seqOf(event);
            String writer = event.aggregateId().substring(0, event.aggregateId().indexOf('-'));
            assertThat(seq).as("order of writer %s", writer).isGreaterThan(lastPerWriter.getOrDefault(writer, -1));
            assertThat(seq).isGreaterThan(lastPerAggregate.getOrDefault(event.aggregateId(), -1));
            lastPerWriter.put(writer, seq);
            lastPerAggregate.put(event.aggregateId(), seq);
        }
        // Commit order: each transaction's events arrive together, never interleaved with another's.
        Map<String, Integer> runs = new LinkedHashMap<>();
        String previous = null;
        for (OutboxEvent event : published) {
            String transaction = event.aggregateId().substring(0, event.aggregateId().indexOf('-')) + "/"
                    + seqOf(event) / eventsPerTransaction;
            if (!transaction.equals(previous)) {
                assertThat(runs).as("transaction %s arrived in one piece", transaction).doesNotContainKey(transaction);
                runs.put(transaction, 1);
            }
            previous = transaction;
        }
        assertThat(runs).hasSize(writers * transactionsPerWriter);
        assertThat(fixture.rows()).isZero();
    }

    @Test
    void givenJsonAndBinaryEventsWithHeaders_theyArriveEqualToWhatWasAppended() {
        assertRoundTrip(TableMode.KEEP_ROWS);
        Await.until("rows marked published", () -> fixture.rows("published") == 2);
    }

    @Test
    void givenLogOnlyOutbox_jsonAndBinaryEventsWithHeadersArriveEqualAndNoRowStays() {
        assertRoundTrip(TableMode.LOG_ONLY);
        assertThat(fixture.rows()).isZero();
    }

    @Test
    void givenLogOnlyOutboxOutsideAUnitOfWork_appendFailsAndWritesNothing() {
        LogOnlyOutbox outbox = LogOnlyOutbox.create(fixture.unitOfWork(), fixture.table());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> outbox.append(TestEvents.sequenced("x", 0)))
                .isInstanceOf(dev.outbox.core.NoActiveUnitOfWorkException.class);
    }

    private void assertRoundTrip(TableMode mode) {
        RecordingPublisher publisher = RecordingPublisher.create();
        fixture.started(publisher, config(mode));
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        dev.outbox.core.Outbox outbox = mode == TableMode.LOG_ONLY ? LogOnlyOutbox.create(unitOfWork, fixture.table())
                : JdbiOutbox.create(unitOfWork, fixture.table());
        OutboxEvent json = OutboxEvent.builder().aggregateType("Order").aggregateId("o-1").eventType("OrderCreated")
                .payload("{\"id\": \"o-1\", \"total\": \"19.99\", \"note\": \"caf\u00e9 \\\"q\\\"\"}")
                .headers(Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                        "tenant", "t\u00e9 \"1\""))
                .build();
        OutboxEvent binary = OutboxEvent.builder().aggregateType("Order").aggregateId("o-1").eventType("OrderBlob")
                .payload(new byte[] {0, 1, 2, (byte) 0xff, 10}).contentType("application/octet-stream")
                .occurredAt(java.time.Instant.parse("2020-02-29T23:59:59.123456Z"))
                .build();
        unitOfWork.useTransaction(() -> outbox.appendAll(List.of(json, binary)));

        Await.until("both published", () -> publisher.published().size() >= 2);

        OutboxEvent first = publisher.published().get(0);
        assertThat(first.id()).isEqualTo(json.id());
        assertThat(first.headers()).containsAllEntriesOf(json.headers()).containsKey(OutboxEvent.SEQUENCE_HEADER)
                .hasSize(json.headers().size() + 1);
        assertThat(first.occurredAt()).isEqualTo(json.occurredAt());
        assertThat(first.payloadAsString()).contains("caf\u00e9").contains("19.99");
        assertThat(publisher.published().get(1)).isEqualTo(binary);
    }

    @Test
    void givenRetriableFailures_theSameEventsAreRetriedInOrderAndNothingIsSkipped() {
        RecordingPublisher publisher = RecordingPublisher.create().failNextCalls(3);
        fixture.started(publisher, config(TableMode.LOG_ONLY));
        List<OutboxEvent> events = appendEach("a1", 0, 20);
        Await.until("20 events published", () -> publisher.published().size() >= 20);

        assertThat(publisher.callCount()).isGreaterThan(3);
        assertThat(publisher.published()).extracting(OutboxEvent::id).containsExactlyElementsOf(ids(events));
    }

    @Test
    void givenAPublisherOutageOfMoreCallsThanMaxAttempts_nothingIsDeadLetteredAndEverythingIsDeliveredAfterRecovery() {
        // every call fails as a whole (the broker is down) four times as often as maxAttempts allows
        RecordingPublisher publisher = RecordingPublisher.create().failNextCalls(8);
        fixture.started(publisher, config(TableMode.KEEP_ROWS).maxAttempts(2));
        List<OutboxEvent> events = new ArrayList<>(appendEach("o1", 0, 5));
        events.addAll(appendEach("o2", 0, 5));

        Await.until("every event published", () -> publisher.publishedIds().containsAll(ids(events)));

        assertThat(publisher.callCount()).isGreaterThan(8);
        assertThat(fixture.rows("dead")).as("an outage dead-letters nothing").isZero();
        assertThat(publisher.published()).extracting(OutboxEvent::id).containsExactlyElementsOf(ids(events));
    }

    @Test
    void givenARecordFailingOnItsOwn_itIsDeadLetteredAfterTheDefaultMaxAttemptsAndTheStreamGoesOn() {
        RecordingPublisher publisher = RecordingPublisher.create();
        fixture.started(publisher, config(TableMode.LOG_ONLY));
        OutboxEvent poison = TestEvents.sequenced("own", 0);
        publisher.failRetriably(poison.id(), Integer.MAX_VALUE);
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
        OutboxEvent successor = TestEvents.sequenced("own", 1);
        unitOfWork.useTransaction(() -> outbox.appendAll(List.of(poison, successor)));
        Await.until("the record is dead-lettered", Duration.ofSeconds(30), () -> fixture.rows("dead") == 1);
        List<OutboxEvent> later = appendEach("other", 0, 3);

        Await.until("the later events published", () -> publisher.publishedIds().containsAll(ids(later)));
        assertThat(publisher.publishedIds()).doesNotContain(poison.id()).contains(successor.id());
        assertThat(TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName() + " WHERE id = '"
                + poison.id() + "' AND status = 'dead' AND attempts = 10")).isEqualTo(1);
        assertThat(fixture.rows("dead")).as("its successor, held back behind it, is not dead").isEqualTo(1);
    }

    @Test
    void givenAPublishCallThatNeverCompletes_itIsSentAgainAfterPublishTimeoutWithoutCountingAnAttempt() {
        RecordingPublisher recorder = RecordingPublisher.create();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        dev.outbox.core.spi.OutboxEventPublisher stallingOnce = events -> calls.incrementAndGet() == 1
                ? new java.util.concurrent.CompletableFuture<>() : recorder.publish(events);
        fixture.started(stallingOnce, config(TableMode.LOG_ONLY).publishTimeout(Duration.ofMillis(300)).maxAttempts(1));
        List<OutboxEvent> events = appendEach("stall", 0, 3);

        Await.until("every event published", () -> recorder.publishedIds().containsAll(ids(events)));

        assertThat(calls).hasValueGreaterThan(1);
        assertThat(fixture.rows("dead")).as("a timeout is not the events' failure").isZero();
    }

    @Test
    void build_refusesAPublishTimeoutShorterThanThePublishersLongestPublish() {
        dev.outbox.core.spi.OutboxEventPublisher slow = new dev.outbox.core.spi.OutboxEventPublisher() {
            @Override
            public java.util.concurrent.CompletionStage<List<dev.outbox.core.spi.PublishOutcome>> publish(
                    List<OutboxEvent> events) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Duration maxPublishDuration() {
                return Duration.ofSeconds(90);
            }
        };

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fixture.create(slow, config(TableMode.LOG_ONLY)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("publishTimeout (PT1M)").hasMessageContaining("maxPublishDuration (PT1M30S)");
        fixture.create(slow, config(TableMode.LOG_ONLY).publishTimeout(Duration.ofSeconds(90))).close();
    }

    @Test
    void givenPermanentFailure_theEventIsDeadLetteredInTheTableAndLaterEventsGoOn() {
        RecordingPublisher publisher = RecordingPublisher.create();
        fixture.started(publisher, config(TableMode.LOG_ONLY));
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
        OutboxEvent poison = TestEvents.sequenced("p", 0);
        publisher.failPermanently(poison.id());
        OutboxEvent after = TestEvents.sequenced("p", 1);
        unitOfWork.useTransaction(() -> outbox.append(poison));
        unitOfWork.useTransaction(() -> outbox.append(after));

        Await.until("the later event published", () -> publisher.publishedIds().contains(after.id()));

        assertThat(publisher.publishedIds()).doesNotContain(poison.id());
        assertThat(fixture.rows("dead")).isEqualTo(1);
        assertThat(TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName() + " WHERE id = '"
                + poison.id() + "' AND status = 'dead' AND last_error IS NOT NULL AND payload IS NOT NULL")).isEqualTo(1);
    }

    @Test
    void givenARowNoEventCanHold_itIsDeadLetteredAndLaterEventsGoOn() {
        RecordingPublisher publisher = RecordingPublisher.create();
        fixture.started(publisher, config(TableMode.KEEP_ROWS));
        // Written around the append port: an aggregate type that cannot become a Kafka topic name.
        java.util.UUID invalid = java.util.UUID.randomUUID();
        TestDatabase.embedded().execute("INSERT INTO " + fixture.table().qualifiedName() + " (id, aggregatetype, aggregateid, type, "
                + "payload, occurred_at) VALUES ('" + invalid + "', 'not a topic', 'x', 'E', '{}', now())");
        List<OutboxEvent> later = appendEach("v", 0, 2);

        Await.until("the later events published", () -> publisher.publishedIds().containsAll(ids(later)));
        assertThat(publisher.sent()).extracting(OutboxEvent::id).doesNotContain(invalid);
        assertThat(TestDatabase.embedded().count("SELECT count(*) FROM " + fixture.table().qualifiedName() + " WHERE id = '"
                + invalid + "' AND status = 'dead' AND last_error LIKE '%aggregateType%'")).isEqualTo(1);
    }

    @Test
    void givenDeadLetterRequeued_itIsSentAgainAndTheLogOnlyTableEndsEmpty() {
        RecordingPublisher publisher = RecordingPublisher.create();
        LogTailingRelay relay = fixture.started(publisher, config(TableMode.LOG_ONLY).maxAttempts(1));
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
        OutboxEvent poison = TestEvents.sequenced("r", 0);
        publisher.failRetriably(poison.id(), 1);
        unitOfWork.useTransaction(() -> outbox.append(poison));
        Await.until("the event is dead-lettered", () -> fixture.rows("dead") == 1);

        assertThat(relay.requeueDeadLetters(List.of(poison.id()))).isEqualTo(1);

        Await.until("the requeued event is published", () -> publisher.publishedIds().contains(poison.id()));
        OutboxEvent replayed = publisher.published().get(0);
        assertThat(replayed.id()).isEqualTo(poison.id());
        assertThat(replayed.occurredAt()).isEqualTo(poison.occurredAt());
        assertThat(seqOf(replayed)).isZero();
        assertThat(fixture.rows()).isZero();
    }

    @Test
    void givenKeepRowsMode_rowsAreMarkedPublishedAndPurgedAfterRetention() {
        RecordingPublisher publisher = RecordingPublisher.create();
        fixture.started(publisher, config(TableMode.KEEP_ROWS).retention(Duration.ZERO)
                .heartbeatInterval(Duration.ofMillis(500)));
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        JdbiOutbox outbox = JdbiOutbox.create(unitOfWork, fixture.table());
        unitOfWork.useTransaction(() -> outbox.appendAll(List.of(TestEvents.sequenced("k", 0), TestEvents.sequenced("k", 1))));

        Await.until("two events published", () -> publisher.published().size() >= 2);
        Await.until("published rows purged", () -> fixture.rows() == 0);
        assertThat(publisher.published()).hasSize(2);
    }

    @Test
    void givenRelayKilledBetweenAckAndConfirm_theEventsAreSentAgainAndNoneIsLost() {
        RecordingPublisher recorder = RecordingPublisher.create();
        CrashAfterAckPublisher publisher = new CrashAfterAckPublisher(recorder, 3, fixture.slot());
        LogTailingRelay relay = fixture.started(publisher, config(TableMode.LOG_ONLY).batchSize(1).maxBatchDelay(Duration.ZERO));
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            OutboxEvent event = TestEvents.sequenced("c" + (i % 3), i);
            events.add(event);
            unitOfWork.useTransaction(() -> outbox.append(event));
        }

        Await.until("every event published", () -> recorder.publishedIds().containsAll(
                events.stream().map(OutboxEvent::id).toList()));

        assertThat(publisher.crashedBatch).isNotEmpty();
        for (OutboxEvent event : publisher.crashedBatch) {
            assertThat(recorder.publishedIds().stream().filter(event.id()::equals).count())
                    .as("acknowledged but unconfirmed event %s is sent again", event.id()).isGreaterThanOrEqualTo(2);
        }
        Await.until("the relay leads again", relay::isLeader);
    }

    @Test
    void givenEventsTheBrokerNeverAcknowledges_theSlotIsNotConfirmedPastThem_andTheNextRelayDeliversThem() {
        // The first relay's every publish call fails (retriably, without limit) while it idles between retries
        // with frequent status updates and heartbeats: a confirmation past the events would lose them.
        RecordingPublisher failing = RecordingPublisher.create().failNextCalls(Integer.MAX_VALUE);
        LogTailingRelay first = fixture.started(failing, config(TableMode.LOG_ONLY).statusInterval(Duration.ofMillis(100))
                .heartbeatInterval(Duration.ofMillis(200)));
        Await.until("first relay leads", first::isLeader);
        List<OutboxEvent> events = appendEach("n", 0, 3);
        Await.until("several failed attempts", () -> failing.callCount() >= 5);
        first.close();
        assertThat(failing.published()).isEmpty();

        RecordingPublisher healthy = RecordingPublisher.create();
        fixture.started(healthy, config(TableMode.LOG_ONLY));

        Await.until("the next relay delivers every event", Duration.ofSeconds(30),
                () -> healthy.publishedIds().containsAll(ids(events)));
        assertThat(healthy.publishedIds()).containsExactlyElementsOf(ids(events));
    }

    @Test
    void givenDatabaseRestart_theRelayReconnectsAndDeliversEverything() {
        RecordingPublisher publisher = RecordingPublisher.create();
        LogTailingRelay relay = fixture.started(publisher, config(TableMode.LOG_ONLY));
        List<OutboxEvent> events = new ArrayList<>(appendEach("d", 0, 10));
        Await.until("first half published", () -> publisher.published().size() >= 10);
        TestDatabase.embedded().server().stop();
        TestDatabase.embedded().server().start();
        events.addAll(appendEach("d", 10, 20));

        Await.until("all published after the restart", () -> publisher.publishedIds().containsAll(ids(events)));
        Await.until("the relay leads again", relay::isLeader);
        assertThat(publisher.published().stream().map(LogTailingRelayTest::seqOf).distinct().toList()).isSorted();
    }

    @Test
    void givenLeaderClosed_theStandbyTakesOverAndDeliversEverything() {
        RecordingPublisher publisher = RecordingPublisher.create();
        LogTailingRelay first = fixture.started(publisher, config(TableMode.LOG_ONLY));
        Await.until("first relay leads", first::isLeader);
        LogTailingRelay second = fixture.started(publisher, config(TableMode.LOG_ONLY));
        appendEach("l", 0, 50);
        Await.until("first 50 published", () -> publisher.published().size() >= 50);
        assertThat(second.isLeader()).isFalse();

        first.close();
        appendEach("l", 50, 100);

        Await.until("standby leads", second::isLeader);
        Await.until("all 100 published", () -> publisher.publishedIds().stream().distinct().count() >= 100);
        List<Integer> order = publisher.published().stream().map(LogTailingRelayTest::seqOf).distinct().toList();
        assertThat(order).isSorted().hasSize(100);
    }

    @Test
    void givenLeaderSessionsKilledAbruptly_theStandbyTakesOverAndNothingIsLost() {
        RecordingPublisher publisher = RecordingPublisher.create();
        LogTailingRelay first = fixture.started(publisher, config(TableMode.LOG_ONLY));
        Await.until("first relay leads", first::isLeader);
        LogTailingRelay second = fixture.started(publisher, config(TableMode.LOG_ONLY));
        List<OutboxEvent> events = new ArrayList<>(appendEach("k", 0, 30));
        Await.until("first half published", () -> publisher.published().size() >= 30);
        // The leader's process dies: its sessions end without a goodbye, and it never comes back.
        SlotFixture.killRelaySessions(fixture.slot());
        first.stop();
        events.addAll(appendEach("k", 30, 60));

        Await.until("the standby leads", second::isLeader);
        Await.until("every event published", () -> publisher.publishedIds().containsAll(ids(events)));
        assertThat(publisher.published().stream().map(LogTailingRelayTest::seqOf).distinct().toList()).isSorted();
    }

    @Test
    void givenSlotStillActiveForAnotherPid_theNewLeaderRetriesUntilItIsFree() throws Exception {
        RecordingPublisher publisher = RecordingPublisher.create();
        LogTailingRelay relay = fixture.started(publisher, config(TableMode.LOG_ONLY));
        relay.stop();
        // A walsender that has not exited yet, as after a leader's crash: hold the slot with a stream of our own.
        java.sql.Connection stale = ConnectionSource.of(TestDatabase.embedded().dataSource(), null, null).replication();
        org.postgresql.replication.PGReplicationStream staleStream = stale.unwrap(org.postgresql.PGConnection.class)
                .getReplicationAPI().replicationStream().logical().withSlotName(fixture.slot())
                .withSlotOption("proto_version", 1).withSlotOption("publication_names", fixture.publication()).start();
        relay.start();
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
        OutboxEvent event = TestEvents.sequenced("s", 0);
        unitOfWork.useTransaction(() -> outbox.append(event));
        Await.until("the relay leads", relay::isLeader);
        Thread.sleep(1500);
        assertThat(publisher.published()).isEmpty();

        staleStream.close();
        stale.close();

        Await.until("published once the slot is free", () -> publisher.publishedIds().contains(event.id()));
    }

    @Test
    void givenIdleSlot_lagIsReportedAndShrinksToZeroAfterConfirmation() {
        RecordingPublisher publisher = RecordingPublisher.create();
        LogTailingRelay relay = fixture.started(publisher, config(TableMode.LOG_ONLY).heartbeatInterval(Duration.ofMillis(500))
                .statusInterval(Duration.ofMillis(500)));
        Await.until("relay leads", relay::isLeader);
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
        unitOfWork.useTransaction(() -> outbox.append(TestEvents.sequenced("g", 0)));
        Await.until("published", () -> publisher.published().size() == 1);

        Await.until("lag close to zero", () -> {
            ReplicationLag lag = relay.lag();
            return lag.slotExists() && lag.slotActive() && lag.bytes() < 1024 && lag.age().isZero();
        });
    }

    @Test
    void givenTrafficOnOtherTablesOnly_theIdleSlotConfirmsAheadAndDoesNotPinWal() {
        RecordingPublisher publisher = RecordingPublisher.create();
        List<ReplicationLag> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
        LogTailingRelay relay = fixture.started(publisher, config(TableMode.LOG_ONLY).heartbeatInterval(Duration.ofMillis(300))
                .statusInterval(Duration.ofMillis(300))
                .listener(new LogTailingRelayListener() {
                    @Override
                    public void onLag(ReplicationLag lag) {
                        samples.add(lag);
                    }
                }));
        Await.until("relay leads", relay::isLeader);
        String other = fixture.table().table() + "_other";
        TestDatabase.embedded().execute("CREATE TABLE " + other + " (id bigint, filler text)");
        // the WAL written by other tables, measured against the position before (the idle relay may confirm it at once)
        TestDatabase.embedded().execute("CREATE TABLE " + other + "_mark AS SELECT pg_current_wal_lsn() AS lsn");
        TestDatabase.embedded().execute("INSERT INTO " + other + " SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g");
        long written = TestDatabase.embedded().count("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), lsn)::bigint FROM " + other + "_mark");
        assertThat(written).isGreaterThan(1_000_000);

        Await.until("the slot's confirmed position catches up", () -> relay.lag().bytes() < 64 * 1024);
        assertThat(publisher.published()).isEmpty();
        Await.until("lag samples reach the listener", () -> samples.stream().anyMatch(ReplicationLag::slotActive));
        TestDatabase.embedded().execute("DROP TABLE " + other + ", " + other + "_mark");
    }

    @Test
    void givenJdbcUrlAndProperties_theRelayConnectsWithoutADataSource() {
        RecordingPublisher publisher = RecordingPublisher.create();
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("ApplicationName", "log-relay-test");
        LogTailingRelay relay = LogTailingRelay.create(TestDatabase.embedded().server().jdbcUrl(), properties, publisher,
                LogTailingRelayConfig.builder().table(fixture.table()).slotName(fixture.slot())
                        .publicationName(fixture.publication()).mode(TableMode.LOG_ONLY).build());
        fixture.relays().add(relay);
        relay.start();
        JdbiUnitOfWork unitOfWork = fixture.unitOfWork();
        OutboxEvent event = TestEvents.sequenced("u", 0);
        unitOfWork.useTransaction(() -> LogOnlyOutbox.create(unitOfWork, fixture.table()).append(event));

        Await.until("published", () -> publisher.publishedIds().contains(event.id()));
        relay.close();
        assertThat(LogTailingRelay.dropSlot(TestDatabase.embedded().server().jdbcUrl(), null, fixture.slot(),
                fixture.publication())).isTrue();
    }

    @Test
    void dropSlot_removesTheSlotAndThePublication() {
        LogTailingRelay relay = fixture.started(RecordingPublisher.create(), config(TableMode.LOG_ONLY));
        relay.close();

        assertThat(LogTailingRelay.dropSlot(TestDatabase.embedded().dataSource(), fixture.slot(), fixture.publication())).isTrue();

        assertThat(TestDatabase.embedded().count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + fixture.slot()
                + "'")).isZero();
        assertThat(TestDatabase.embedded().count("SELECT count(*) FROM pg_publication WHERE pubname = '" + fixture.publication()
                + "'")).isZero();
        assertThat(relay.lag().slotExists()).isFalse();
    }

    /** The relay's own ceiling (decode, batch, confirm) with an instant publisher; prints the rate. */
    @Test
    void committedBacklog_isReadCompletelyInCommitOrder_andTheRateIsPrinted() throws Exception {
        RecordingPublisher publisher = RecordingPublisher.create();
        LogTailingRelay relay = fixture.started(publisher, config(TableMode.LOG_ONLY).batchSize(2000));
        relay.stop();
        int total = 20_000;
        String padding = "x".repeat(400);
        try (java.sql.Connection connection = TestDatabase.embedded().dataSource().getConnection()) {
            JdbiUnitOfWork unitOfWork = JdbiUnitOfWork.create(org.jdbi.v3.core.Jdbi.create(connection));
            LogOnlyOutbox outbox = LogOnlyOutbox.create(unitOfWork, fixture.table());
            for (int t = 0; t < total / 100; t++) {
                List<OutboxEvent> events = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    events.add(OutboxEvent.json("Order", "b" + (i % 50), "Changed",
                            "{\"seq\":" + (t * 100 + i) + ",\"pad\":\"" + padding + "\"}"));
                }
                unitOfWork.useTransaction(() -> outbox.appendAll(events));
            }
        }

        long started = System.nanoTime();
        relay.start();
        Await.until("backlog read", () -> publisher.published().size() >= total);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("LOG-TAILING RELAY OWN RATE: %d committed events (~500 B) in %d ms = %.0f events/s%n",
                total, millis, total * 1000.0 / Math.max(1, millis));
        assertThat(publisher.published().stream().map(LogTailingRelayTest::seqOf).toList()).isSorted().hasSize(total);
    }

    static int seqOf(OutboxEvent event) {
        String json = event.payloadAsString();
        int start = json.indexOf("\"seq\"");
        int colon = json.indexOf(':', start);
        int end = colon + 1;
        while (end < json.length() && (Character.isDigit(json.charAt(end)) || json.charAt(end) == ' ')) {
            end++;
        }
        return Integer.parseInt(json.substring(colon + 1, end).strip());
    }
}
