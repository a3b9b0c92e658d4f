package dev.outbox.order.app;

import dev.outbox.core.spi.OutboxEventPublisher;
import dev.outbox.jdbc.replication.LogTailingRelay;
import dev.outbox.jdbc.replication.LogTailingRelayListener;
import dev.outbox.jdbc.replication.ReplicationSetupException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The Order service's command line. Commands:
 * <pre>
 *   serve                                   HTTP API and relay (the default)
 *   relay                                   the relay alone
 *   migrate                                 apply the database migrations and exit
 *   dead-letters list [--limit N]           show dead-lettered events
 *   dead-letters requeue --id UUID... | --all
 *   replay --aggregate-type T [--since ISO-8601]
 *   consume --topic T [--from-beginning] [--max N] [--idle-seconds S]
 *   drop-slot                               drop the log-tailing relay's replication slot and publication
 * </pre>
 * Configuration comes from environment variables (see {@link AppConfig}).
 */
public final class Main {
    static final String USAGE = """
            Usage: order-service [command] [options]     (configuration: environment variables, see README)

              serve                        HTTP API on $PORT and the relay per RELAY_MODE (default command)
              relay                        the relay alone (RELAY_MODE polling or log-tailing), no HTTP
              migrate                      apply the outbox and order migrations, then exit
              dead-letters list [--limit N]
                                           list events the relay gave up on
              dead-letters requeue --id <event-id> [--id ...] | --all
                                           put dead letters back in the queue (attempts reset)
              replay --aggregate-type <T> [--since <ISO-8601 instant>]
                                           publish again the published events of type T still kept in the
                                           outbox table, in order, with their original ids. Only rows within
                                           OUTBOX_RETENTION (default 24h) are kept; with OUTBOX_RETENTION=0
                                           published rows are deleted at once and there is nothing to replay.
              consume --topic <T> [--from-beginning] [--max N] [--idle-seconds S]
                                           print decoded events from a topic (e.g. --topic Order); with
                                           PUBLISHER=nats from the stream NATS_STREAM, --topic being an optional
                                           subject filter (e.g. --topic 'outbox.Order.>')
                                           with PUBLISHER=rabbitmq: consume [--queue Q] [--max N] [--idle-seconds S]
                                           reads (and acknowledges) the queue RABBITMQ_QUEUE bound to the Order exchange
              drop-slot                    drop the log-tailing relay's replication slot REPLICATION_SLOT and
                                           publication REPLICATION_PUBLICATION (stop every relay first; refused
                                           while the slot is in use). A forgotten slot keeps WAL until the disk fills.
              help                         this text

            Without DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS an embedded PostgreSQL and an in-process Kafka
            broker are used (data under ./.outbox-data); commands run while `serve` is up use its servers.
            """;

    private Main() {
    }

    /** Runs a command and exits with its status: 0 on success, 1 on failure, 2 on a usage error. */
    public static void main(String[] args) {
        int status = run(Arrays.asList(args), System.out, System.err);
        if (status != 0 || !List.of("serve", "relay").contains(args.length == 0 ? "serve" : args[0])) {
            System.exit(status);
        }
    }

    /**
     * Runs a command; {@code serve} and {@code relay} block until the JVM shuts down.
     *
     * @return the exit status
     */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        String command = args.isEmpty() ? "serve" : args.get(0);
        List<String> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
        try {
            AppConfig config = AppConfig.fromEnvironment();
            return switch (command) {
                case "serve" -> runUntilShutdown(OrderService.start(config, OrderService.Mode.SERVE));
                case "relay" -> runUntilShutdown(OrderService.start(config, OrderService.Mode.RELAY));
                case "migrate" -> {
                    try (OrderService service = OrderService.start(config, OrderService.Mode.TOOL)) {
                        out.println("Migrations applied: outbox table " + service.store().table() + ", orders, order_lines.");
                    }
                    yield 0;
                }
                case "dead-letters" -> {
                    try (OrderService service = OrderService.start(config, OrderService.Mode.TOOL)) {
                        yield deadLetters(service, config, rest, out);
                    }
                }
                case "replay" -> {
                    try (OrderService service = OrderService.start(config, OrderService.Mode.TOOL);
                         Infrastructure broker = Infrastructure.open(config, false,
                                 config.publisher() == AppConfig.PublisherKind.KAFKA, true);
                         OutboxEventPublisher publisher = OrderService.publisher(config, broker.bootstrapServers())) {
                        yield ReplayCommand.run(service.store(), publisher, rest, out);
                    }
                }
                case "consume" -> {
                    if (config.publisher() == AppConfig.PublisherKind.NATS) {
                        yield NatsWiring.consume(config.nats().orElseThrow(), rest, out);
                    }
                    if (config.publisher() == AppConfig.PublisherKind.RABBITMQ) {
                        yield RabbitMqWiring.consume(config.rabbitMq().orElseThrow(), rest, out);
                    }
                    try (Infrastructure broker = Infrastructure.open(config, false, true, true)) {
                        yield ConsumeCommand.run(broker.bootstrapServers().orElseThrow(), config.schemaRegistryUrl(),
                                rest, out);
                    }
                }
                case "drop-slot" -> {
                    try (OrderService service = OrderService.start(config, OrderService.Mode.TOOL)) {
                        yield DropSlotCommand.run(service.dataSource(), config, rest, out, err);
                    }
                }
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> throw new Arguments.UsageException("unknown command " + command);
            };
        } catch (Arguments.UsageException e) {
            err.println("Error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (ConfigException e) {
            err.println("Configuration error: " + e.getMessage());
            return 2;
        } catch (ReplicationSetupException e) {
            err.println("Database not ready for RELAY_MODE=log-tailing: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            err.println("Failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    /**
     * Runs {@code dead-letters}; with {@code RELAY_MODE=log-tailing} requeued events are written as
     * fresh inserts the slot reads (a status update never reaches the log).
     */
    static int deadLetters(OrderService service, AppConfig config, List<String> args, PrintStream out) {
        if (config.relayMode() != AppConfig.RelayMode.LOG_TAILING) {
            return DeadLettersCommand.run(service.store(), args, out);
        }
        // never started: only its requeue is used
        LogTailingRelay requeuer = OrderService.logTailingRelay(config, service.dataSource(),
                new LogOutboxEventPublisher(e -> e.aggregateType()), LogTailingRelayListener.NO_OP);
        return DeadLettersCommand.run(service.store(), requeuer::requeueDeadLetters, args, out);
    }

    private static int runUntilShutdown(OrderService service) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "order-service-shutdown"));
        stopped.await();
        return 0;
    }
}
