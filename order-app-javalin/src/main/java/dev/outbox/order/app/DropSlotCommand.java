package dev.outbox.order.app;

import dev.outbox.jdbc.replication.LogTailingRelay;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code drop-slot}: decommissions the log-tailing relay by dropping its replication slot
 * ({@code REPLICATION_SLOT}) and publication ({@code REPLICATION_PUBLICATION}), printing what it did.
 * Refuses, changing nothing, while a relay streams from the slot.
 */
final class DropSlotCommand {
    private DropSlotCommand() {
    }

    /** Runs the command; returns 0 when done (also when there was nothing to drop), 1 when refused. */
    static int run(DataSource dataSource, AppConfig config, List<String> args, PrintStream out, PrintStream err) {
        if (!Arguments.parse(args, Set.of(), Set.of()).positional().isEmpty()) {
            throw new Arguments.UsageException("drop-slot takes no arguments (it uses REPLICATION_SLOT and "
                    + "REPLICATION_PUBLICATION)");
        }
        String slot = config.replicationSlot();
        String publication = config.replicationPublication();
        boolean publicationExisted = Jdbi.create(dataSource).withHandle(h -> h.createQuery(
                "SELECT count(*) FROM pg_publication WHERE pubname = :name").bind("name", publication)
                .mapTo(Integer.class).one()) > 0;
        boolean slotExisted;
        try {
            slotExisted = LogTailingRelay.dropSlot(dataSource, slot, publication);
        } catch (IllegalStateException e) {
            err.println("Refused: " + e.getMessage() + ". Nothing was dropped.");
            return 1;
        }
        out.println(slotExisted ? "Dropped replication slot " + slot + "."
                : "Replication slot " + slot + " did not exist.");
        out.println(publicationExisted ? "Dropped publication " + publication + "."
                : "Publication " + publication + " did not exist.");
        return 0;
    }
}
