package io.containerlease;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The shape ARCHITECTURE.md draws, kept by a test: packages without cycles at any depth, a core that
 * owns its ports and depends on nothing but itself and the JDK (an allow-list, so a new package
 * cannot slip past it), and the API on top, used by nothing below it.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.containerlease");

    @Test
    void packagesAreFreeOfCyclesAtEveryDepth() {
        // Top-level packages among themselves, and every package with its own sub-packages and siblings.
        slices().matching("io.containerlease.(*)..").should().beFreeOfCycles().check(MAIN);
        slices().matching("io.containerlease.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theCoreDependsOnNothingButItselfTheJdkAndLogging() {
        classes()
                .that()
                .resideInAPackage("io.containerlease.lease..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "io.containerlease.lease..", "java..", "org.slf4j..", "net.logstash.logback.argument..", "")
                .check(MAIN);
    }

    @Test
    void nothingBelowTheApiUsesIt() {
        noClasses()
                .that()
                // The composition root (the top package alone) builds the API; nothing else below it may use it.
                .resideOutsideOfPackages(
                        "io.containerlease.api..",
                        "io.containerlease.bench..",
                        "io.containerlease.cli..",
                        "io.containerlease")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.containerlease.api..")
                .check(MAIN);
    }
}
