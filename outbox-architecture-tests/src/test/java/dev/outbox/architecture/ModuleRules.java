package dev.outbox.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;

/**
 * The module boundaries described in the root README (section "Modules": what each module holds
 * and depends on) as ArchUnit rules, built over a base package so the same rule runs over our code
 * ({@code dev.outbox}) and over planted violations ({@code fixtures.planted}) that prove each rule
 * can fail.
 */
final class ModuleRules {
    private static final String[] JDK = {"java..", "javax..", "jdk.."};

    private final String base;

    ModuleRules(String basePackage) {
        this.base = basePackage;
    }

    /** outbox-core depends on nothing but the JDK, slf4j-api and jakarta.inject-api. */
    ArchRule coreDependsOnlyOnJdkSlf4jAndJakartaInject() {
        return classes().that().resideInAPackage(base + ".core..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        concat(JDK, base + ".core..", "org.slf4j..", "jakarta.inject.."))
                .because("outbox-core must not pull anything into a user's classpath beyond the JDK, "
                        + "slf4j-api and jakarta.inject-api");
    }

    /** order-domain depends on outbox-core only (and the JDK). */
    ArchRule orderDomainDependsOnlyOnCore() {
        return classes().that().resideInAPackage(base + ".order.domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        concat(JDK, base + ".order.domain..", base + ".core..", "org.slf4j..", "jakarta.inject.."))
                .because("the domain is framework-free: it reaches the database and the broker only through ports");
    }

    /** No adapter module depends on another adapter module. */
    ArchRule adaptersDoNotDependOnEachOther() {
        return slices().matching(base + ".(jdbc|kafka|nats|rabbitmq|embedded)..")
                .should().notDependOnEachOther()
                .because("adapters are interchangeable: each depends on the core ports only");
    }

    /**
     * The framework-free modules know nothing of Spring, neither Spring itself nor our Spring modules: Spring is
     * one framework adapter among others, and users of JDBI or any other framework pull none of it.
     */
    ArchRule libraryIsFreeOfSpring() {
        return noClasses().that().resideInAnyPackage(base + ".core..", base + ".jdbc..", base + ".kafka..",
                        base + ".nats..", base + ".rabbitmq..", base + ".embedded..", base + ".testkit..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", base + ".spring..")
                .because("outbox-core, outbox-jdbc and outbox-kafka serve any framework; Spring lives in outbox-spring "
                        + "and outbox-spring-boot-starter");
    }

    /**
     * The Spring modules (outbox-spring, outbox-spring-boot-starter) are a framework adapter over the library's
     * API: the core, the jdbc and kafka adapters, Spring, JDBI; not the other adapters nor the test servers.
     */
    ArchRule springModulesDependOnlyOnCoreJdbcKafkaAndSpring() {
        return classes().that().resideInAPackage(base + ".spring..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(concat(JDK, base + ".spring..", base + ".core..",
                        base + ".jdbc", base + ".kafka", "org.springframework..", "org.jdbi..", "org.slf4j..",
                        "jakarta.inject.."))
                .because("the Spring adapter bridges Spring's transactions to the library's API; it adds no adapter "
                        + "of its own and reaches no module's internals");
    }

    /** Nothing outside the app depends on the app. */
    ArchRule nothingDependsOnTheApp() {
        return noClasses().that().resideOutsideOfPackage(base + ".order.app..")
                .should().dependOnClassesThat().resideInAPackage(base + ".order.app..")
                .because("the app is the outermost ring: it wires everything and nothing wires it");
    }

    /** The library modules do not know the reference application's domain. */
    ArchRule libraryDoesNotDependOnTheOrderDomain() {
        return noClasses().that().resideInAnyPackage(base + ".core..", base + ".jdbc..", base + ".kafka..",
                        base + ".nats..", base + ".rabbitmq..", base + ".embedded..", base + ".testkit..")
                .should().dependOnClassesThat().resideInAPackage(base + ".order..")
                .because("the library is for any domain; Order is only its reference application");
    }

    /**
     * {@code ..internal..} packages are public only so that our library modules can share them:
     * nothing outside our own packages depends on them.
     */
    ArchRule internalsAreUsedOnlyByOurModules() {
        return classes().that().resideInAPackage(base + "..internal..")
                .should().onlyHaveDependentClassesThat().resideInAPackage(base + "..")
                .because("internal packages are not API and may change in any release");
    }

    /** The reference application (order-domain, order-app-javalin) uses only the library's API, no internals. */
    ArchRule applicationDoesNotUseInternals() {
        return noClasses().that().resideInAPackage(base + ".order..")
                .should().dependOnClassesThat().resideInAPackage(base + "..internal..")
                .because("the application shows how users use the library, and users may not rely on internals");
    }

    /**
     * The test helpers in {@code core.testing} (a clock, waits, sample events) ship in outbox-core so that
     * core's own tests can use them; only test code and outbox-testkit may depend on them.
     */
    ArchRule productionCodeDoesNotUseTestHelpers() {
        return noClasses().that().resideOutsideOfPackages(base + ".core.testing..", base + ".testkit..")
                .should().dependOnClassesThat().resideInAPackage(base + ".core.testing..")
                .because("sample events and test clocks have no place in production code");
    }

    /** No cycles between packages. */
    ArchRule noPackageCycles() {
        return slices().matching(base + ".(**)").should().beFreeOfCycles();
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = new String[first.length + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
