package io.containerlease;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The shape DESIGN.md draws, kept by a test: packages without cycles, a core that owns its ports
 * and knows nothing of the mechanisms around it, and the API on top, used by nothing below it.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.containerlease");

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.containerlease.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theCoreOwnsItsPortsAndUsesNoMechanism() {
        noClasses().that().resideInAPackage("io.containerlease.lease..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.containerlease.api..", "io.containerlease.activity..", "io.containerlease.auth..",
                        "io.containerlease.bench..", "io.containerlease.cli..", "io.containerlease.config..",
                        "io.containerlease.metrics..", "io.containerlease.reaper..", "io.containerlease.runtime..",
                        "io.containerlease.schedule..", "io.containerlease.session..", "io.containerlease.store..",
                        "io.micrometer..", "io.javalin..", "org.eclipse.jetty..", "com.github.dockerjava..", "java.sql..")
                .check(MAIN);
    }

    @Test
    void nothingBelowTheApiUsesIt() {
        noClasses().that().resideOutsideOfPackages("io.containerlease.api..", "io.containerlease.bench..", "io.containerlease.cli..")
                .and().doNotHaveFullyQualifiedName(ContainerLeaseServer.class.getName())
                .should().dependOnClassesThat().resideInAPackage("io.containerlease.api..")
                .check(MAIN);
    }
}
