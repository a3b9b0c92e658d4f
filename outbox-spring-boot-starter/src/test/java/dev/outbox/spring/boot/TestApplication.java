package dev.outbox.spring.boot;

import dev.outbox.core.Outbox;
import javax.sql.DataSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * The application the starter tests run: the DataSource and transaction manager an application has (spring-boot-jdbc
 * would declare the same two beans), and a transactional service; everything else comes from the starter.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableTransactionManagement
class TestApplication {

    @Bean
    DataSource dataSource() {
        return TestDatabase.dataSource();
    }

    @Bean
    DataSourceTransactionManager transactionManager(DataSource dataSource) {
        return new DataSourceTransactionManager(dataSource);
    }

    @Bean
    OrderService orderService(DataSource dataSource, Outbox outbox, org.springframework.core.env.Environment env) {
        return new OrderService(JdbcClient.create(dataSource), outbox, env.getRequiredProperty("test.orders-table"));
    }

    /** Starts the application with {@code properties} ({@code key=value}) and {@code extra} configuration classes. */
    static ConfigurableApplicationContext run(Class<?>[] extra, String... properties) {
        Class<?>[] sources = new Class<?>[extra.length + 1];
        sources[0] = TestApplication.class;
        System.arraycopy(extra, 0, sources, 1, extra.length);
        return new SpringApplicationBuilder(sources).properties(properties).run();
    }
}
