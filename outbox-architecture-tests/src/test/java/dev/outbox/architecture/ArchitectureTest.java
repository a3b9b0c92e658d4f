package dev.outbox.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks the module boundaries over the production classes of every module. */
class ArchitectureTest {
    private static final ModuleRules RULES = new ModuleRules("dev.outbox");
    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.outbox");
    }

    @Test
    void importSeesEveryModule_soNoRulePassesOnAnEmptySet() {
        for (String pkg : new String[] {"dev.outbox.core", "dev.outbox.core.spi", "dev.outbox.core.internal", "dev.outbox.jdbc",
                "dev.outbox.jdbc.internal",
                "dev.outbox.kafka", "dev.outbox.rabbitmq", "dev.outbox.jdbc.replication", "dev.outbox.embedded", "dev.outbox.testkit", "dev.outbox.order.domain",
                "dev.outbox.order.app", "dev.outbox.spring", "dev.outbox.spring.boot"}) {
            assertThat(classes.stream().anyMatch(c -> c.getPackageName().equals(pkg)))
                    .as("classes imported from package %s", pkg).isTrue();
        }
    }

    @Test
    void core_depends_only_on_jdk_slf4j_and_jakarta_inject() {
        RULES.coreDependsOnlyOnJdkSlf4jAndJakartaInject().check(classes);
    }

    @Test
    void order_domain_depends_only_on_core() {
        RULES.orderDomainDependsOnlyOnCore().check(classes);
    }

    @Test
    void adapters_do_not_depend_on_each_other() {
        RULES.adaptersDoNotDependOnEachOther().check(classes);
    }

    @Test
    void library_is_free_of_spring() {
        RULES.libraryIsFreeOfSpring().check(classes);
    }

    @Test
    void spring_modules_depend_only_on_core_jdbc_kafka_and_spring() {
        RULES.springModulesDependOnlyOnCoreJdbcKafkaAndSpring().check(classes);
    }

    @Test
    void nothing_depends_on_the_app() {
        RULES.nothingDependsOnTheApp().check(classes);
    }

    @Test
    void library_does_not_depend_on_the_order_domain() {
        RULES.libraryDoesNotDependOnTheOrderDomain().check(classes);
    }

    @Test
    void internals_are_used_only_by_our_modules() {
        RULES.internalsAreUsedOnlyByOurModules().check(classes);
    }

    @Test
    void application_does_not_use_internals() {
        RULES.applicationDoesNotUseInternals().check(classes);
    }

    @Test
    void production_code_does_not_use_test_helpers() {
        RULES.productionCodeDoesNotUseTestHelpers().check(classes);
    }

    @Test
    void no_package_cycles() {
        RULES.noPackageCycles().check(classes);
    }
}
