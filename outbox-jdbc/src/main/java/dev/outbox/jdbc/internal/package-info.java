/**
 * Public only so that outbox-jdbc-replication can share the table's column codecs; not API.
 * Anything here may change in any release.
 */
package dev.outbox.jdbc.internal;
