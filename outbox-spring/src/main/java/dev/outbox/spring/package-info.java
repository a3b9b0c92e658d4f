/**
 * The outbox inside Spring-managed transactions, without Spring Boot.
 *
 * <ul>
 *   <li>{@link dev.outbox.spring.SpringOutbox}: appends events on the connection of the current
 *       {@code @Transactional} transaction on the application's DataSource;
 *   <li>{@link dev.outbox.spring.SpringUnitOfWork}: the {@code UnitOfWork} port on a Spring
 *       {@code PlatformTransactionManager}, for code written against the port.
 * </ul>
 */
package dev.outbox.spring;
