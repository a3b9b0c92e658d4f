package dev.outbox.benchmarks.relays;

import java.io.IOException;

/** One way of getting committed outbox rows to Kafka, started and stopped by the benchmark. */
interface RelayLeg {

    /** Returns the name printed in the results. */
    String name();

    /** Starts relaying and returns once new commits are being captured. */
    void start() throws Exception;

    /** Stops relaying; what was committed meanwhile is relayed after the next {@link #start()}. */
    void stop() throws Exception;

    /** Stops for good and removes what the leg left in the database (replication slots). */
    void release() throws IOException, InterruptedException;
}
