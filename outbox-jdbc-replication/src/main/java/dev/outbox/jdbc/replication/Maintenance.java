package dev.outbox.jdbc.replication;

import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's periodic chores, once per heartbeat interval on a fresh plain connection: emit a
 * heartbeat message, sample the lag for the listener, and in {@link TableMode#KEEP_ROWS} purge
 * published rows past retention. Standbys skip it.
 */
final class Maintenance implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    private static final int MAX_PURGE_ROUNDS = 20;

    private final RelaySettings settings;
    private final LogTailingRelayConfig config;
    private final RelayState state;
    private final LeaderStoreWriter writer;

    Maintenance(RelaySettings settings, RelayState state) {
        this.settings = settings;
        this.config = settings.config();
        this.state = state;
        this.writer = new LeaderStoreWriter(config.table());
    }

    @Override
    public void run() {
        if (!state.leader() || !state.running()) {
            return;
        }
        try (Connection connection = settings.connections().plain()) {
            SlotAdmin.heartbeat(connection);
            settings.listener().onLag(SlotAdmin.lag(connection, config.slotName(), state.age()));
            if (config.mode() == TableMode.KEEP_ROWS) {
                int purged = 0;
                for (int round = 0; round < MAX_PURGE_ROUNDS && state.running(); round++) {
                    int deleted = writer.purge(connection, config.retention(), config.purgeBatchSize());
                    purged += deleted;
                    if (deleted < config.purgeBatchSize()) {
                        break;
                    }
                }
                if (purged > 0) {
                    LOG.debug("Purged {} published rows older than {}", purged, config.retention());
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Log-tailing relay maintenance (heartbeat, lag, purge) failed: {}", String.valueOf(e));
            settings.listener().onError(e);
        }
    }
}
