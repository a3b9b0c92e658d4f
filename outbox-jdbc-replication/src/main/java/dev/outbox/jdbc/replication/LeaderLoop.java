package dev.outbox.jdbc.replication;

import java.sql.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay thread: competes for the slot's session-level advisory lock on a dedicated
 * connection, streams while it holds it, and retries as a standby every
 * {@code standbyRetryInterval}. Closing the lock connection (stop, crash, lost connection)
 * releases the lock, so a standby takes over.
 */
final class LeaderLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderLoop.class);

    private final RelaySettings settings;
    private final RelayState state;
    private final long lockKey;

    LeaderLoop(RelaySettings settings, RelayState state) {
        this.settings = settings;
        this.state = state;
        this.lockKey = SlotAdmin.lockKey(settings.slotName());
    }

    @Override
    public void run() {
        boolean standbyLogged = false;
        while (state.running()) {
            Throwable failure = null;
            try (Connection lock = settings.connections().plain()) {
                if (SlotAdmin.tryLock(lock, lockKey)) {
                    standbyLogged = false;
                    lead(lock);
                } else if (!standbyLogged) {
                    LOG.info("Slot {} is led by another instance; standing by", settings.slotName());
                    standbyLogged = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception | Error e) {
                failure = e;
            }
            if (failure != null && state.running()) {
                LOG.warn("Log-tailing relay on slot {} failed; retrying in {} ms: {}", settings.slotName(),
                        settings.standbyRetryInterval().toMillis(), String.valueOf(failure));
                settings.listener().onError(failure);
            }
            try {
                state.sleep(settings.standbyRetryInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void lead(Connection lock) throws Exception {
        state.leader(true);
        LOG.info("Became leader of slot {}", settings.slotName());
        settings.listener().onLeadershipAcquired(settings.slotName());
        Throwable cause = null;
        try {
            new StreamSession(settings, lock, state::running, state).run();
        } catch (Exception | Error e) {
            cause = e;
            throw e;
        } finally {
            state.leader(false);
            LOG.info("Gave up leadership of slot {}", settings.slotName());
            settings.listener().onLeadershipLost(settings.slotName(), cause);
        }
    }
}
