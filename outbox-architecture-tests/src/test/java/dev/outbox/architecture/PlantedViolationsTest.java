package dev.outbox.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every rule of {@link ModuleRules} over planted violations (package
 * {@code fixtures.planted}, mirroring our module layout, and {@code fixtures.outsider}, standing
 * for a user's code) and asserts that each is caught.
 * A rule that cannot fail would pass over real violations too.
 */
class PlantedViolationsTest {
    private static final ModuleRules RULES = new ModuleRules("fixtures.planted");
    private static JavaClasses planted;

    @BeforeAll
    static void importPlantedViolations() {
        planted = new ClassFileImporter().importPackages("fixtures.planted", "fixtures.outsider");
    }

    @Test
    void coreRule_catchesCoreDependingOnKafka() {
        assertCaught(RULES.coreDependsOnlyOnJdkSlf4jAndJakartaInject(), "CoreUsingKafka", "ProducerRecord");
    }

    @Test
    void domainRule_catchesDomainDependingOnJdbi() {
        assertCaught(RULES.orderDomainDependsOnlyOnCore(), "DomainUsingJdbi", "Jdbi");
    }

    @Test
    void adapterRule_catchesAdapterDependingOnAdapter() {
        assertCaught(RULES.adaptersDoNotDependOnEachOther(), "JdbcUsingKafka", "KafkaAdapter");
    }

    @Test
    void adapterRule_catchesNatsAdapterDependingOnKafkaAdapter() {
        assertCaught(RULES.adaptersDoNotDependOnEachOther(), "NatsUsingKafka", "KafkaAdapter");
    }

    @Test
    void adapterRule_catchesRabbitMqAdapterDependingOnKafkaAdapter() {
        assertCaught(RULES.adaptersDoNotDependOnEachOther(), "RabbitMqUsingKafka", "KafkaAdapter");
    }

    @Test
    void springRule_catchesJdbcAdapterDependingOnSpring() {
        assertCaught(RULES.libraryIsFreeOfSpring(), "JdbcUsingSpring", "JdbcTemplate");
    }

    @Test
    void springRule_catchesKafkaAdapterDependingOnOurSpringModule() {
        assertCaught(RULES.libraryIsFreeOfSpring(), "KafkaUsingSpringModule", "SpringUsingRabbitMq");
    }

    @Test
    void springModulesRule_catchesSpringModuleDependingOnAnotherAdapter() {
        assertCaught(RULES.springModulesDependOnlyOnCoreJdbcKafkaAndSpring(), "SpringUsingRabbitMq", "RabbitMqUsingKafka");
    }

    @Test
    void springModulesRule_catchesSpringModuleUsingAnInternalPackage() {
        assertCaught(RULES.springModulesDependOnlyOnCoreJdbcKafkaAndSpring(), "SpringUsingInternal", "RowCodec");
    }

    @Test
    void appRule_catchesLibraryDependingOnApp() {
        assertCaught(RULES.nothingDependsOnTheApp(), "CoreUsingApp", "App");
    }

    @Test
    void orderDomainRule_catchesLibraryDependingOnOrderDomain() {
        assertCaught(RULES.libraryDoesNotDependOnTheOrderDomain(), "TestkitUsingOrder", "DomainUsingJdbi");
    }

    @Test
    void internalsRule_catchesCodeOutsideOurModulesUsingAnInternalPackage() {
        assertCaught(RULES.internalsAreUsedOnlyByOurModules(), "UserCodeUsingInternal", "RowCodec");
    }

    @Test
    void applicationInternalsRule_catchesTheAppUsingAnInternalPackage() {
        assertCaught(RULES.applicationDoesNotUseInternals(), "AppUsingInternal", "RowCodec");
    }

    @Test
    void testHelpersRule_catchesProductionCodeUsingACoreTestHelper() {
        assertCaught(RULES.productionCodeDoesNotUseTestHelpers(), "JdbcUsingTestClock", "TestClock");
    }

    @Test
    void cycleRule_catchesPackageCycle() {
        assertCaught(RULES.noPackageCycles(), "cycle.a.A", "cycle.b.B");
    }

    private static void assertCaught(ArchRule rule, String... expectedInMessage) {
        assertThatThrownBy(() -> rule.check(planted))
                .isInstanceOf(AssertionError.class)
                .hasMessageContainingAll(expectedInMessage);
    }
}
