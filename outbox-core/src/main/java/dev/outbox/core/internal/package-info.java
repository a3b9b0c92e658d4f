/**
 * Helpers the library modules share (setting checks); public only so that outbox-jdbc,
 * outbox-kafka and the other library modules can call them. Not API: anything here may change in
 * any release, and an architecture rule keeps applications out.
 */
package dev.outbox.core.internal;
